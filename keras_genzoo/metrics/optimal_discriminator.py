"""The optimal discriminator and the Jensen-Shannon divergence of a 1-D generator.

Goodfellow et al. 2014 (section 4.1): for a fixed generator, the
discriminator that maximises V(D, G) is

    D*(x) = p_data(x) / (p_data(x) + p_g(x))            (Proposition 1)

and at that discriminator the game's value is

    C(G) = max_D V(D, G) = -log 4 + 2 JS(p_data || p_g)   (Theorem 1),

so the discriminator's logistic loss, the negative of V, is at best
``log 4 - 2 JS``. On the line both densities can be put on a grid: p_data is
the mixture's closed form, p_g a Gaussian kernel density estimate of the
generator's samples (``scipy.stats.gaussian_kde``), and JS a trapezoid
integral on the grid. The KDE's bandwidth is scipy's Scott factor
``n^(-1/5)`` times the standard deviation of one component of the data,
``sigma``, not of the samples: the samples' standard deviation takes the
spread of all the modes together for one Gaussian's, and the KDE then smooths
the modes into each other (on toy1d:trimodal, D* of the data against itself
came out 0.41 at the modes instead of 1/2). NumPy and SciPy only, on arrays
from anywhere.
"""

from __future__ import annotations

import dataclasses

import numpy as np

#: fewest points of the evaluation grid
GRID_POINTS = 801
#: grid cells per standard deviation of the mixture's components
CELLS_PER_SIGMA = 10
#: the grid reaches this many of the mixture's standard deviations past its outer modes
GRID_MARGIN_SIGMAS = 6.0
#: and at most this far past them to take in samples off the data
GRID_REACH = 200.0


def evaluation_grid(mixture, samples=None):
    """A regular grid (float64) covering the mixture's support and the finite
    ``samples`` (up to GRID_REACH beyond the support), fine enough to resolve the
    mixture's components (CELLS_PER_SIGMA cells per sigma)."""
    low, high = mixture.support(GRID_MARGIN_SIGMAS)
    if samples is not None:
        finite = np.asarray(samples, np.float64).reshape(-1)
        finite = finite[np.isfinite(finite)]
        if finite.size:
            # the KDE's tails reach a few bandwidths past the samples
            spread = 0.1 * (finite.max() - finite.min()) + 2.0 * mixture.sigma
            low = max(min(low, finite.min() - spread), low - GRID_REACH)
            high = min(max(high, finite.max() + spread), high + GRID_REACH)
    num = max(GRID_POINTS, int(np.ceil((high - low) / mixture.sigma * CELLS_PER_SIGMA)) + 1)
    return np.linspace(low, high, num)


def sample_density(samples, grid, bandwidth=None):
    """The Gaussian KDE of 1-D ``samples`` evaluated on ``grid`` (float64), with the
    kernel's standard deviation ``bandwidth`` (None: Scott's rule on the samples).

    Non-finite samples are dropped; with fewer than two distinct finite values
    (a collapsed or diverged generator) there is no bandwidth, and the density
    is a spike of one grid cell at the samples' median (or zero without any).
    """
    from scipy import stats

    values = np.asarray(samples, np.float64).reshape(-1)
    values = values[np.isfinite(values)]
    grid = np.asarray(grid, np.float64)
    if values.size >= 2 and np.ptp(values) > 0:
        try:
            # gaussian_kde's scalar bw_method is a factor of the samples' std
            factor = None if bandwidth is None else bandwidth / np.std(values, ddof=1)
            return stats.gaussian_kde(values, bw_method=factor)(grid)
        except np.linalg.LinAlgError:  # numerically singular: treat as collapsed
            pass
    density = np.zeros_like(grid)
    if values.size:
        cell = grid[1] - grid[0]
        index = int(np.clip(np.searchsorted(grid, np.median(values)), 0, len(grid) - 1))
        density[index] = 1.0 / cell
    return density


def kde_bandwidth(mixture, num_samples):
    """Scott's factor for one of the mixture's components: ``sigma * n^(-1/5)``."""
    return mixture.sigma * max(int(num_samples), 1) ** -0.2


def optimal_discriminator(p_data, p_g):
    """D*(x) = p_data / (p_data + p_g) (Proposition 1); 1/2 where both are 0."""
    p_data, p_g = np.asarray(p_data, np.float64), np.asarray(p_g, np.float64)
    total = p_data + p_g
    return np.divide(p_data, total, out=np.full_like(total, 0.5), where=total > 0)


def js_divergence(p, q, grid):
    """JS(p || q) in nats by the trapezoid rule on ``grid``: the mean of
    KL(p || m) and KL(q || m), m = (p + q) / 2; between 0 and log 2."""
    from scipy import integrate, special

    p, q = np.asarray(p, np.float64), np.asarray(q, np.float64)
    m = 0.5 * (p + q)
    integrand = 0.5 * (special.rel_entr(p, m) + special.rel_entr(q, m))
    return float(np.clip(integrate.trapezoid(integrand, grid), 0.0, np.log(2.0)))


def expected_discriminator_loss(d, p_data, p_g, grid, eps=1e-7):
    """The logistic discriminator loss -V(D, G) = -E_data[log D] - E_g[log(1 - D)]
    of the discriminator values ``d`` on ``grid``, integrated against the two
    densities; ``log 4 - 2 JS`` at D = D* (Theorem 1)."""
    from scipy import integrate

    d = np.clip(np.asarray(d, np.float64), eps, 1.0 - eps)
    integrand = -(np.asarray(p_data) * np.log(d) + np.asarray(p_g) * np.log1p(-d))
    return float(integrate.trapezoid(integrand, grid))


@dataclasses.dataclass(frozen=True)
class DensityView:
    """A 1-D generator seen on a grid: the densities, D* and JS (and the trained D
    when there is one)."""

    grid: np.ndarray
    p_data: np.ndarray
    p_g: np.ndarray
    d_star: np.ndarray
    js: float
    samples: np.ndarray
    #: the trained discriminator's D(x) on the grid (None: no logistic discriminator)
    d: np.ndarray | None = None


def density_view(mixture, samples, discriminator=None) -> DensityView:
    """The :class:`DensityView` of ``samples`` ``[N, 1]`` against ``mixture`` (a
    :class:`~keras_genzoo.data.toy1d.Mixture1D`); ``discriminator``, when given,
    maps grid points ``[G, 1]`` to probabilities D(x) ``[G]``."""
    samples = np.asarray(samples, np.float64).reshape(-1)
    grid = evaluation_grid(mixture, samples)
    p_data = mixture.density(grid)
    p_g = sample_density(samples, grid, bandwidth=kde_bandwidth(mixture, len(samples)))
    d = None
    if discriminator is not None:
        d = np.asarray(discriminator(grid[:, None].astype(np.float32)), np.float64).reshape(-1)
    return DensityView(grid=grid, p_data=p_data, p_g=p_g,
                       d_star=optimal_discriminator(p_data, p_g),
                       js=js_divergence(p_data, p_g, grid), samples=samples, d=d)
