"""AdaIN against Gatys et al.: speed per image, the losses each reaches, and side-by-side grids.

Huang & Belongie 2017 (arXiv:1703.06868, section 7.2 and table 1) report AdaIN about
720 times faster than Gatys et al. 2016 on a GPU (one forward pass against hundreds
of optimisation steps). This script measures the same comparison on this machine's
CPU, on the bundled images (``samples:``), with the features a run was trained with:

1. trains ``genzoo train adain-style --epochs E`` (the default preset, offline: random
   VGG-19 features, the bundled images), unless ``--run`` names a run, and exports it
   (SavedModel + ONNX);
2. times one stylization of a 256x256 and a 512x512 content image: the export's
   ``stylize`` signature (TensorFlow) and its ONNX file (onnxruntime), median of
   ``--repeats`` calls after a warm-up; and Gatys (L-BFGS, ``--gatys-steps``);
3. measures, with the run's own VGG-19, what each method reaches at 256x256:
   the content loss (relu4_1 against the content image's), the style loss of
   Huang & Belongie (eq. 12: channel means and deviations at relu1_1..relu4_1) and
   Gatys's Gram loss (relu1_1..relu4_1), next to the unchanged content image's;
4. draws content x style grids for both methods (``docs/images/style_transfer_grid.png``)
   and an alpha row (``docs/images/style_transfer_alpha.png``, ``genzoo stylize --alpha-grid``),

and writes the numbers to ``docs/benchmarks.md`` (between ``<!-- style-transfer:start -->``
and ``<!-- style-transfer:end -->``).

    python benchmarks/style_transfer.py [--run RUN] [--epochs 30] [--work /tmp/style_bench]
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

START, END = "<!-- style-transfer:start -->", "<!-- style-transfer:end -->"
CONTENTS = ("astronaut", "chelsea", "coffee")
STYLES = ("immunohistochemistry", "hubble_deep_field", "brick")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", type=pathlib.Path, help="an adain-style run (default: train one)")
    parser.add_argument("--epochs", type=int, default=30, help="training epochs of a new run")
    parser.add_argument("--work", type=pathlib.Path, default=pathlib.Path("/tmp/style_bench"))
    parser.add_argument("--sizes", default="256,512")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--gatys-steps", type=int, default=100,
                        help="L-BFGS steps of Gatys per image (timing and losses)")
    parser.add_argument("--grid-size", type=int, default=256, help="side of the grid's cells")
    parser.add_argument("--grid-gatys-steps", type=int, default=40)
    parser.add_argument("--no-docs", action="store_true", help="print only")
    args = parser.parse_args(argv)

    import numpy as np
    import tensorflow as tf

    from benchmarks.docs_section import machine_description, write_section
    from keras_genzoo import runs
    from keras_genzoo.commands.export import export_run
    from keras_genzoo.commands.stylize import stylize_images
    from keras_genzoo.data.samples import load_sample_image
    from keras_genzoo.losses.style import (content_loss, gram_matrix, gram_style_loss,
                                           mean_std_style_loss)
    from keras_genzoo.models.gatys import GatysConfig, gatys_encoder, gatys_transfer
    from keras_genzoo.networks.vgg import vgg19_encoder

    args.work.mkdir(parents=True, exist_ok=True)
    run = args.run
    train_seconds = None
    if run is None:
        run = args.work / "run"
        if not runs.is_run_dir(run):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "zoo_cli", "train", "adain-style", "--out",
                            str(run), "--epochs", str(args.epochs)], check=True, cwd=REPO)
            train_seconds = time.perf_counter() - started
    model, saved = runs.load_trained_model(run)
    config = model.config
    history = runs.read_history(run)
    steps = int(history[-1]["step"]) if history else 0
    if train_seconds is None and history:  # a given run: the epochs' own clock
        train_seconds = sum(float(row["seconds"]) for row in history)
    exported = export_run(run, args.work / "exports", name="adain-style", onnx=True)
    version_dir, onnx_file = exported.path, exported.onnx_files["stylize"]
    loaded = tf.saved_model.load(str(version_dir))
    serving = loaded.signatures["stylize"]
    import onnxruntime

    session = onnxruntime.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])

    def square(name, side):
        image = load_sample_image(name)
        return tf.image.resize(tf.image.resize_with_crop_or_pad(
            image, *[min(image.shape[:2])] * 2), [side, side], antialias=True).numpy().clip(0, 1)

    def median_ms(call):
        call()  # warm-up: tracing, graph optimisation, session start
        times = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    gatys_config = GatysConfig(steps=args.gatys_steps, vgg_weights=config.vgg_weights,
                               vgg_seed=config.vgg_seed)
    gatys_vgg = gatys_encoder(gatys_config)
    timing, reached = [], {}
    for side in [int(s) for s in args.sizes.split(",")]:
        content, style = square(CONTENTS[0], side)[None], square(STYLES[0], side)[None]
        feeds = {"content": content, "style": style, "alpha": np.ones([1], np.float32)}
        saved_ms = median_ms(lambda: serving(**{k: tf.constant(v) for k, v in feeds.items()}))
        onnx_ms = median_ms(lambda: session.run(None, feeds))
        result = gatys_transfer(content[0], style[0], gatys_config, encoder=gatys_vgg)
        gatys_ms = result.seconds * 1000
        timing.append((side, saved_ms, onnx_ms, gatys_ms, gatys_ms / max(len(result.losses) - 1, 1)))
        print(f"{side}x{side}: AdaIN SavedModel {saved_ms:.0f} ms, ONNX {onnx_ms:.0f} ms; "
              f"Gatys {len(result.losses) - 1} L-BFGS steps {gatys_ms:.0f} ms", flush=True)
        if side == 256:
            adain_out = stylize_images(model, content[0], [style[0]], [1.0], [1.0])[0]
            reached = {"content image (unchanged)": content[0], "AdaIN (alpha 1)": adain_out,
                       f"Gatys ({len(result.losses) - 1} L-BFGS steps)": result.image,
                       "style image": style[0]}
            reference = (content, style)

    # the losses, measured with the run's own VGG-19 (relu1_1..relu4_1)
    measure = vgg19_encoder(config.vgg_weights, seed=config.vgg_seed)
    content_features = measure(reference[0])
    style_features = measure(reference[1])
    style_grams = [gram_matrix(f) for f in style_features]
    losses = []
    for name, image in reached.items():
        features = measure(image[None].astype(np.float32))
        losses.append((name, float(content_loss(features[-1], content_features[-1])[0]),
                       float(mean_std_style_loss(features, style_features)[0]),
                       float(gram_style_loss(features, style_grams)[0])))
        print(f"{name}: content {losses[-1][1]:.4g}, style (mean/std) {losses[-1][2]:.4g}, "
              f"Gram {losses[-1][3]:.4g}", flush=True)

    grid_path = REPO / "docs" / "images" / "style_transfer_grid.png"
    grid_seconds = _grids(grid_path, model, args, square, stylize_images, gatys_transfer,
                          GatysConfig(steps=args.grid_gatys_steps, vgg_weights=config.vgg_weights,
                                      vgg_seed=config.vgg_seed), gatys_vgg)
    alpha_path = REPO / "docs" / "images" / "style_transfer_alpha.png"
    subprocess.run([sys.executable, "-m", "zoo_cli", "stylize", str(version_dir), "--content",
                    "samples:chelsea", "--style", f"samples:{STYLES[0]}", "--alpha-grid",
                    "--out", str(alpha_path)], check=True, cwd=REPO)
    print(f"wrote {grid_path} and {alpha_path}")

    section = _section(timing, losses, steps, len(history), train_seconds, config, saved, args,
                       grid_seconds,
                       machine_description())
    print(section)
    if not args.no_docs:
        write_section(REPO / "docs" / "benchmarks.md", section, START, END)
    return 0


def _grids(path, model, args, square, stylize_images, gatys_transfer, gatys_config, gatys_vgg):
    """Two panels, AdaIN and Gatys: a row per content image, a column per style."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    side = args.grid_size
    contents = [square(name, side) for name in CONTENTS]
    styles = [square(name, side) for name in STYLES]
    started = time.perf_counter()
    adain = [[stylize_images(model, c, [s], [1.0], [1.0])[0] for s in styles] for c in contents]
    adain_seconds = time.perf_counter() - started
    started = time.perf_counter()
    gatys = [[gatys_transfer(c, s, gatys_config, encoder=gatys_vgg).image for s in styles]
             for c in contents]
    gatys_seconds = time.perf_counter() - started
    columns = 1 + 2 * len(styles)
    figure, axes = plt.subplots(len(contents) + 1, columns,
                                figsize=(1.6 * columns, 1.6 * (len(contents) + 1)))
    for axis in axes.flat:
        axis.axis("off")
    for j, style in enumerate(styles):
        for offset, method in ((1, "AdaIN"), (1 + len(styles), "Gatys")):
            axes[0, offset + j].imshow(style)
            axes[0, offset + j].set_title(f"{method}: {STYLES[j][:12]}", fontsize=7)
    for i, content in enumerate(contents):
        axes[i + 1, 0].imshow(content)
        axes[i + 1, 0].set_title(CONTENTS[i], fontsize=7)
        for j in range(len(styles)):
            axes[i + 1, 1 + j].imshow(np.clip(adain[i][j], 0, 1))
            axes[i + 1, 1 + len(styles) + j].imshow(np.clip(gatys[i][j], 0, 1))
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return adain_seconds, gatys_seconds


def _section(timing, losses, steps, epochs, train_seconds, config, saved, args, grid_seconds,
             machine):
    trained = (f"{steps} steps ({train_seconds / 60:.1f} min of training, `genzoo train "
               f"adain-style --epochs {epochs}`)" if train_seconds else f"{steps} steps")
    lines = [
        START,
        "## Style transfer: AdaIN against Gatys et al.",
        "",
        f"`python benchmarks/style_transfer.py --epochs {args.epochs}` on {machine}.",
        "",
        f"The AdaIN model: `adain-style`, preset `{saved.get('preset')}`, VGG-19 weights "
        f"`{config.vgg_weights}`, trained {trained} on `samples:content` x `samples:styles` "
        f"at {config.image_size}x{config.image_size}. Gatys: L-BFGS-B from the content image, "
        "the same VGG-19, `genzoo stylize --method gatys` defaults but the step count. "
        f"Times are medians of {args.repeats} calls after a warm-up (Gatys: one run); one "
        "content and one style image of the given size, batch 1.",
        "",
        "| size | AdaIN, SavedModel (ms) | AdaIN, ONNX Runtime (ms) | Gatys (ms) | Gatys steps "
        "| Gatys ms / step | Gatys / AdaIN (SavedModel) |",
        "|---|---|---|---|---|---|---|",
    ]
    for side, saved_ms, onnx_ms, gatys_ms, per_step in timing:
        lines.append(f"| {side}x{side} | {saved_ms:,.0f} | {onnx_ms:,.0f} | {gatys_ms:,.0f} | "
                     f"{args.gatys_steps} | {per_step:,.0f} | {gatys_ms / saved_ms:,.0f}x |")
    lines += [
        "",
        "The losses each method reaches at 256x256 (astronaut stylized with "
        f"{STYLES[0]}), measured with the run's VGG-19: content = MSE of relu4_1 against "
        "the content image's; style = Huang & Belongie eq. 12 (channel means and standard "
        "deviations, relu1_1..relu4_1); Gram = Gatys eq. 4-5 (relu1_1..relu4_1). Lower is "
        "closer; the first and last rows are the two ends of the trade-off.",
        "",
        "| image | content loss | style loss (mean/std) | style loss (Gram) |",
        "|---|---|---|---|",
    ]
    for name, content, style, gram in losses:
        lines.append(f"| {name} | {content:.4g} | {style:.4g} | {gram:.4g} |")
    lines += [
        "",
        "![AdaIN and Gatys side by side](images/style_transfer_grid.png)",
        "",
        f"The grid above ({args.grid_size}x{args.grid_size} cells): {len(CONTENTS)} contents x "
        f"{len(STYLES)} styles, AdaIN left ({grid_seconds[0]:.1f} s for all nine), Gatys right "
        f"({args.grid_gatys_steps} L-BFGS steps each, {grid_seconds[1]:.0f} s for all nine).",
        "",
        END,
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
