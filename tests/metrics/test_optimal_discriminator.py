"""D*, JS and the KDE of keras_genzoo.metrics.optimal_discriminator against
closed forms (Goodfellow et al. 2014, Proposition 1 and Theorem 1)."""

import numpy as np
import pytest
from scipy import stats

from keras_genzoo.data.toy1d import MIXTURES, sample_mixture
from keras_genzoo.metrics.optimal_discriminator import (
    density_view,
    evaluation_grid,
    expected_discriminator_loss,
    js_divergence,
    optimal_discriminator,
    sample_density,
)

LOG2 = np.log(2.0)


def test_js_of_uniforms_half_overlapping_is_half_log2():
    # U[0, 1] against U[0.5, 1.5]: m = 1 on the overlap, 1/2 elsewhere, so each KL
    # is 0.5 log 2 and JS = 0.5 log 2
    grid = np.linspace(-1.0, 2.5, 350_001)
    p = ((grid >= 0) & (grid <= 1)).astype(float)
    q = ((grid >= 0.5) & (grid <= 1.5)).astype(float)
    assert js_divergence(p, q, grid) == pytest.approx(0.5 * LOG2, abs=1e-4)
    assert js_divergence(p, p, grid) == pytest.approx(0.0, abs=1e-12)
    far = ((grid >= 1.5) & (grid <= 2.5)).astype(float)
    assert js_divergence(p, far, grid) == pytest.approx(LOG2, abs=1e-4)


def test_optimal_discriminator_and_the_value_at_it():
    assert optimal_discriminator([1.0, 3.0, 0.0, 0.0], [1.0, 1.0, 2.0, 0.0]).tolist() == \
        [0.5, 0.75, 0.0, 0.5]
    grid = np.linspace(-10, 10, 20_001)
    p, q = stats.norm.pdf(grid, 0, 1), stats.norm.pdf(grid, 1.5, 0.7)
    js = js_divergence(p, q, grid)
    d_star = optimal_discriminator(p, q)
    # Theorem 1: -V(D*, G) = log 4 - 2 JS, and any other D does worse
    assert expected_discriminator_loss(d_star, p, q, grid) == \
        pytest.approx(np.log(4) - 2 * js, abs=1e-6)
    for other in (np.full_like(grid, 0.5), np.clip(d_star + 0.1, 0, 1), d_star ** 2):
        assert expected_discriminator_loss(other, p, q, grid) > \
            expected_discriminator_loss(d_star, p, q, grid) + 1e-3
    # D = 1/2 everywhere is worth log 4 whatever the densities
    assert expected_discriminator_loss(np.full_like(grid, 0.5), p, q, grid) == \
        pytest.approx(np.log(4), abs=1e-6)


def test_kde_recovers_a_gaussian_and_survives_a_collapsed_generator():
    grid = np.linspace(-4, 4, 801)
    samples = stats.norm.rvs(size=5000, random_state=0)
    np.testing.assert_allclose(sample_density(samples, grid), stats.norm.pdf(grid), atol=0.02)
    spike = sample_density(np.full(100, 0.25), grid)  # no bandwidth: one grid cell
    assert np.count_nonzero(spike) == 1 and np.trapezoid(spike, grid) == pytest.approx(1, 0.01)
    assert not sample_density(np.array([np.nan, np.inf]), grid).any()


def test_density_view_of_the_data_itself_is_the_equilibrium():
    mixture = MIXTURES["trimodal"]
    samples = sample_mixture(mixture, 20_000, seed=5)[0]
    view = density_view(mixture, samples, discriminator=lambda x: np.full(len(x), 0.5))
    # p_g = p_data up to the KDE's smoothing and noise
    assert view.js < 0.005
    resolved = view.p_data > 0.05
    np.testing.assert_allclose(view.d_star[resolved], 0.5, atol=0.06)
    assert view.d.shape == view.grid.shape
    # samples far off the data widen the grid, and JS goes to log 2
    off = density_view(mixture, samples + 40.0)
    assert off.grid[-1] > 40 and off.d is None
    assert off.js == pytest.approx(LOG2, abs=1e-3)
    # the grid resolves the components wherever it reaches
    grid = evaluation_grid(mixture, samples + 150.0)
    assert (grid[1] - grid[0]) <= mixture.sigma / 10 + 1e-12
