"""One-dimensional Gaussian mixtures: the GAN of the lecture, drawn on a line.

On the real line every quantity of Goodfellow et al. 2014's analysis can be
computed and drawn: the data density p_data (known here in closed form), the
generator's density p_g (estimated from its samples), the optimal
discriminator D*(x) = p_data(x) / (p_data(x) + p_g(x)) (Proposition 1) and
the Jensen-Shannon divergence that the minimax game minimises (Theorem 1).
See :mod:`keras_genzoo.metrics.optimal_discriminator`.

- ``toy1d:bimodal``: 1/2 N(-2, 0.5^2) + 1/2 N(2, 0.5^2);
- ``toy1d:trimodal``: 1/4 N(-3, 0.4^2) + 1/2 N(0, 0.4^2) + 1/4 N(3, 0.4^2);
- ``toy1d:skewed``: 0.7 N(-1, 0.5^2) + 0.3 N(2.5, 0.5^2), unequal weights.

The points are ``[N, 1]`` and drawn once with the fixed seeds of the 2-D
mixtures (train: 10,000 points with seed 0; test, alias validation: 2,500
with seed 1); a point's label is the index of its component. The sources are
:class:`~keras_genzoo.data.toy2d.PointSource` objects with ``data_dim`` 1, so
every point model (and the mode-coverage metric, with ``modes`` ``[K, 1]``)
takes them as it takes the 2-D mixtures.
"""

import dataclasses

import numpy as np

from keras_genzoo.data import toy2d
from keras_genzoo.errors import DataError


@dataclasses.dataclass(frozen=True, eq=False)
class Mixture1D:
    """A mixture of 1-D Gaussians with a shared standard deviation ``sigma``.

    ``modes`` is float32 ``[K, 1]`` (the means; the shape the mode-coverage
    metric takes), ``weights`` float64 ``[K]`` summing to 1.
    """

    name: str
    modes: np.ndarray
    sigma: float
    weights: np.ndarray
    description: str
    #: the length of one point, and the spec prefix
    data_dim = 1
    family = "toy1d"

    def __post_init__(self):
        modes = np.array(self.modes, dtype=np.float32).reshape(-1, 1)
        weights = np.array(self.weights, dtype=np.float64).reshape(-1)
        if len(modes) < 1 or weights.shape != (len(modes),):
            raise ValueError(f"a 1-D mixture needs one weight per mode, got {len(modes)} "
                             f"modes and weights of shape {weights.shape}")
        if np.any(weights <= 0) or not np.isclose(weights.sum(), 1.0):
            raise ValueError(f"mixture weights must be positive and sum to 1, got {weights}")
        modes.setflags(write=False)
        weights.setflags(write=False)
        object.__setattr__(self, "modes", modes)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "sigma", float(self.sigma))

    @property
    def num_modes(self):
        return int(self.modes.shape[0])

    @property
    def num_classes(self):
        """A point's label is the index of the component it was drawn from."""
        return self.num_modes

    def sample(self, n, seed):
        return sample_mixture(self, n, seed)

    def density(self, x):
        """p_data(x) at the points ``x`` (any shape), float64 of the same shape."""
        from scipy import stats

        x = np.asarray(x, dtype=np.float64)
        components = stats.norm.pdf(x[..., None], loc=self.modes[:, 0], scale=self.sigma)
        return components @ self.weights

    def support(self, margin_sigmas=4.0):
        """``(low, high)``: where the density is not negligible (``margin_sigmas``
        standard deviations beyond the outer modes)."""
        margin = margin_sigmas * self.sigma
        return float(self.modes.min()) - margin, float(self.modes.max()) + margin


MIXTURES = {
    "bimodal": Mixture1D("bimodal", (-2.0, 2.0), 0.5, (0.5, 0.5),
                         "1/2 N(-2, 0.5^2) + 1/2 N(2, 0.5^2)"),
    "trimodal": Mixture1D("trimodal", (-3.0, 0.0, 3.0), 0.4, (0.25, 0.5, 0.25),
                          "1/4 N(-3, 0.4^2) + 1/2 N(0, 0.4^2) + 1/4 N(3, 0.4^2)"),
    "skewed": Mixture1D("skewed", (-1.0, 2.5), 0.5, (0.7, 0.3),
                        "0.7 N(-1, 0.5^2) + 0.3 N(2.5, 0.5^2)"),
}


def sample_mixture(mixture, n, seed):
    """Draw ``n`` points from ``mixture`` with NumPy ``default_rng(seed)``:
    ``(points float32 [n, 1], labels int32 [n])``, labels the component indices."""
    toy2d.check_point_count(n)
    rng = np.random.default_rng(seed)
    labels = rng.choice(mixture.num_modes, size=int(n), p=mixture.weights)
    points = mixture.modes[labels].astype(np.float64) \
        + rng.standard_normal((int(n), 1)) * mixture.sigma
    return points.astype(np.float32), labels.astype(np.int32)


class PointSource1D(toy2d.PointSource):
    """A split of a 1-D mixture: a :class:`~keras_genzoo.data.toy2d.PointSource`
    whose points are ``[N, 1]`` (``data_dim`` 1, ``name`` e.g. ``"toy1d:bimodal"``)."""

    data_dim = 1
    family = "toy1d"


def open_points(mixture_name, *, spec=None, split="train"):
    """The :class:`PointSource1D` of ``MIXTURES[mixture_name]``; an unknown split is
    refused by :func:`keras_genzoo.data.toy2d.split_points`, which both share."""
    mixture = MIXTURES.get(mixture_name)
    if mixture is None:
        raise DataError(f"unknown toy1d mixture {mixture_name!r}: expected one of "
                        f"{', '.join(MIXTURES)}")
    return PointSource1D(mixture, split, spec=spec)
