"""Two-dimensional Gaussian mixtures for mode-coverage studies (DESIGN.md 6), and
noisy 2-D curves for autoencoders' manifolds.

A GAN that collapses onto a few modes is hard to see on images and obvious on
a plane: these sources give a known set of modes, so the metric in
:mod:`keras_genzoo.metrics.mode_coverage` can count exactly which ones a
generator reaches.

- ``toy2d:grid25``: 25 equal-weight isotropic Gaussians centred on the grid
  {-4, -2, 0, 2, 4}^2 with sigma 0.05, the set-up of VEEGAN (Srivastava et
  al. 2017, section 5.1) and of PacGAN's synthetic-data experiments (Lin et
  al. 2018);
- ``toy2d:ring8``: 8 equal-weight Gaussians evenly spaced on a circle of
  radius 2 with sigma 0.05, the mixture-of-Gaussians experiment of Unrolled
  GAN (Metz et al. 2017).

Curves (a one-dimensional manifold in the plane, the set-up of Alain & Bengio 2014,
section 4, and Deep Learning figure 14.4): a point is ``c(t) + sigma * N(0, I)`` with
``t ~ U[0, 1)``, and its label is the eighth of the curve it lies on:

- ``toy2d:circle``: the circle of radius 2 about the origin, sigma 0.05;
- ``toy2d:spiral``: the Archimedean spiral ``r = 0.5 + 2.5 t`` over 1.5 turns,
  sigma 0.05.

A curve has no modes (``modes`` is None), so mode coverage does not apply to it.

The points are drawn once with fixed seeds (train: 10,000 points with seed 0;
test, alias validation: 2,500 points with seed 1), so every run trains and
is evaluated on the same data. A point's label is the index of the component
it was drawn from.

The mixture table and :func:`sample_mixture` need only NumPy: the dataset
catalog imports :data:`MIXTURES` and must load without TensorFlow, so
:class:`PointSource` imports TensorFlow (and the shared batching helpers of
:mod:`keras_genzoo.data.sources`) only inside the methods that build
``tf.data`` pipelines.
"""

import dataclasses

import numpy as np

from keras_genzoo.data import pipeline
from keras_genzoo.errors import DataError

TRAIN_POINTS = 10_000
TEST_POINTS = 2_500
TRAIN_SEED = 0
TEST_SEED = 1


# eq=False: a generated __eq__ would compare the ``modes`` arrays elementwise
# and fail with "truth value of an array is ambiguous".
@dataclasses.dataclass(frozen=True, eq=False)
class Mixture:
    """An equal-weight mixture of isotropic 2-D Gaussians.

    ``modes`` is float32 ``[K, 2]`` (read-only), ``sigma`` the standard
    deviation of every component along each axis.
    """

    name: str
    modes: np.ndarray
    sigma: float
    description: str

    def __post_init__(self):
        modes = np.array(self.modes, dtype=np.float32)
        if modes.ndim != 2 or modes.shape[1] != 2 or modes.shape[0] < 1:
            raise ValueError(f"mixture modes must have shape [K, 2], got {modes.shape}")
        modes.setflags(write=False)  # the mixture is a constant of the benchmark
        object.__setattr__(self, "modes", modes)
        object.__setattr__(self, "sigma", float(self.sigma))

    @property
    def num_modes(self):
        return int(self.modes.shape[0])

    @property
    def num_classes(self):
        return self.num_modes

    def sample(self, n, seed):
        return sample_mixture(self, n, seed)


def _grid_modes(values):
    return [(x, y) for x in values for y in values]


def _ring_modes(count, radius):
    angles = 2.0 * np.pi * np.arange(count) / count
    return np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1)


MIXTURES = {
    "grid25": Mixture(
        name="grid25",
        modes=_grid_modes((-4.0, -2.0, 0.0, 2.0, 4.0)),
        sigma=0.05,
        description="25 Gaussians on the grid {-4,-2,0,2,4}^2, sigma 0.05",
    ),
    "ring8": Mixture(
        name="ring8",
        modes=_ring_modes(8, 2.0),
        sigma=0.05,
        description="8 Gaussians on a circle of radius 2, sigma 0.05",
    ),
}


#: labels of a curve's points: which of this many equal stretches of t they lie on
CURVE_SEGMENTS = 8


@dataclasses.dataclass(frozen=True, eq=False)
class Curve:
    """A closed-form curve ``c(t)``, ``t in [0, 1)``, with isotropic Gaussian noise of
    standard deviation ``sigma`` around it."""

    name: str
    curve: object  # t float64 [n] -> points float64 [n, 2]
    sigma: float
    description: str
    #: a curve has no modes: mode coverage does not apply
    modes = None

    @property
    def num_classes(self):
        return CURVE_SEGMENTS

    def clean(self, n):
        """``n`` noise-free points at evenly spaced ``t`` (float32 ``[n, 2]``)."""
        return self.curve(np.arange(int(n)) / int(n)).astype(np.float32)

    def sample(self, n, seed):
        """``(points float32 [n, 2], labels int32 [n])`` from NumPy ``default_rng(seed)``."""
        check_point_count(n)
        rng = np.random.default_rng(seed)
        t = rng.random(int(n))
        points = self.curve(t) + rng.standard_normal((int(n), 2)) * self.sigma
        labels = np.minimum((t * CURVE_SEGMENTS).astype(np.int32), CURVE_SEGMENTS - 1)
        return points.astype(np.float32), labels


def _circle(t, radius=2.0):
    angle = 2.0 * np.pi * t
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)


def _spiral(t, turns=1.5):
    angle = 2.0 * np.pi * turns * t
    radius = 0.5 + 2.5 * t
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)


CURVES = {
    "circle": Curve("circle", _circle, 0.05, "a circle of radius 2, sigma 0.05"),
    "spiral": Curve("spiral", _spiral, 0.05,
                    "a spiral r = 0.5 + 2.5 t over 1.5 turns, sigma 0.05"),
}

#: every toy2d:NAME: the mixtures, then the curves
POINT_SETS = {**MIXTURES, **CURVES}


def check_point_count(n):
    """A number of points to draw: a non-negative integer."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"number of points must be a non-negative integer, got {n!r}")


def sample_mixture(mixture, n, seed):
    """Draw ``n`` points from ``mixture`` with NumPy ``default_rng(seed)``.

    Each point picks a component uniformly at random (equal weights), then
    adds isotropic Gaussian noise of standard deviation ``mixture.sigma``.
    Returns ``(points float32 [n, 2], labels int32 [n])``, the labels being
    the component indices.
    """
    check_point_count(n)
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, mixture.num_modes, size=int(n))
    noise = rng.standard_normal((int(n), 2)) * mixture.sigma
    points = mixture.modes[labels].astype(np.float64) + noise
    return points.astype(np.float32), labels.astype(np.int32)


def split_points(mixture, split):
    """The fixed points of one split: ``train``, ``test`` (alias
    ``validation``) or ``all`` (train then test)."""
    if split == "train":
        return mixture.sample(TRAIN_POINTS, TRAIN_SEED)
    if split in ("test", "validation"):
        return mixture.sample(TEST_POINTS, TEST_SEED)
    if split == "all":
        train, test = split_points(mixture, "train"), split_points(mixture, "test")
        return np.concatenate([train[0], test[0]]), np.concatenate([train[1], test[1]])
    family = getattr(mixture, "family", "toy2d")
    raise DataError(
        f"{family}:{mixture.name} has splits train, test (alias validation) and all; got {split!r}"
    )


class PointSource:
    """A split of a 2-D mixture with the interface the trainer uses on
    :class:`~keras_genzoo.data.sources.ImageSource`.

    Attributes: ``kind`` (``"points"``), ``spec``, ``name`` (e.g.
    ``"toy2d:grid25"``), ``split``, ``num_examples``, ``num_classes`` (the
    number of modes, labels being component indices; a curve's 8 segments),
    ``data_dim`` (2), ``mixture`` (a :class:`Mixture` or a :class:`Curve`).
    """

    kind = "points"
    #: what one example is called in progress lines and throughput
    unit = "points"
    data_dim = 2
    #: the spec prefix (a subclass for other point sets changes it)
    family = "toy2d"

    def __init__(self, mixture, split="train", *, spec=None):
        self.mixture = mixture
        self.name = f"{self.family}:{mixture.name}"
        self.spec = self.name if spec is None else spec
        self.split = split
        self._points, self._labels = split_points(mixture, split)
        self.num_examples = len(self._points)
        self.num_classes = mixture.num_classes
        self._elements = None

    def __repr__(self):
        return (
            f"PointSource({self.name!r}, split={self.split!r}, "
            f"num_examples={self.num_examples}, sigma={self.mixture.sigma})"
        )

    def elements(self):
        """Unbatched ``(point float32 [2], label int32)`` in a fixed order,
        cached; every call returns the same dataset object."""
        if self._elements is None:
            import tensorflow as tf

            self._elements = tf.data.Dataset.from_tensor_slices(
                (self._points, self._labels)
            ).cache()
        return self._elements

    def batches(self, batch_size, *, epoch=0, seed=0, shuffle=True, drop_remainder=True):
        """Batched ``(points (B, 2) float32, labels (B,) int32)``; the order
        depends only on ``(seed, epoch)``, as for ImageSource."""
        return pipeline.batch_pipeline(
            self.elements(), self._check_batch_size(batch_size),
            num_examples=self.num_examples, epoch=epoch, seed=seed,
            shuffle=shuffle, drop_remainder=drop_remainder,
        )

    def steps_per_epoch(self, batch_size):
        """Number of full batches in one epoch (the remainder is dropped)."""
        return self.num_examples // self._check_batch_size(batch_size)

    def take_examples(self, n):
        """``(points, labels)`` of the first ``n`` examples in ``elements()``
        order, as numpy float32 ``(n, 2)`` and int32 ``(n,)`` copies; fewer
        when the split is smaller."""
        n = max(0, int(n))
        return self._points[:n].copy(), self._labels[:n].copy()

    def take_points(self, n):
        """The first ``n`` points, as ``take_examples(n)[0]``."""
        return self.take_examples(n)[0]

    def _check_batch_size(self, batch_size):
        return pipeline.check_batch_size(
            batch_size, self.num_examples, name=self.name, split=self.split, unit="points"
        )


def open_points(mixture_name, *, spec=None, split="train"):
    """The :class:`PointSource` of ``MIXTURES[mixture_name]`` (a name as
    returned by :func:`keras_genzoo.data.catalog.parse_spec`)."""
    if mixture_name not in POINT_SETS:
        raise DataError(
            f"unknown toy2d set {mixture_name!r}: expected one of {', '.join(POINT_SETS)}"
        )
    if not isinstance(split, str) or not split:
        raise DataError(f"split must be a non-empty string, got {split!r}")
    return PointSource(POINT_SETS[mixture_name], split, spec=spec)
