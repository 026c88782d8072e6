"""Figures of a GAN's game: the 1-D densities with D and D*, and the dominance
diagnostics of a run's history.

:func:`save_density_figure` draws a :class:`~keras_genzoo.metrics.
optimal_discriminator.DensityView` as Goodfellow et al. 2014's Figure 1 does:
p_data, p_g, the trained D(x) and the optimal D*(x) of Proposition 1 on one
axis. :func:`plot_diagnostics` draws the columns the GAN engine logs at every
step (``d_real``, ``d_fake``, ``d_accuracy``, ``g_grad_norm``, and
``js_divergence`` on 1-D data), the signs that one network dominates the
other.
"""

from __future__ import annotations

import csv
import pathlib

import numpy as np

from keras_genzoo.training.images import _pyplot, _save_figure

#: the history columns :func:`plot_diagnostics` needs
DIAGNOSTIC_COLUMNS = ("d_real", "d_fake", "d_accuracy", "g_grad_norm")
#: a probability of exactly 0 or 1 (a saturated float32 sigmoid) is drawn this far
#: from the edge of a logit axis
_LOGIT_EDGE = 1e-6
#: D* is drawn where p_data + p_g exceeds this fraction of its peak
_VISIBLE_DENSITY = 1e-3


def save_density_figure(view, path, *, title: str | None = None) -> pathlib.Path:
    """Write the PNG of a 1-D ``view``: p_data (black), a histogram and the KDE of
    the generator's samples (blue), and on the right axis D(x) (red, when the view
    has one) and D*(x) (red, dashed); the JS estimate in the title."""
    plt = _pyplot()
    figure, density_axis = plt.subplots(figsize=(7.5, 4.0))
    probability_axis = density_axis.twinx()
    grid = view.grid
    finite = view.samples[np.isfinite(view.samples)]
    if finite.size:
        density_axis.hist(finite, bins=60, range=(grid[0], grid[-1]), density=True,
                          color="tab:blue", alpha=0.25, label="G(z) histogram")
    density_axis.plot(grid, view.p_data, color="black", lw=1.6, label="p_data")
    density_axis.plot(grid, view.p_g, color="tab:blue", lw=1.4, label="p_g (KDE)")
    density_axis.set_ylim(0, 1.15 * max(float(view.p_data.max()), 1e-9))
    density_axis.set_ylabel("density")
    density_axis.set_xlabel("x")
    # D* is a ratio of two densities: where both are negligible it reflects only the
    # tails of the KDE and of the mixture, so it is drawn where their sum is visible
    total = view.p_data + view.p_g
    d_star = np.where(total > _VISIBLE_DENSITY * total.max(), view.d_star, np.nan)
    probability_axis.plot(grid, d_star, color="tab:red", lw=1.4, ls="--",
                          label="D*(x) = p_data / (p_data + p_g)")
    if view.d is not None:
        probability_axis.plot(grid, view.d, color="tab:red", lw=1.4, label="D(x)")
    probability_axis.axhline(0.5, color="0.6", lw=0.8, ls=":")
    probability_axis.set_ylim(-0.02, 1.02)
    probability_axis.set_ylabel("D(x)")
    density_axis.set_xlim(grid[0], grid[-1])
    lines = density_axis.get_legend_handles_labels()
    more = probability_axis.get_legend_handles_labels()
    density_axis.legend(lines[0] + more[0], lines[1] + more[1], fontsize=7, ncol=5,
                        loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False)
    heading = f"JS(p_data || p_g) = {view.js:.3f} nats (log 2 = {np.log(2):.3f})"
    density_axis.set_title(f"{title}: {heading}" if title else heading, fontsize=9)
    return _save_figure(figure, path)


def read_columns(history_csv) -> dict[str, np.ndarray]:
    """The numeric columns of ``history.csv`` (empty cells as NaN)."""
    with open(history_csv, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return {}
    return {key: np.array([float(row[key]) if row.get(key) not in (None, "") else np.nan
                           for row in rows]) for key in rows[0]}


def plot_diagnostics(history_csv, path, *, title: str | None = None) -> pathlib.Path | None:
    """``diagnostics.png`` from a GAN run's ``history.csv``: mean D(x) and D(G(z)) (a
    logit axis when they are probabilities, where the sigmoid's flat ends spread
    out), D's accuracy, the generator's gradient norm (log axis) and, on 1-D data,
    the JS estimate, against the generator step. None when the history lacks the
    diagnostic columns (not a GAN) or holds no row."""
    columns = read_columns(history_csv)
    if not columns or any(name not in columns for name in DIAGNOSTIC_COLUMNS):
        return None
    steps = columns["step"]
    panels = ["d", "d_accuracy", "g_grad_norm"] + (
        ["js_divergence"] if "js_divergence" in columns else [])
    plt = _pyplot()
    figure, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 3.2),
                                squeeze=False)
    for axis, panel in zip(axes[0], panels):
        if panel == "d":
            real, fake = columns["d_real"], columns["d_fake"]
            probabilities = np.nanmin([real.min(), fake.min()]) >= 0 \
                and np.nanmax([real.max(), fake.max()]) <= 1
            if probabilities:
                real = np.clip(real, _LOGIT_EDGE, 1 - _LOGIT_EDGE)
                fake = np.clip(fake, _LOGIT_EDGE, 1 - _LOGIT_EDGE)
                axis.set_yscale("logit")
            axis.plot(steps, real, color="black", label="D(x)")
            axis.plot(steps, fake, color="tab:red", label="D(G(z))")
            axis.set_title("mean D(x), D(G(z))" if probabilities else "mean critic scores",
                           fontsize=9)
            axis.legend(fontsize=7)
        else:
            axis.plot(steps, columns[panel], color="tab:blue", marker="o", markersize=2)
            axis.set_title({"d_accuracy": "D accuracy (0.5: chance)",
                            "g_grad_norm": "generator gradient norm",
                            "js_divergence": "JS(p_data || p_g), nats"}[panel], fontsize=9)
            if panel == "g_grad_norm" and np.nanmin(columns[panel]) > 0:
                axis.set_yscale("log")
            if panel == "d_accuracy":
                axis.axhline(0.5, color="0.6", lw=0.8, ls=":")
                axis.set_ylim(0.0, 1.02)
            if panel == "js_divergence":
                axis.axhline(np.log(2), color="0.6", lw=0.8, ls=":")
                axis.set_ylim(0.0, 0.75)
        axis.set_xlabel("generator step")
        axis.grid(alpha=0.3, which="both")
    if title:
        figure.suptitle(title, fontsize=10)
    return _save_figure(figure, path)
