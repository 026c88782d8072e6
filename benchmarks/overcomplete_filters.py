"""Overcomplete autoencoders on 8x8 digits: which ones copy, and their filters.

Trains the ``overcomplete`` preset of ``ae`` (no regularizer), ``sparse-ae``,
``denoising-ae`` and ``contractive-ae`` (code 128 > 64 pixels) through the real
genzoo trainer (``resolve_plan`` + ``trainer.train``, as ``genzoo train``), then
measures on the embedded digits (Deep Learning 14.2; the measures are in
:mod:`keras_genzoo.metrics.overcomplete`):

* **copy error**: relative error ``sum ||x - g(f(x))||^2 / sum ||x - mean||^2`` on
  500 images of independent pixels with the digits' per-pixel mean and standard
  deviation (inputs the data never holds): ~0 for a model that copies;
* **digit error**: the same on 500 held-out digits;
* **localization**: the mean share of an encoder filter's energy (over the 52 pixels
  the digits use) in its 6 strongest pixels (6/52 = 0.12 for evenly spread weights).

It writes ``docs/images/overcomplete_filters.png`` (the first 64 encoder filters of
each model over the pixels the digits use, each scaled to its own [-max, max]) and
prints a Markdown table.

    python benchmarks/overcomplete_filters.py [--epochs N] [--out-dir /tmp/overcomplete]
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
FIGURE = REPO / "docs" / "images" / "overcomplete_filters.png"
MODELS = ("ae", "sparse-ae", "denoising-ae", "contractive-ae")
SHOWN_FILTERS = 64


def train(name: str, out_dir: pathlib.Path, epochs: int | None):
    from keras_genzoo import runs
    from keras_genzoo.training import plan as plan_lib
    from keras_genzoo.training import trainer

    plan = plan_lib.resolve_plan(name, preset="overcomplete", out_dir=str(out_dir / name),
                                 epochs=epochs)
    start = time.perf_counter()
    trainer.train(plan, verbose=0)
    seconds = time.perf_counter() - start
    model, _ = runs.load_trained_model(plan.out_dir)
    return model, seconds


def measure(model, train_images, test_images) -> dict[str, float]:
    from keras_genzoo.metrics.overcomplete import (copy_error, filter_localization,
                                                   relative_error, used_pixels)

    filters = model.encoder_filters()
    return {
        "copy": copy_error(model.reconstruct, train_images),
        "digits": relative_error(test_images, model.reconstruct(test_images),
                                 train_images.mean(axis=0)),
        "localization": filter_localization(filters.reshape(len(filters), -1),
                                            used_pixels(train_images)),
    }


def filter_figure(models: dict, used, path: pathlib.Path) -> None:
    """The filters over the pixels the digits use (``used``); the others, which the
    localization score ignores too, are drawn grey like the gaps between filters."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    figure, axes = plt.subplots(1, len(models), figsize=(3.2 * len(models), 3.9))
    for axis, (label, (model, scores)) in zip(axes, models.items()):
        filters = model.encoder_filters()[:SHOWN_FILTERS, :, :, 0]
        filters = np.where(used.reshape(filters.shape[1:]), filters, np.nan)
        scale = np.nanmax(np.abs(filters), axis=(1, 2), keepdims=True) + 1e-12
        tiles = filters / scale  # each filter in [-1, 1]
        side, size = int(np.sqrt(SHOWN_FILTERS)), filters.shape[1]
        grid = np.full([side * (size + 1) + 1] * 2, np.nan)
        for index, tile in enumerate(tiles):
            row, column = divmod(index, side)
            grid[1 + row * (size + 1):1 + row * (size + 1) + size,
                 1 + column * (size + 1):1 + column * (size + 1) + size] = tile
        colors = matplotlib.colormaps["RdBu_r"].with_extremes(bad="0.75")
        axis.imshow(grid, cmap=colors, vmin=-1, vmax=1, interpolation="nearest")
        axis.set_title(f"{label}\ncopy {scores['copy']:.2f}, localization "
                       f"{scores['localization']:.2f}", fontsize=9)
        axis.set_axis_off()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, help="override the presets' 40 epochs")
    parser.add_argument("--out-dir", type=pathlib.Path, default=pathlib.Path("/tmp/overcomplete"))
    parser.add_argument("--figure", type=pathlib.Path, default=FIGURE)
    args = parser.parse_args(argv)

    from keras_genzoo.data import open_source

    train_images = open_source("digits", image_size=8, channels=1).take_examples(2000)[0]
    test_images = open_source("digits", image_size=8, channels=1,
                              split="test").take_examples(500)[0]
    results = {}
    print("| model (`--preset overcomplete`) | copy error | digit error | localization | "
          "training s |")
    print("|---|---|---|---|---|")
    for name in MODELS:
        model, seconds = train(name, args.out_dir, args.epochs)
        scores = measure(model, train_images, test_images)
        results[name] = (model, scores)
        print(f"| `{name}` | {scores['copy']:.3f} | {scores['digits']:.3f} | "
              f"{scores['localization']:.3f} | {seconds:.0f} |", flush=True)
    from keras_genzoo.metrics.overcomplete import used_pixels

    filter_figure(results, used_pixels(train_images), args.figure)
    print(f"wrote {args.figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
