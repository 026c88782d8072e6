"""Translation quality of a RadialGAN (Yoon, Jordon & van der Schaar 2018, ICML,
arXiv:1802.06403): how well rows of domain i, translated into domain j as
``G_j(F_i(x_i, y))`` (section 4), pass for rows of domain j.

Per ordered pair (i -> j), on one split of every domain:

- **shared-feature RMSE** (:func:`shared_feature_rmse`): for every feature that
  both domains record (matched by name), the translated value of f, in domain
  j's standardized units, against the SAME row's own value of f (recorded in
  domain i) standardized with domain j's training mean and std. The row's value
  is what domain i measured; if domain j records f on another scale or with a
  shift (a different instrument, a different population: ``domains:breast_cancer``
  rescales and shifts every domain), a perfect translation into j differs from
  it by that shift, so the number is an upper bound on the translation error,
  not the error itself. Domains that record f identically make it exact.
- **label agreement** (:func:`label_agreement`): the fraction of translated rows
  whose label head (argmax of the decoded label probabilities) is the row's own
  label: the label the translation was asked to keep.
- **two-sample Kolmogorov-Smirnov test** per feature of j
  (:func:`kolmogorov_smirnov_per_feature`, ``scipy.stats.ks_2samp``, two-sided):
  the translated rows' values of the feature against domain j's real rows of the
  same split. A small p-value says the translated values do not follow domain j's
  distribution of that feature; :func:`translation_quality` counts the features
  with p < ``alpha`` (0.05). The test assumes continuous values: on one-hot
  columns (0/1 in the data, reals in a translation) it rejects whenever the
  translation is not exactly 0/1, which is expected.

Everything works on arrays; the caller supplies the translation
(``translate(x, y, source, target) -> (features, label probabilities)``), so
this module needs no model and no TensorFlow.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Callable, Sequence

import numpy as np

#: the significance level of the per-feature KS tests' summary count
KS_ALPHA = 0.05


def shared_features(source_names: Sequence[str], target_names: Sequence[str]) -> list[str]:
    """The feature names both domains record, in the target domain's order."""
    source = set(source_names)
    return [name for name in target_names if name in source]


def shared_feature_rmse(translated: np.ndarray, source_original: np.ndarray,
                        source_names: Sequence[str], target_names: Sequence[str],
                        target_mean: np.ndarray, target_std: np.ndarray) -> float | None:
    """Root mean squared error over rows x shared features, in domain j's standardized
    units: ``translated[:, f_j]`` against ``(source_original[:, f_i] - mean_j[f_j]) /
    std_j[f_j]`` (the row's own value of f, standardized with j's statistics; see the
    module docstring for why this is an upper bound). None when no feature is shared.

    ``translated``: ``[n, d_j]`` standardized in domain j; ``source_original``:
    ``[n, d_i]`` in domain i's original units.
    """
    names = shared_features(source_names, target_names)
    if not names:
        return None
    source_at = [list(source_names).index(name) for name in names]
    target_at = [list(target_names).index(name) for name in names]
    mean = np.asarray(target_mean, np.float64)[target_at]
    std = np.asarray(target_std, np.float64)[target_at]
    expected = (np.asarray(source_original, np.float64)[:, source_at] - mean) / std
    error = np.asarray(translated, np.float64)[:, target_at] - expected
    return float(np.sqrt(np.mean(np.square(error))))


def label_agreement(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The fraction of rows whose most probable class is their label."""
    probabilities = np.asarray(probabilities)
    labels = np.asarray(labels).reshape(-1)
    if len(labels) != len(probabilities):
        raise ValueError(f"{len(probabilities)} rows of probabilities, {len(labels)} labels")
    return float(np.mean(np.argmax(probabilities, axis=-1) == labels))


def kolmogorov_smirnov_per_feature(translated: np.ndarray, real: np.ndarray,
                                   names: Sequence[str]) -> dict[str, dict[str, float]]:
    """``{feature: {"statistic": D, "p_value": p}}``: scipy's two-sided two-sample KS
    test of every column of ``translated`` against the same column of ``real``."""
    translated, real = np.asarray(translated, np.float64), np.asarray(real, np.float64)
    if translated.shape[1] != real.shape[1] or translated.shape[1] != len(names):
        raise ValueError(f"columns: translated {translated.shape}, real {real.shape}, "
                         f"{len(names)} names")
    from scipy import stats  # only here: genzoo eval of image runs does not need it

    results = {}
    for column, name in enumerate(names):
        test = stats.ks_2samp(translated[:, column], real[:, column])
        results[name] = {"statistic": float(test.statistic), "p_value": float(test.pvalue)}
    return results


@dataclasses.dataclass
class DomainRows:
    """One split of one domain: ``x`` standardized with the domain's training ``mean``
    and ``std`` (original units: ``x * std + mean``), labels ``y`` (class indices)."""

    name: str
    feature_names: list[str]
    x: np.ndarray
    y: np.ndarray
    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def of(cls, domain) -> "DomainRows":
        """From a :class:`keras_genzoo.data.tabular.Domain` (or anything with its fields)."""
        return cls(domain.name, list(domain.feature_names), domain.x, domain.y, domain.mean,
                   domain.std)

    def original(self) -> np.ndarray:
        return np.asarray(self.x, np.float64) * self.std + self.mean


@dataclasses.dataclass
class PairQuality:
    """The translation quality of one ordered pair of domains."""

    source: int
    target: int
    source_name: str
    target_name: str
    rows: int
    reference_rows: int
    shared_features: list[str]
    rmse_shared: float | None
    label_agreement: float | None
    ks: dict[str, dict[str, float]]
    alpha: float = KS_ALPHA

    @property
    def ks_rejected(self) -> int | None:
        """Features of the target whose KS test rejects at ``alpha``; None when no test
        ran (the source or the target has no rows in the split)."""
        if not self.ks:
            return None
        return sum(entry["p_value"] < self.alpha for entry in self.ks.values())


def translation_quality(translate: Callable, domains: Sequence[DomainRows], *,
                        alpha: float = KS_ALPHA) -> list[PairQuality]:
    """Every ordered pair (i -> j), i != j, in order: ``translate(x_i, y_i, i, j)`` must
    return ``(features standardized in j, label probabilities)``. A pair whose source
    has no rows is reported with no values (None) rather than skipped; a pair whose
    target has no rows has no KS tests (``ks_rejected`` None)."""
    results = []
    for i, j in itertools.permutations(range(len(domains)), 2):
        source, target = domains[i], domains[j]
        names = shared_features(source.feature_names, target.feature_names)
        if not len(source.y):
            results.append(PairQuality(i, j, source.name, target.name, 0, len(target.y),
                                       names, None, None, {}, alpha))
            continue
        features, probabilities = translate(source.x, source.y, i, j)
        features = np.asarray(features, np.float64)
        ks = (kolmogorov_smirnov_per_feature(features, target.x, target.feature_names)
              if len(target.y) else {})
        results.append(PairQuality(
            i, j, source.name, target.name, len(source.y), len(target.y), names,
            shared_feature_rmse(features, source.original(), source.feature_names,
                                target.feature_names, target.mean, target.std),
            label_agreement(probabilities, source.y), ks, alpha))
    return results
