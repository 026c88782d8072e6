"""The growth schedule of a progressive GAN preset, drawn from the model's own code.

Karras et al. 2018 (arXiv:1710.10196), section 3: training starts at 4x4;
each later resolution first fades its new block in (alpha rising linearly
from 0 to 1 over ``fade_images`` real images), then trains stabilized at
alpha = 1 for ``stable_images``. The curve is not re-derived here: every
point is ``ProGANConfig.phase_and_alpha(images_seen)``, the function the
trainer calls (through ``advance_schedule``) before every step, so the figure
shows what training does and is redrawn by running this script again.

The training length marked on the plot is the preset's ``epochs`` times the
full batches per epoch of its dataset (the trainer drops the remainder).

    python benchmarks/figures/progan_schedule.py                  # progan digits
    python benchmarks/figures/progan_schedule.py --preset celeba --no-data --out /tmp/celeba.png
"""

from __future__ import annotations

import argparse
import dataclasses
import pathlib

REPO = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "docs" / "images" / "progan_schedule.png"


def resolved_config(model: str, preset: str | None):
    """The model's config dataclass with the preset's values (defaults for the rest)."""
    from keras_genzoo import registry

    spec = registry.get(model)
    preset_name, chosen = spec.preset(preset)
    config_class = spec.load_class().config_class
    known = {field.name for field in dataclasses.fields(config_class)}
    config = config_class(**{k: v for k, v in chosen.config.items() if k in known})
    config.validate()
    return preset_name, chosen, config


def training_images(chosen, config) -> int | None:
    """Real images the preset's run consumes: epochs x full batches x batch size."""
    from keras_genzoo.data import open_source

    train = chosen.train
    source = open_source(train["dataset"], image_size=config.image_size,
                         channels=config.channels, split="train")
    batch = int(train["batch_size"])
    return int(train["epochs"]) * source.steps_per_epoch(batch) * batch


def schedule_curve(config, last_image: int, points: int = 4001):
    """(images_seen, resolution, alpha) sampled on [0, last_image]."""
    import numpy as np

    seen = np.linspace(0, last_image, points).round().astype(int)
    # the fade boundaries, so that the drawn ramps start and end exactly there
    boundary = config.stable_images
    while boundary <= last_image:
        seen = np.append(seen, [boundary - 1, boundary, boundary + config.fade_images])
        boundary += config.fade_images + config.stable_images
    seen = np.unique(np.clip(seen, 0, last_image))
    phases, alphas = zip(*(config.phase_and_alpha(int(s)) for s in seen))
    resolution = 4 * 2 ** np.asarray(phases)
    return seen, resolution, np.asarray(alphas)


def draw(config, total: int | None, title: str, out: pathlib.Path) -> pathlib.Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    end = config.schedule_images()
    last = max(end, total or 0)
    seen, resolution, alpha = schedule_curve(config, last)
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(7.5, 4.4), sharex=True,
                                         gridspec_kw={"height_ratios": [1.2, 1]})
    top.step(seen, resolution, where="post", color="tab:blue")
    top.set_yscale("log", base=2)
    sizes = sorted(set(resolution.tolist()))
    top.set_yticks(sizes, [f"{s}x{s}" for s in sizes])
    top.set_ylabel("resolution")
    top.set_title(title, fontsize=10)
    bottom.plot(seen, alpha, color="tab:orange")
    bottom.set_ylabel("alpha (FadeIn)")
    bottom.set_ylim(-0.05, 1.05)
    bottom.set_xlabel("real images seen")
    # shade the fade-ins: the only spans where both the old and the new path contribute
    start = config.stable_images
    while start < end:
        for axis in (top, bottom):
            axis.axvspan(start, start + config.fade_images, color="tab:orange", alpha=0.12,
                         linewidth=0)
        start += config.fade_images + config.stable_images
    for axis in (top, bottom):
        axis.axvline(end, color="grey", linestyle=":", linewidth=1)
        if total:
            axis.axvline(total, color="black", linestyle="--", linewidth=1)
        axis.grid(alpha=0.3)
    bottom.annotate("schedule complete", (end, 0.5), xytext=(4, 0), textcoords="offset points",
                    fontsize=8, color="grey")
    if total:
        bottom.annotate("end of training", (total, 0.2), xytext=(-4, 0),
                        textcoords="offset points", fontsize=8, ha="right")
    bottom.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{x:,.0f}"))
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=110)
    plt.close(figure)
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="progan", help="a progressive model (progan, stylegan)")
    parser.add_argument("--preset", help="default: the model's default preset")
    parser.add_argument("--no-data", action="store_true",
                        help="do not open the preset's dataset to mark the end of training")
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    preset_name, chosen, config = resolved_config(args.model, args.preset)
    total = None if args.no_data else training_images(chosen, config)
    title = (f"{args.model} --preset {preset_name}: fade {config.fade_images:,} and stable "
             f"{config.stable_images:,} images per phase")
    print(f"{args.model} preset {preset_name}: phases "
          + ", ".join(f"{4 * 2 ** p}x{4 * 2 ** p}" for p in range(config.num_phases))
          + f"; schedule complete after {config.schedule_images():,} images"
          + (f"; training ends after {total:,}" if total else ""))
    boundary = 0
    for phase in range(config.num_phases):
        fade = 0 if phase == 0 else config.fade_images
        size = f"{4 * 2 ** phase}x{4 * 2 ** phase}"
        fading = f"fade [{boundary:,}, {boundary + fade:,})  " if fade else ""
        print(f"  {size:>7}  {fading}stable [{boundary + fade:,}, "
              f"{boundary + fade + config.stable_images:,})")
        boundary += fade + config.stable_images
    print(draw(config, total, title, args.out))


if __name__ == "__main__":
    main()
