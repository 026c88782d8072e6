"""Image grids and plots written during and after training."""

from __future__ import annotations

import contextlib
import math
import pathlib

import numpy as np

from keras_genzoo import runs
from keras_genzoo.metrics.mode_coverage import DEFAULT_RADIUS_SIGMAS


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
    with runs.atomic_write(path, binary=True) as stream:
        picture.save(stream, format="PNG")
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
        # --eval-every columns are empty on the epochs between evaluations
        points = [(epoch, float(row[metric])) for epoch, row in zip(epochs, rows)
                  if row.get(metric) not in (None, "")]
        axis.plot([e for e, _ in points], [v for _, v in points], marker="o", markersize=2)
        axis.set_title(metric)
        axis.set_xlabel("epoch")
        axis.grid(alpha=0.3)
    return _save_figure(figure, path)


# ---------------------------------------------------------------------------
# scatter plots of 2-D points (toy2d mixtures)

_SCATTER_INCHES = 4.0


def _as_points(points, what):
    array = np.asarray(points, np.float32)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"{what} must have shape [N, 2], got {array.shape}")
    return array


def _scatter_limits(points, modes, sigma):
    """Square ``(low, high)`` shared by both axes.

    With modes the view is fixed by the mixture, not by the samples, so that
    plots of different models and epochs compare at a glance; a margin of
    15% of the modes' span (plus the high-quality radius) leaves room for
    samples between and around the modes. Without modes it covers the
    finite points.
    """
    if modes is not None:
        reference = modes
        extra = DEFAULT_RADIUS_SIGMAS * sigma if sigma is not None else 0.0
    else:
        reference = points[np.all(np.isfinite(points), axis=1)]
        extra = 0.0
    if len(reference) == 0:
        return (-1.0, 1.0), (-1.0, 1.0)
    low, high = reference.min(axis=0), reference.max(axis=0)
    center = (low + high) / 2.0
    span = float(np.max(high - low))
    half = span / 2.0 + max(0.15 * span, 0.5) + extra
    # One half-width for both axes keeps the plot square around the centre.
    return tuple((float(c - half), float(c + half)) for c in center)


def _draw_scatter(axis, points, *, modes, sigma, real, title):
    """Draw one scatter panel on a matplotlib ``axis``."""
    from matplotlib.patches import Circle

    points = _as_points(points, "points")
    modes = None if modes is None else _as_points(modes, "modes")
    (x_low, x_high), (y_low, y_high) = _scatter_limits(points, modes, sigma)
    if real is not None:
        real = _as_points(real, "real points")
        axis.scatter(real[:, 0], real[:, 1], s=2, c="0.82", linewidths=0, zorder=1)
    axis.scatter(points[:, 0], points[:, 1], s=2, c="tab:blue", alpha=0.6, linewidths=0,
                 zorder=2)
    if modes is not None:
        axis.scatter(modes[:, 0], modes[:, 1], marker="x", s=18, c="black", linewidths=0.8,
                     zorder=3)
        if sigma is not None:
            for center in modes:
                axis.add_patch(Circle(center, DEFAULT_RADIUS_SIGMAS * sigma, fill=False,
                                      edgecolor="tab:red", linewidth=0.6, zorder=3))
    # Samples outside the fixed view (a spreading or diverged generator)
    # would otherwise vanish silently.
    finite = np.all(np.isfinite(points), axis=1)
    inside = finite & (points[:, 0] >= x_low) & (points[:, 0] <= x_high) \
        & (points[:, 1] >= y_low) & (points[:, 1] <= y_high)
    outside = int(len(points) - np.sum(inside))
    if outside:
        axis.text(0.02, 0.02, f"{outside} of {len(points)} outside", transform=axis.transAxes,
                  fontsize=7, color="tab:red", va="bottom", ha="left",
                  bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"}, zorder=4)
    axis.set_xlim(x_low, x_high)
    axis.set_ylim(y_low, y_high)
    axis.set_aspect("equal")
    axis.tick_params(labelsize=7)
    if title:
        axis.set_title(title, fontsize=9)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@contextlib.contextmanager
def _axes(size: tuple[float, float], title: str | None):
    """``(figure, axis)`` of a new figure; the block draws, this sets the small tick
    labels and the title, and closes the figure if drawing fails."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=size)
    try:
        yield figure, axis
        axis.tick_params(labelsize=7)
        if title:
            axis.set_title(title, fontsize=9)
    except Exception:
        plt.close(figure)
        raise


def _save_figure(figure, path):
    plt = _pyplot()
    path = pathlib.Path(path)
    figure.tight_layout()
    with runs.atomic_write(path, binary=True) as stream:
        figure.savefig(stream, dpi=100, format=path.suffix.lstrip(".") or "png")
    plt.close(figure)
    return path


def save_scatter(
    points: np.ndarray,
    path,
    *,
    modes: np.ndarray | None = None,
    sigma: float | None = None,
    real: np.ndarray | None = None,
    title: str | None = None,
) -> pathlib.Path:
    """Write a square PNG scatter plot of 2-D ``points`` ``[N, 2]``.

    Generated points are small blue dots; optional ``real`` points are drawn
    underneath in light grey; with ``modes`` ``[K, 2]`` the mode centres are
    black crosses and, when ``sigma`` is given too, red circles of radius
    3 sigma mark the high-quality region of
    :func:`keras_genzoo.metrics.mode_coverage.mode_coverage`. The axis limits
    are fixed by the modes (by the points when there are none); points
    outside the view are counted in a corner note.
    """
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(_SCATTER_INCHES, _SCATTER_INCHES))
    try:
        _draw_scatter(axis, points, modes=modes, sigma=sigma, real=real, title=title)
    except Exception:
        plt.close(figure)
        raise
    return _save_figure(figure, path)


def scatter_panels(
    panels: list[tuple[str, np.ndarray]],
    path,
    *,
    modes: np.ndarray | None = None,
    sigma: float | None = None,
    columns: int | None = None,
) -> pathlib.Path:
    """Write several scatter plots side by side in one PNG.

    ``panels`` is a list of ``(title, points [N, 2])``; every panel is drawn
    like :func:`save_scatter` with the same ``modes`` and ``sigma`` (hence the
    same axis limits when modes are given). ``columns`` defaults to all
    panels in one row.
    """
    panels = list(panels)
    if not panels:
        raise ValueError("scatter_panels needs at least one (title, points) panel")
    columns = len(panels) if columns is None else int(columns)
    if columns < 1:
        raise ValueError(f"columns must be a positive integer, got {columns}")
    rows = math.ceil(len(panels) / columns)
    plt = _pyplot()
    size = _SCATTER_INCHES * 0.8
    figure, axes = plt.subplots(rows, columns, figsize=(size * columns, size * rows),
                                squeeze=False)
    try:
        for index, axis in enumerate(axes.flat):
            if index >= len(panels):
                axis.set_axis_off()
                continue
            title, points = panels[index]
            _draw_scatter(axis, points, modes=modes, sigma=sigma, real=None, title=title)
    except Exception:
        plt.close(figure)
        raise
    return _save_figure(figure, path)


# ---------------------------------------------------------------------------
# the reconstruction field g(f(x)) - x of an autoencoder of points
#: arrows per side of the grid over the plane
FIELD_GRID = 17


def plane_grid(data: np.ndarray, steps: int = FIELD_GRID, margin: float = 0.25) -> np.ndarray:
    """A ``steps x steps`` grid ``[steps**2, 2]`` over the data's bounding box, widened by
    ``margin`` of its extent on every side (``[steps, 1]`` points for 1-D data, where
    a line of ``steps`` points is too coarse for the curve: 8 times as many)."""
    data = np.asarray(data, np.float32)
    if data.shape[1] == 1:
        steps *= 8
    low, high = data.min(axis=0), data.max(axis=0)
    pad = margin * np.maximum(high - low, 1e-3)
    axes = [np.linspace(lo - p, hi + p, steps, dtype=np.float32)
            for lo, hi, p in zip(low, high, pad)]
    return np.stack([a.reshape(-1) for a in np.meshgrid(*axes, indexing="xy")], axis=1)


def save_vector_field(grid: np.ndarray, field: np.ndarray, path, *, data: np.ndarray,
                      title: str | None = None) -> pathlib.Path:
    """Arrows ``field`` at ``grid`` points (``[N, 2]``, or ``[N, 1]`` on a line) over the
    ``data`` points (grey), coloured by the field's length. Arrows are drawn to scale
    (in data units) up to the grid's spacing, longer ones shortened to it, so that they
    do not run over each other and the data."""
    grid, field, data = (np.asarray(a, np.float32) for a in (grid, field, data))
    if grid.shape[1] == 1:
        return _save_line_field(grid[:, 0], field[:, 0], data[:, 0], path, title=title)
    length = np.linalg.norm(field, axis=1)
    spacing = min(np.ptp(grid[:, 0]), np.ptp(grid[:, 1]) or np.inf) / max(
        1.0, np.sqrt(len(grid)) - 1)
    drawn = field * np.minimum(1.0, spacing / np.maximum(length, 1e-12))[:, None]
    with _axes((_SCATTER_INCHES * 1.25, _SCATTER_INCHES), title) as (figure, axis):
        axis.scatter(data[:, 0], data[:, 1], s=3, c="darkgrey", linewidths=0, zorder=1,
                     label="data")
        arrows = axis.quiver(grid[:, 0], grid[:, 1], drawn[:, 0], drawn[:, 1], length,
                             angles="xy", scale_units="xy", scale=1.0, cmap="viridis",
                             width=0.004, zorder=2)
        figure.colorbar(arrows, ax=axis, shrink=0.7, label="|g(f(x)) - x|")
        axis.set_aspect("equal")
    return _save_figure(figure, path)


def save_line_histograms(draws: np.ndarray, real: np.ndarray, path, *,
                         title: str | None = None) -> pathlib.Path:
    """Histograms of 1-D ``draws`` ``[N, 1]`` (blue) over those of the ``real`` points
    (grey), on shared bins: the line's counterpart of :func:`save_scatter`."""
    draws, real = (np.asarray(a, np.float64).reshape(-1) for a in (draws, real))
    bins = np.histogram_bin_edges(np.concatenate([draws, real]), bins=60)
    with _axes((_SCATTER_INCHES * 1.5, _SCATTER_INCHES * 0.75), title) as (figure, axis):
        axis.hist(real, bins=bins, density=True, color="darkgrey", label="data")
        axis.hist(draws, bins=bins, density=True, histtype="step", color="tab:blue",
                  linewidth=1.5, label="draws")
        axis.set_xlabel("x", fontsize=8)
        axis.set_ylabel("density", fontsize=8)
        axis.legend(fontsize=7)
    return _save_figure(figure, path)


def _save_line_field(x: np.ndarray, field: np.ndarray, data: np.ndarray, path, *,
                     title: str | None) -> pathlib.Path:
    """The field of an autoencoder of 1-D points: ``g(f(x)) - x`` against ``x`` (it
    crosses zero downwards where the data concentrate), over the data's histogram."""
    order = np.argsort(x)
    with _axes((_SCATTER_INCHES * 1.5, _SCATTER_INCHES * 0.75), title) as (figure, axis):
        density = axis.twinx()
        density.hist(data, bins=60, density=True, color="lightgrey", label="data")
        density.set_ylabel("data density", fontsize=8)
        density.tick_params(labelsize=7)
        axis.set_zorder(density.get_zorder() + 1)
        axis.patch.set_visible(False)
        axis.axhline(0.0, color="black", linewidth=0.6)
        axis.plot(x[order], field[order], color="tab:blue", linewidth=1.5)
        axis.set_xlabel("x", fontsize=8)
        axis.set_ylabel("g(f(x)) - x", fontsize=8)
    return _save_figure(figure, path)


def save_reconstruction_field(model, data: np.ndarray, path, *,
                              title: str | None = None) -> pathlib.Path:
    """The reconstruction field ``g(f(x)) - x`` of an autoencoder of points
    (``model.reconstruction_field``) on a grid over ``data``, drawn with the data."""
    grid = plane_grid(data)
    return save_vector_field(grid, model.reconstruction_field(grid), path, data=data,
                             title=title)
