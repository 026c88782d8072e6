"""The 1-D GAN game of the lecture: the optimal discriminator and both sides of
dominance, from the gan presets ``toy1d``, ``dominant-discriminator`` and
``dominant-generator`` (docs/models/gan.md).

Goodfellow et al. 2014 (section 4.1): for a fixed G the best discriminator is
D*(x) = p_data / (p_data + p_g), and against it G minimises JS(p_data || p_g).
On ``toy1d:bimodal`` every run draws, at its epoch ends, p_data, p_g (a KDE of
2,500 samples), D(x) and D*(x), and logs ``js_divergence``. This script trains
four runs through the genzoo trainer (as ``genzoo train gan --preset ...``):

* ``toy1d``: the balanced game (non-saturating loss);
* ``dominant-discriminator``: minimax loss, 10 D updates per G update at 30x
  G's learning rate: D(G(z)) falls into the sigmoid's flat region;
* ``dominant-discriminator --set loss=non_saturating``: the same D, the
  non-saturating G loss (section 3's remedy);
* ``dominant-generator``: a 4-unit D at learning rate 1e-6.

It prints the final epoch of each (and the epoch means at generator step ~90,
where the minimax G is stuck), copies the runs' figures to ``docs/images/``
(``gan_toy1d_epoch*.png``, ``gan_dominant_*.png``) and draws
``docs/images/gan_toy1d_dominance.png``: generator gradient norm, D accuracy and
JS of the four runs against the generator step.

    python benchmarks/toy1d_game.py                 # about 5 minutes on 2 cores
    python benchmarks/toy1d_game.py --work-dir /tmp/toy1d   # keep the runs; a
                                                            # second call redraws
"""

from __future__ import annotations

import argparse
import pathlib
import shutil
import sys

# run as `python benchmarks/<script>.py`, so this folder is on sys.path
from docs_section import machine_description

REPO = pathlib.Path(__file__).resolve().parent.parent
IMAGES = REPO / "docs" / "images"

#: (key, preset, --set overrides, label, colour)
RUNS = (
    ("toy1d", "toy1d", {}, "toy1d (balanced, non-saturating)", "tab:green"),
    ("dominant-discriminator", "dominant-discriminator", {},
     "dominant-discriminator (minimax)", "tab:red"),
    ("dominant-discriminator-ns", "dominant-discriminator", {"loss": "non_saturating"},
     "same D, non-saturating G loss", "tab:blue"),
    ("dominant-generator", "dominant-generator", {}, "dominant-generator", "tab:orange"),
)
COLUMNS = ("step", "d_real", "d_fake", "d_accuracy", "g_grad_norm", "js_divergence")


def train(key, preset, overrides, work_dir):
    import keras

    from keras_genzoo.training import plan as plan_lib
    from keras_genzoo.training import trainer

    plan = plan_lib.resolve_plan("gan", preset=preset, overrides=dict(overrides),
                                 out_dir=str(work_dir / key), seed=0)
    keras.backend.clear_session()
    trainer.train(plan, verbose=0)
    return plan.out_dir


def draw(histories, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    figure, axes = plt.subplots(1, 3, figsize=(15, 4))
    for (key, _, _, label, colour), history in zip(RUNS, histories):
        steps = history["step"]
        axes[0].plot(steps, history["g_grad_norm"], color=colour, label=label)
        axes[1].plot(steps, history["d_accuracy"], color=colour, label=label)
        axes[2].plot(steps, history["js_divergence"], color=colour, label=label)
    axes[0].set_yscale("log")
    axes[0].set_title("generator gradient norm")
    axes[1].set_title("D accuracy (0.5: chance)")
    axes[1].axhline(0.5, color="0.6", lw=0.8, ls=":")
    axes[2].set_title("JS(p_data || p_g), nats (dotted: log 2)")
    axes[2].axhline(np.log(2), color="0.6", lw=0.8, ls=":")
    for axis in axes:
        axis.set_xlabel("generator step")
        axis.grid(alpha=0.3, which="both")
    axes[2].legend(fontsize=8)
    figure.suptitle("toy1d:bimodal, 3x64 MLPs, seed 0: one point per epoch (epoch means)",
                    fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-dir", type=pathlib.Path, default=None,
                        help="keep the runs here (default: runs/toy1d-game); finished runs "
                        "are not retrained")
    args = parser.parse_args(argv)
    work_dir = args.work_dir or REPO / "runs" / "toy1d-game"
    from keras_genzoo.training.diagnostic_figures import read_columns

    histories = []
    for key, preset, overrides, label, _ in RUNS:
        print(f"training {label} (gan --preset {preset}"
              + "".join(f" --set {k}={v}" for k, v in overrides.items()) + ") ...", flush=True)
        run_dir = train(key, preset, overrides, work_dir)
        histories.append(read_columns(run_dir / "history.csv"))
    print(f"\nmachine: {machine_description()}\n")
    print("| run | G steps | D(x) | D(G(z)) | D accuracy | g_grad_norm | JS | "
          "at step ~90: D(G(z)), g_grad_norm, JS |")
    print("|---|---|---|---|---|---|---|---|")
    for (key, _, _, label, _), history in zip(RUNS, histories):
        early = int(abs(history["step"] - 90).argmin())
        print(f"| {label} | {int(history['step'][-1])} | {history['d_real'][-1]:.3f} | "
              f"{history['d_fake'][-1]:.3g} | {history['d_accuracy'][-1]:.3f} | "
              f"{history['g_grad_norm'][-1]:.3g} | {history['js_divergence'][-1]:.3f} | "
              f"{history['d_fake'][early]:.3g}, {history['g_grad_norm'][early]:.3g}, "
              f"{history['js_divergence'][early]:.3f} |")
    IMAGES.mkdir(parents=True, exist_ok=True)
    copies = {
        "gan_toy1d_epoch02.png": work_dir / "toy1d" / "samples" / "epoch_0002.png",
        "gan_toy1d_epoch40.png": work_dir / "toy1d" / "samples" / "epoch_0040.png",
        "gan_dominant_discriminator_epoch06.png":
            work_dir / "dominant-discriminator" / "samples" / "epoch_0006.png",
        "gan_dominant_discriminator_diagnostics.png":
            work_dir / "dominant-discriminator" / "diagnostics.png",
        "gan_dominant_generator_epoch40.png":
            work_dir / "dominant-generator" / "samples" / "epoch_0040.png",
        "gan_dominant_generator_diagnostics.png":
            work_dir / "dominant-generator" / "diagnostics.png",
    }
    for name, source in copies.items():
        shutil.copyfile(source, IMAGES / name)
        print(f"wrote {IMAGES / name}")
    draw(histories, IMAGES / "gan_toy1d_dominance.png")
    print(f"wrote {IMAGES / 'gan_toy1d_dominance.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
