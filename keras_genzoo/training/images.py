"""Image grids and plots written during and after training."""

from __future__ import annotations

import math
import pathlib

import numpy as np


def image_grid(images: np.ndarray, columns: int | None = None, padding: int = 1) -> np.ndarray:
    """Tile ``[N, H, W, C]`` images in [0, 1] into one uint8 ``[rows*H, cols*W, C]`` array."""
    images = np.clip(np.asarray(images, np.float32), 0.0, 1.0)
    if images.ndim == 3:
        images = images[..., None]
    count, height, width, channels = images.shape
    columns = columns or max(1, math.ceil(math.sqrt(count)))
    rows = math.ceil(count / columns)
    grid = np.ones(
        [rows * (height + padding) + padding, columns * (width + padding) + padding, channels],
        np.float32,
    )
    for index in range(count):
        row, col = divmod(index, columns)
        top, left = padding + row * (height + padding), padding + col * (width + padding)
        grid[top : top + height, left : left + width] = images[index]
    return (grid * 255.0 + 0.5).astype(np.uint8)


def save_grid(images: np.ndarray, path, columns: int | None = None, scale: int = 2) -> pathlib.Path:
    """Write a PNG grid, upscaled ``scale`` times with nearest neighbour so small images stay sharp."""
    from PIL import Image

    grid = image_grid(images, columns)
    if grid.shape[-1] == 1:
        picture = Image.fromarray(grid[..., 0], mode="L")
    else:
        picture = Image.fromarray(grid, mode="RGB")
    if scale > 1:
        picture = picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    picture.save(path)
    return path


def plot_history(history_csv, path) -> pathlib.Path | None:
    """Loss curves (one panel per metric) from ``history.csv``."""
    import csv

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with open(history_csv, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return None
    metrics = [key for key in rows[0] if key not in ("epoch", "step", "seconds")]
    epochs = [int(row["epoch"]) for row in rows]
    figure, axes = plt.subplots(1, len(metrics), figsize=(3.2 * len(metrics), 2.8), squeeze=False)
    for axis, metric in zip(axes[0], metrics):
        axis.plot(epochs, [float(row[metric]) for row in rows], marker="o", markersize=2)
        axis.set_title(metric)
        axis.set_xlabel("epoch")
        axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return pathlib.Path(path)
