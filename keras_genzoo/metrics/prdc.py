"""Precision, recall, density and coverage of generated samples (k-NN manifolds).

Each set of features defines a manifold estimate: the union of balls around
its points whose radius is the distance to the point's k-th nearest neighbour
within the set.

- **precision / recall** (Kynkaanniemi et al. 2019, "Improved Precision and
  Recall Metric for Assessing Generative Models", arXiv:1904.06991, section 2,
  k = 3): precision is the fraction of generated samples inside the
  real manifold (fidelity); recall the fraction of real samples inside the
  generated manifold (diversity). The paper's membership test (eq. 1) uses
  closed balls (distance <= radius).
- **density / coverage** (Naeem et al. 2020, "Reliable Fidelity and Diversity
  Metrics for Generative Models", arXiv:2002.09797, section 3, k = 5):
  density counts, per generated sample, how many real balls contain it,
  divided by k (it is about 1 when the two distributions match and is not
  capped at 1); coverage is the fraction of real samples whose own ball
  contains at least one generated sample. Both use only the real set's balls,
  which makes them robust to generated outliers. Following the authors'
  released code the balls are open (distance < radius); this differs from
  the closed balls above only on exact ties, and it makes density exactly 1
  when the generated set is the real set (see the tests). A tie that does
  matter: with k or more exact duplicates of a real point its radius is 0 and
  its open ball is empty, so heavily duplicated (discrete) features understate
  density and coverage.

Pairwise Euclidean distances are computed as ||a||^2 + ||b||^2 - 2 a.b in
row blocks of at most ``_BLOCK_BYTES`` (64 MiB), so 10,000 x 10,000 feature sets
never hold the full 800 MB matrix; the k-th neighbour comes from an in-place
``numpy`` partition. NumPy only; float64 arithmetic; Python floats out.
"""

import numpy as np

from keras_genzoo.errors import ConfigError
from keras_genzoo.metrics.frechet import feature_matrix

# Upper bound of one block of the distance matrix (float64). Module-level so that
# a test can shrink it and check that the results do not depend on the blocking.
_BLOCK_BYTES = 64 * 2**20



def _check_k(k, what):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ConfigError(f"{what} need a positive integer k, got {k!r}")


def _check_enough_samples(array, k, what):
    if array.shape[0] <= k:
        raise ConfigError(
            f"{what} need more than k = {k} samples per set, got {array.shape[0]}")


def _matching_feature_sets(real, fake):
    real = feature_matrix(real, "real")
    fake = feature_matrix(fake, "fake")
    if real.shape[1] != fake.shape[1]:
        raise ConfigError(
            f"feature dimensions differ: {real.shape[1]} and {fake.shape[1]} "
            "(were both sets computed with the same feature extractor?)")
    return real, fake


def _distance_blocks(rows, columns):
    """Yield ``(start, stop, distances)``: Euclidean distances of rows[start:stop] to every column.

    Each block is a fresh ``[stop - start, len(columns)]`` float64 array of at
    most ``_BLOCK_BYTES``, which the caller may modify in place.
    """
    squared_norms_of_rows = np.einsum("ij,ij->i", rows, rows)
    squared_norms_of_columns = np.einsum("ij,ij->i", columns, columns)
    rows_per_block = max(1, _BLOCK_BYTES // (8 * max(1, columns.shape[0])))
    for start in range(0, rows.shape[0], rows_per_block):
        stop = min(start + rows_per_block, rows.shape[0])
        # in place from the product on: one block-sized array, no temporaries
        block = rows[start:stop] @ columns.T
        block *= -2.0
        block += squared_norms_of_rows[start:stop, None]
        block += squared_norms_of_columns[None, :]
        # cancellation can leave tiny negatives where the true distance is ~0
        np.maximum(block, 0.0, out=block)
        np.sqrt(block, out=block)
        yield start, stop, block


def _radii_for(features, ks):
    """{k: distance of each point to its k-th nearest other point} for every k in ``ks``."""
    count = features.shape[0]
    radii = {k: np.empty(count) for k in ks}
    # after excluding the point itself, the k-th nearest other point is at sorted index k - 1
    sorted_positions = sorted({k - 1 for k in ks})
    for start, stop, block in _distance_blocks(features, features):
        local = np.arange(stop - start)
        # exclude the point itself by index, not by value: a duplicate of it is
        # another point at distance 0 and does count as a neighbour
        block[local, start + local] = np.inf
        block.partition(sorted_positions, axis=1)
        for k in ks:
            radii[k][start:stop] = block[:, k - 1]
    return radii


def kth_neighbour_radii(features, k):
    """Distance from each of the ``[N, D]`` features to its k-th nearest other point, ``[N]``.

    The radius of the point's ball in the k-NN manifold estimate (Kynkaanniemi
    et al. 2019, section 2). Needs N > k.
    """
    _check_k(k, "k-th neighbour radii")
    features = feature_matrix(features, "features")
    _check_enough_samples(features, k, "k-th neighbour radii")
    return _radii_for(features, [k])[k]


def _manifold_metrics(real, fake, k_precision_recall, k_density_coverage):
    """The four metrics in one pass over the fake x real distances (a k of None skips a pair)."""
    real_ks = [k for k in (k_precision_recall, k_density_coverage) if k is not None]
    real_radii = _radii_for(real, real_ks)
    if k_precision_recall is not None:
        fake_radii = _radii_for(fake, [k_precision_recall])[k_precision_recall]
        fake_in_real_manifold = np.zeros(fake.shape[0], dtype=bool)
        real_in_fake_manifold = np.zeros(real.shape[0], dtype=bool)
    if k_density_coverage is not None:
        balls_containing_fakes = 0
        nearest_fake_distance = np.full(real.shape[0], np.inf)

    # block[j, i] = distance between fake sample start + j and real sample i
    for start, stop, block in _distance_blocks(fake, real):
        if k_precision_recall is not None:
            fake_in_real_manifold[start:stop] = (
                block <= real_radii[k_precision_recall][None, :]).any(axis=1)
            real_in_fake_manifold |= (block <= fake_radii[start:stop, None]).any(axis=0)
        if k_density_coverage is not None:
            balls_containing_fakes += int(np.count_nonzero(
                block < real_radii[k_density_coverage][None, :]))
            np.minimum(nearest_fake_distance, block.min(axis=0), out=nearest_fake_distance)

    results = {}
    if k_precision_recall is not None:
        results["precision"] = float(fake_in_real_manifold.mean())
        results["recall"] = float(real_in_fake_manifold.mean())
    if k_density_coverage is not None:
        results["density"] = balls_containing_fakes / (k_density_coverage * fake.shape[0])
        results["coverage"] = float(
            (nearest_fake_distance < real_radii[k_density_coverage]).mean())
    return results


def precision_recall(real, fake, k=3):
    """Improved precision and recall (Kynkaanniemi et al. 2019, section 2), ``(precision, recall)``.

    precision = fraction of ``fake`` inside the k-NN manifold of ``real``;
    recall = fraction of ``real`` inside the k-NN manifold of ``fake``.
    Both sets need more than k samples.
    """
    _check_k(k, "precision/recall")
    real, fake = _matching_feature_sets(real, fake)
    for features in (real, fake):
        _check_enough_samples(features, k, "precision/recall")
    results = _manifold_metrics(real, fake, k, None)
    return results["precision"], results["recall"]


def density_coverage(real, fake, k=5):
    """Density and coverage (Naeem et al. 2020, section 3), ``(density, coverage)``.

    density = (1 / (k M)) sum_j #{i : fake_j in B(real_i, r_k(real_i))} over the
    M fake samples; coverage = fraction of real samples whose ball
    B(real_i, r_k(real_i)) contains a fake sample. Both sets need more than k
    samples.
    """
    _check_k(k, "density/coverage")
    real, fake = _matching_feature_sets(real, fake)
    for features in (real, fake):
        _check_enough_samples(features, k, "density/coverage")
    results = _manifold_metrics(real, fake, None, k)
    return results["density"], results["coverage"]


def prdc(real, fake, *, k_precision_recall=3, k_density_coverage=5):
    """Precision, recall (k = 3), density and coverage (k = 5) from one pass over the distances.

    Returns:
        ``{"precision": ..., "recall": ..., "density": ..., "coverage": ...}``
        (Python floats), equal to :func:`precision_recall` and
        :func:`density_coverage` called separately.
    """
    _check_k(k_precision_recall, "precision/recall")
    _check_k(k_density_coverage, "density/coverage")
    real, fake = _matching_feature_sets(real, fake)
    for features in (real, fake):
        _check_enough_samples(features, k_precision_recall, "precision/recall")
        _check_enough_samples(features, k_density_coverage, "density/coverage")
    return _manifold_metrics(real, fake, k_precision_recall, k_density_coverage)
