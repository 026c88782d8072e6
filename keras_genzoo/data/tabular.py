"""Tabular multi-domain data for RadialGAN (Yoon, Jordon & van der Schaar, ICML 2018).

RadialGAN (section 3) learns from M datasets ("domains") that describe the same
prediction task with different, overlapping feature sets: domain i has rows
``(x_i, y)`` with ``x_i`` in its own space ``X_i`` and a label ``y`` shared by
all domains. A :class:`DomainSource` holds one split of every domain:

- ``csv:<path>``: the user's table with a domain column and a label column
  (:func:`open_domains` documents the parsing rules);
- ``domains:breast_cancer``: scikit-learn's embedded Wisconsin breast cancer
  data cut into M synthetic domains, offline and deterministic (the recipe is
  in :func:`breast_cancer_domains`);
- ``domains:synthetic``: a controllable generator (a shared latent factor
  model seen through each domain's own features), offline, from a fixed seed
  (the recipe is in :func:`synthetic_domains`).

Every domain's rows are split train / validation / test = 60 / 20 / 20,
stratified by label, with a permutation drawn from NumPy
``default_rng([seed, domain_index])`` (``seed`` is ``open_domains``' split
seed, 0 by default): the paper's experiment (section 5) selects on a
validation split and reports on held-out rows. Features are standardized per
domain with the TRAIN rows' mean and (population) standard deviation, also for
the validation and test rows, so that no held-out statistic leaks into
training; :meth:`DomainSource.statistics` records them for the run. Gaps (a
CSV's empty cells) are ignored by those statistics and filled with the train
rows' mean (numeric) or most frequent value (categorical), see
:func:`_build_source`.

The paper's setting is a small target domain helped by larger sources:
``target_rows`` keeps a stratified subset of the target's train rows
(:func:`subsample_stratified`) and ``source_domains`` keeps only the first K
other domains (:func:`open_domains`).

Only NumPy is needed to parse and split; TensorFlow is imported by
:meth:`DomainSource.batches`, scikit-learn by the breast cancer loader.
"""

import collections
import csv
import dataclasses
import math
import os

import numpy as np

from keras_genzoo.data import catalog
from keras_genzoo.errors import DataError

SPLITS = ("train", "validation", "test", "all")
SPLIT_FRACTIONS = {"train": 0.6, "validation": 0.2, "test": 0.2}

DEFAULT_NUM_DOMAINS = {"breast_cancer": 3, "synthetic": 4}
MAX_NUM_DOMAINS = 10
#: csv: a column empty in more than this fraction of a domain's rows is not its feature
DEFAULT_MISSING_THRESHOLD = 0.5
BREAST_CANCER_WINDOW = 20  # features kept per domain, of 30
BREAST_CANCER_SCALE_STEP = 0.1  # domain i's features are multiplied by 1 + 0.1 i
BREAST_CANCER_SHIFT_STEP = 0.25  # ... then shifted by 0.25 i standard deviations


# eq=False: a generated __eq__ would compare arrays elementwise.
@dataclasses.dataclass(eq=False)
class Domain:
    """One domain of one split.

    ``x`` float32 ``[n, d]`` is standardized with the domain's TRAIN-split
    ``mean`` and ``std`` (float64 ``[d]``; a column constant on the train rows
    gets std 1); ``y`` int32 ``[n]`` holds labels ``0..num_classes-1``;
    ``feature_names`` names the ``d`` columns (``column=value`` for a one-hot
    column). ``rows`` (int64 ``[n]``, ascending) are the rows' indices in the
    source table: 0-based data rows of the CSV, sample indices of
    scikit-learn's breast cancer data, generated rows of ``domains:synthetic``.
    ``fill`` (float64 ``[d]``, original units; the mean when not given) is
    what a gap in each column is replaced by: ``x`` never holds NaN.
    """

    name: str
    feature_names: list
    x: np.ndarray
    y: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    rows: np.ndarray = None
    fill: np.ndarray = None

    def __post_init__(self):
        self.name = str(self.name)
        self.feature_names = [str(name) for name in self.feature_names]
        self.mean = np.asarray(self.mean, np.float64).reshape(-1)
        self.std = np.asarray(self.std, np.float64).reshape(-1)
        self.fill = (self.mean.copy() if self.fill is None
                     else np.asarray(self.fill, np.float64).reshape(-1))
        width = len(self.feature_names)
        self.x = np.asarray(self.x, np.float32).reshape(-1, width)
        self.y = np.asarray(self.y, np.int32).reshape(-1)
        self.rows = (np.arange(len(self.y), dtype=np.int64) if self.rows is None
                     else np.asarray(self.rows, np.int64).reshape(-1))
        if not (len(self.mean) == len(self.std) == len(self.fill) == width) \
                or not (len(self.x) == len(self.y) == len(self.rows)):
            raise ValueError(
                f"domain {self.name}: inconsistent shapes x {self.x.shape}, y {self.y.shape}, "
                f"rows {self.rows.shape}, mean {self.mean.shape}, std {self.std.shape}, "
                f"{width} feature names"
            )

    @property
    def num_features(self):
        return len(self.feature_names)

    def standardize(self, x_original):
        """``(x - mean) / std`` as float32, for rows in original units; a NaN
        (a gap) is replaced by the column's ``fill`` first."""
        x = self._checked(x_original)
        x = np.where(np.isnan(x), self.fill, x)
        return ((x - self.mean) / self.std).astype(np.float32)

    def to_original(self, x_standardized):
        """``x * std + mean`` as float64: standardized rows (e.g. a
        generator's output) back in the domain's original units."""
        return self._checked(x_standardized) * self.std + self.mean

    def _checked(self, x):
        x = np.asarray(x, np.float64)
        if x.ndim == 0 or x.shape[-1] != self.num_features:
            raise DataError(
                f"domain {self.name} has {self.num_features} features; got an array of shape "
                f"{x.shape}"
            )
        return x


class DomainSource:
    """One split of M >= 2 domains that share a label (RadialGAN, section 3).

    Attributes: ``kind`` (``"domains"``), ``spec``, ``name``, ``split``,
    ``domains`` (list of :class:`Domain`), ``num_classes``,
    ``label_classes`` (the original label of each class index, as strings),
    ``num_examples`` (rows summed over domains), ``split_seed``,
    ``target`` (the target domain's position in ``domains``) and
    ``table_domains`` (the domains of the table before ``source_domains``
    kept some of them).
    """

    kind = "domains"
    #: what one example is called in progress lines and throughput
    unit = "rows"

    def __init__(self, *, spec, name, split, domains, label_classes, train_counts,
                 split_seed, details, target=0, table_domains=None, domain_notes=None):
        self.spec = spec
        self.name = name
        self.split = split
        self.domains = list(domains)
        self.label_classes = [str(label) for label in label_classes]
        self.num_classes = len(self.label_classes)
        self.num_examples = sum(len(domain.y) for domain in self.domains)
        self.split_seed = int(split_seed)
        self.target = int(target)
        self.table_domains = len(self.domains) if table_domains is None else int(table_domains)
        self._train_counts = [int(count) for count in train_counts]
        self._details = dict(details)
        self._domain_notes = list(domain_notes or [{} for _ in self.domains])

    def __repr__(self):
        return (
            f"DomainSource({self.name!r}, split={self.split!r}, domains="
            f"{[domain.name for domain in self.domains]}, features={self.feature_counts}, "
            f"num_examples={self.num_examples})"
        )

    @property
    def feature_counts(self):
        """``d_i`` of every domain, in domain order."""
        return [domain.num_features for domain in self.domains]

    def check_batch_size(self, batch_size):
        """``batch_size`` as a positive int (DataError otherwise). Any size
        fits every domain: a domain with fewer rows repeats them
        (:meth:`epoch_indices`)."""
        return _positive_batch_size(batch_size)

    def _check_split_batch_size(self, batch_size):
        batch_size = self.check_batch_size(batch_size)
        for domain in self.domains:
            if not len(domain.y):
                raise DataError(f"domain {domain.name} of {self.name} has no rows in the "
                                f"{self.split} split")
        return batch_size

    def steps_per_epoch(self, batch_size):
        """Full batches per epoch: the largest domain's rows // batch_size, and at
        least 1 (every domain smaller than a batch: one step of repeated rows)."""
        batch_size = self._check_split_batch_size(batch_size)
        return max(1, max(len(domain.y) for domain in self.domains) // batch_size)

    def epoch_indices(self, batch_size, *, epoch=0, seed=0, shuffle=True, drop_remainder=True):
        """Row positions each domain contributes to one epoch, as a list of
        int64 arrays of equal length (steps x batch_size, or the largest
        domain's rows when ``drop_remainder`` is False).

        Domain i's sequence is a concatenation of permutations of its rows,
        drawn from ``default_rng([seed, epoch, i])`` (its rows in order when
        ``shuffle`` is False), cut to the epoch's length: the largest domain
        uses each row at most once, a smaller one is repeated, re-shuffled,
        to keep pace. It depends only on ``(seed, epoch, i)``.

        The weighting this implies: every domain contributes ``batch_size``
        rows to every step whatever its size, so the domains weigh equally in
        RadialGAN's losses (the paper's sums over domains, eqs. 4-7) and a
        small domain's rows are seen more often than a large one's. A domain
        smaller than the batch repeats rows within a batch (without replacement
        inside each permutation, so at most ``ceil(batch / rows)`` times).
        """
        batch_size = self._check_split_batch_size(batch_size)
        largest = max(len(domain.y) for domain in self.domains)
        steps = self.steps_per_epoch(batch_size)
        length = steps * batch_size if drop_remainder else largest
        indices = []
        for index, domain in enumerate(self.domains):
            count = len(domain.y)
            rng = np.random.default_rng([int(seed) % 2**63, int(epoch) % 2**63, index])
            passes = -(-length // count)
            order = [rng.permutation(count) if shuffle else np.arange(count)
                     for _ in range(passes)]
            indices.append(np.concatenate(order)[:length].astype(np.int64))
        return indices

    def batches(self, batch_size, *, epoch=0, seed=0, shuffle=True, drop_remainder=True):
        """A ``tf.data.Dataset`` with one element per step:
        ``((x_0, y_0), ..., (x_{M-1}, y_{M-1}))``, ``x_i`` float32
        ``[batch, d_i]``, ``y_i`` int32 ``[batch]``. The domains are sampled
        independently (:meth:`epoch_indices`), so rebuilding epoch ``e`` with
        the same seed replays the same batches (the trainer's exact resume)."""
        import tensorflow as tf

        indices = self.epoch_indices(batch_size, epoch=epoch, seed=seed, shuffle=shuffle,
                                     drop_remainder=drop_remainder)
        pairs = tuple((domain.x[order], domain.y[order])
                      for domain, order in zip(self.domains, indices))
        dataset = tf.data.Dataset.from_tensor_slices(pairs)
        dataset = dataset.batch(int(batch_size), drop_remainder=drop_remainder)
        return dataset.prefetch(tf.data.AUTOTUNE)

    def start_notes(self):
        """Lines for ``genzoo train`` to print before training: one per domain
        that leaves columns out for their gaps (csv:), with each column's
        empty fraction among the domain's train rows ("no value": empty in
        all of them)."""
        lines = []
        threshold = self._details.get("missing_threshold")
        for domain, count, notes in zip(self.domains, self._train_counts, self._domain_notes):
            left_out = notes.get("left_out_columns") or {}
            if left_out:
                listed = ", ".join(f"{column} (no value)" if fraction >= 1 else
                                   f"{column} ({100 * fraction:.0f}% empty)"
                                   for column, fraction in left_out.items())
                lines.append(f"genzoo: domain {domain.name} leaves out {listed} in its "
                             f"{count} train rows (missing_threshold {threshold:g})")
        return lines

    def statistics(self):
        """JSON-able description of the source, enough to rebuild every
        domain's standardization and gap fills (:func:`domains_from_statistics`)
        and to read labels back: ``label_classes[k]`` is class k's original
        value. Each domain's entry has ``name``, ``feature_names``, ``mean``,
        ``std``, ``fill`` (original units), ``train_rows`` and, for csv:,
        ``left_out_columns`` / ``filled_columns`` (column -> empty fraction)."""
        return {
            "spec": self.spec,
            "name": self.name,
            "split_seed": self.split_seed,
            "split_fractions": dict(SPLIT_FRACTIONS),
            "num_classes": self.num_classes,
            "label_classes": list(self.label_classes),
            "target": self.target,
            "table_domains": self.table_domains,
            "domains": [
                {
                    "name": domain.name,
                    "feature_names": list(domain.feature_names),
                    "mean": [float(value) for value in domain.mean],
                    "std": [float(value) for value in domain.std],
                    "fill": [float(value) for value in domain.fill],
                    "train_rows": count,
                    **notes,
                }
                for domain, count, notes in zip(self.domains, self._train_counts,
                                                self._domain_notes)
            ],
            **self._details,
        }


def domains_from_statistics(statistics):
    """The domains of a saved :meth:`DomainSource.statistics` with their
    standardization, gap fills (the mean for runs saved before fills were
    recorded) and no rows (``x`` of shape ``[0, d_i]``), for turning
    generated rows back into original units."""
    try:
        return [
            Domain(name=entry["name"], feature_names=entry["feature_names"],
                   x=np.zeros((0, len(entry["feature_names"])), np.float32),
                   y=np.zeros((0,), np.int32), mean=entry["mean"], std=entry["std"],
                   fill=entry.get("fill"))
            for entry in statistics["domains"]
        ]
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise DataError(f"malformed domain statistics: {type(error).__name__}: {error}") from None


def _positive_batch_size(batch_size):
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size < 1:
        raise DataError(f"batch size must be a positive integer, got {batch_size!r}")
    return int(batch_size)


# ---------------------------------------------------------------------------
# splitting and standardization (shared by every tabular source)


def split_positions(labels, split, *, seed, domain_index):
    """Ascending positions of ``split`` among one domain's rows.

    Stratified: each class's rows are permuted with
    ``default_rng([seed, domain_index])`` (classes in index order, one
    generator) and cut at round(0.6 n_c) and round(0.8 n_c), so each split
    keeps the domain's class balance and every class has a train row.
    """
    labels = np.asarray(labels)
    if split == "all":
        return np.arange(len(labels), dtype=np.int64)
    rng = np.random.default_rng([int(seed) % 2**63, int(domain_index)])
    train_end_fraction = SPLIT_FRACTIONS["train"]
    validation_end_fraction = train_end_fraction + SPLIT_FRACTIONS["validation"]
    chosen = []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        train_end = math.floor(train_end_fraction * len(members) + 0.5)
        validation_end = math.floor(validation_end_fraction * len(members) + 0.5)
        bounds = {"train": (0, train_end), "validation": (train_end, validation_end),
                  "test": (validation_end, len(members))}[split]
        chosen.append(members[bounds[0]:bounds[1]])
    return np.sort(np.concatenate(chosen)).astype(np.int64)


#: one domain's table before splitting: x float64 ``[n, d]`` in original units
#: (NaN for a gap), y int ``[n]``, rows int ``[n]``; ``groups`` lists the column
#: positions of each one-hot categorical column (filled as a whole); ``notes`` go
#: into the domain's statistics entry; ``columns`` (csv:) lists each table column's
#: name and feature positions: which of them the domain keeps is decided on its train
#: rows (:func:`_keep_measured_columns`); None: every feature is kept
RawDomain = collections.namedtuple("RawDomain",
                                   "name feature_names x y rows groups notes columns",
                                   defaults=((), None, None))


def subsample_stratified(labels, positions, count, *, seed, domain_index):
    """``count`` of ``positions`` (ascending), stratified by ``labels[positions]``.

    Each class present gets one row, and the other ``count - K`` rows are
    shared out in proportion to each class's rows beyond its first (largest
    remainders first; so no class is asked for more rows than it has);
    scikit-learn's ``train_test_split(stratify=...)`` rounds a rare class
    down to zero rows, which a scarce target cannot afford. Within a class the
    rows are the first of a permutation from
    ``default_rng([seed, domain_index, 1])`` (the split's own generator is
    ``[seed, domain_index]``). DataError when ``count`` is below the number
    of classes or above the number of positions.
    """
    positions = np.asarray(positions, np.int64)
    classes, sizes = np.unique(np.asarray(labels)[positions], return_counts=True)
    if count < len(classes):
        raise DataError(f"target_rows={count} is fewer than the target's {len(classes)} classes "
                        "(every class keeps a train row)")
    if count > len(positions):
        raise DataError(f"target_rows={count} is more than the target's {len(positions)} train "
                        "rows")
    quota = 1 + (count - len(classes)) * (sizes - 1) / max(1, len(positions) - len(classes))
    whole = np.floor(quota).astype(np.int64)
    order = np.argsort(-(quota - whole), kind="stable")
    whole[order[:count - whole.sum()]] += 1
    rng = np.random.default_rng([int(seed) % 2**63, int(domain_index), 1])
    chosen = [rng.permutation(positions[np.asarray(labels)[positions] == label])[:take]
              for label, take in zip(classes, whole)]
    return np.sort(np.concatenate(chosen)).astype(np.int64)


def _train_statistics(x_train):
    """Population mean and std per column over the rows that have a value
    (NaN, a gap, is ignored); a constant column gets std 1 so that
    standardizing it gives zeros rather than a division by zero."""
    mean = np.nanmean(x_train, axis=0)
    std = np.nanstd(x_train, axis=0)
    constant = (np.nanmax(x_train, axis=0) - np.nanmin(x_train, axis=0)) == 0
    std[constant] = 1.0
    return mean, std


def _fill_values(x_train, mean, groups):
    """What replaces a gap, per column, from the TRAIN rows only: a numeric
    column's mean (0 once standardized, so a filled cell moves no statistic the
    model sees); for a one-hot group, the one-hot of the train rows' most
    frequent value (a mean of one-hot columns would be a mixture no real row
    has; ties go to the value sorted first). Single imputation, deliberately
    simple; the iterative alternative (scikit-learn's IterativeImputer) is
    compared in benchmarks/radialgan_augmentation.py."""
    fill = mean.copy()
    for group in groups:
        group = list(group)
        fill[group] = 0.0
        fill[group[int(np.argmax(np.nansum(x_train[:, group], axis=0)))]] = 1.0
    return fill


def _keep_measured_columns(raw, train, threshold, name):
    """``raw`` with only the table columns that domain ``raw`` fills in at least
    ``1 - threshold`` of its ``train`` rows (positions), and at least one; the
    ``left_out_columns`` and ``filled_columns`` notes (column -> empty fraction of
    the train rows). Decided on the train rows only, so that no validation or test
    row chooses a feature, and a column with no train value is left out rather than
    unfillable."""
    x_train = np.asarray(raw.x, np.float64)[train]
    group_sets = [list(group) for group in raw.groups]
    positions, names, groups = [], [], []
    left_out, filled = {}, {}
    for column, at in raw.columns:
        at = list(at)
        # a categorical column's one-hot group is empty as a whole
        empty = np.isnan(x_train[:, at[0]])
        fraction = float(empty.mean()) if len(empty) else 1.0
        if empty.all() or fraction > threshold:
            left_out[column] = round(fraction, 6)
            continue
        if empty.any():
            filled[column] = round(fraction, 6)
        if at in group_sets:
            groups.append(list(range(len(positions), len(positions) + len(at))))
        positions.extend(at)
        names.extend(raw.feature_names[k] for k in at)
    if not positions:
        raise DataError(f"domain {raw.name} of {name} has no feature columns: every column is "
                        f"empty in more than missing_threshold {threshold:g} of its "
                        f"{len(train)} train rows")
    notes = {**(raw.notes or {}), "left_out_columns": left_out, "filled_columns": filled}
    return raw._replace(feature_names=names, x=np.asarray(raw.x, np.float64)[:, positions],
                        groups=groups, notes=notes, columns=None)


def _class_counts(label_classes, y):
    counts = np.bincount(y, minlength=len(label_classes))
    return ", ".join(f"{label}: {count}" for label, count in zip(label_classes, counts))


def _build_source(*, spec, name, split, seed, raw_domains, label_classes, details,
                  domain_indices=None, target=0, target_rows=None, table_domains=None):
    """raw_domains: :class:`RawDomain` (or its first five fields) per domain ->
    DomainSource of ``split``.

    ``domain_indices`` (default 0..M-1) are the domains' positions in the
    whole table, which seed their splits (so keeping fewer domains does not
    change a kept domain's split). With ``target_rows``, domain ``target``'s
    train split is cut to that many rows (:func:`subsample_stratified`); its
    validation and test rows stay as they are. Per domain, the mean, std and
    gap fills come from the (kept) train rows; every split is filled, then
    standardized.
    """
    if split not in SPLITS:
        raise DataError(f"{name} has splits {', '.join(SPLITS)}; got {split!r}")
    raw_domains = [RawDomain(*raw) for raw in raw_domains]
    if domain_indices is None:
        domain_indices = list(range(len(raw_domains)))
    domains, train_counts, notes = [], [], []
    for position, (index, raw) in enumerate(zip(domain_indices, raw_domains)):
        y = np.asarray(raw.y)
        if len(np.unique(y)) < 2:
            raise DataError(
                f"domain {raw.name} of {name} has rows of a single class (rows per class: "
                f"{_class_counts(label_classes, y)}); RadialGAN needs at least 2 classes in "
                "every domain")
        train = split_positions(y, "train", seed=seed, domain_index=index)
        if len(train) < len(label_classes):
            raise DataError(
                f"domain {raw.name} of {name} has {len(y)} rows (rows per class: "
                f"{_class_counts(label_classes, y)}), {len(train)} of them train rows, fewer "
                f"than the table's {len(label_classes)} classes; every domain needs at least "
                "as many train rows as the table has classes")
        if position == target and target_rows is not None:
            train = subsample_stratified(y, train, int(target_rows), seed=seed,
                                         domain_index=index)
        if raw.columns is not None:  # csv: the features are decided on the train rows
            raw = _keep_measured_columns(
                raw, train, details.get("missing_threshold", DEFAULT_MISSING_THRESHOLD), name)
        x = np.asarray(raw.x, np.float64)
        x_train = x[train]
        unseen = np.isnan(x_train).all(axis=0)
        if unseen.any():
            column = raw.feature_names[int(np.flatnonzero(unseen)[0])]
            raise DataError(f"column {column} of domain {raw.name} has no value in the domain's "
                            f"{len(train)} train rows")
        mean, std = _train_statistics(x_train)
        fill = _fill_values(x_train, mean, raw.groups)
        if split == "train":
            keep = train
        else:
            keep = split_positions(y, split, seed=seed, domain_index=index)
        filled = np.where(np.isnan(x[keep]), fill, x[keep])
        domains.append(Domain(
            name=raw.name, feature_names=raw.feature_names,
            x=((filled - mean) / std).astype(np.float32), y=y[keep],
            mean=mean, std=std, rows=np.asarray(raw.rows)[keep], fill=fill,
        ))
        train_counts.append(len(train))
        notes.append(dict(raw.notes or {}))
    return DomainSource(spec=spec, name=name, split=split, domains=domains,
                        label_classes=label_classes, train_counts=train_counts,
                        split_seed=seed, details=details, target=target,
                        table_domains=table_domains, domain_notes=notes)


# ---------------------------------------------------------------------------
# domains:breast_cancer


def breast_cancer_domains(num_domains):
    """scikit-learn's breast cancer data as ``num_domains`` = M synthetic domains.

    The recipe (fixed, so every run and benchmark sees the same domains):

    1. Rows: ``default_rng(0).permutation(569)`` is cut into M consecutive
       parts of nearly equal size (``np.array_split``); part i, in ascending
       sample order, is domain i (named "A", "B", ...).
    2. Features: domain i keeps the 20 of the 30 features with indices
       ``(s_i + k) mod 30``, k = 0..19, ``s_i = floor(30 i / M)``, listed in
       scikit-learn's order: windows shifted by about 30/M and wrapping
       around, so neighbouring domains (the last and the first included)
       share at least 20 - ceil(30/M) features and no two domains have the
       same set.
    3. Shift: each kept feature f of domain i becomes
       ``(1 + 0.1 i) * x_f + 0.25 i * sd_f``, where sd_f is the population
       standard deviation of feature f over all 569 rows. Domain 0 is
       unchanged; the others are rescaled and moved, so a feature shared by
       two domains follows a different distribution in each.

    Labels are scikit-learn's target (0 malignant, 1 benign). Returns
    ``(raw_domains, label_classes, details)`` for :func:`_build_source`.
    """
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    features = np.asarray(data.data, np.float64)
    labels = np.asarray(data.target, np.int32)
    names = [str(name) for name in data.feature_names]
    total_rows, total_features = features.shape
    feature_sd = features.std(axis=0)
    parts = np.array_split(np.random.default_rng(0).permutation(total_rows), num_domains)
    raw_domains, starts, scales, shifts = [], [], [], []
    for i, part in enumerate(parts):
        rows = np.sort(part).astype(np.int64)
        start = total_features * i // num_domains
        kept = np.sort((start + np.arange(BREAST_CANCER_WINDOW)) % total_features)
        scale = 1.0 + BREAST_CANCER_SCALE_STEP * i
        shift = BREAST_CANCER_SHIFT_STEP * i
        x = scale * features[np.ix_(rows, kept)] + shift * feature_sd[kept]
        raw_domains.append((chr(ord("A") + i), [names[j] for j in kept], x, labels[rows], rows))
        starts.append(start)
        scales.append(scale)
        shifts.append(shift)
    details = {
        "dataset": "breast_cancer",
        "num_domains": num_domains,
        "recipe": {
            "row_permutation": "numpy default_rng(0).permutation(569), np.array_split into M parts",
            "window": BREAST_CANCER_WINDOW,
            "window_starts": starts,
            "scale": scales,
            "shift_in_feature_sd": shifts,
        },
    }
    return raw_domains, [str(name) for name in data.target_names], details


# ---------------------------------------------------------------------------
# domains:synthetic

SYNTHETIC_SEED = 2018  # the generator's fixed seed: every run sees the same table
SYNTHETIC_LATENT = 6  # k, latent factors
SYNTHETIC_FEATURES = 32  # D, canonical features
SYNTHETIC_WINDOW = 16  # features per domain
#: canonical features every domain records (like age or sex in every hospital's
#: table): the last 4, so the paper's "simple combination" baseline has features
SYNTHETIC_CORE = 4
SYNTHETIC_FEATURE_NOISE = 0.5
SYNTHETIC_LABEL_NOISE = 0.5
SYNTHETIC_RATES = (0.5, 0.3)  # positive rate of the first and of the last domain
DEFAULT_SOURCE_ROWS = 400
DEFAULT_OVERLAP = 0.5


def synthetic_label_rates(num_domains):
    """Domain i's positive-class rate: evenly spaced from 0.5 (domain 0) to 0.3
    (domain M-1)."""
    return [float(rate) for rate in np.linspace(*SYNTHETIC_RATES, num_domains)]


def synthetic_windows(num_domains, overlap):
    """Domain i's canonical feature indices (ascending): the 4 core features
    28..31 that every domain records, plus 12 of the other 28 with indices
    ``(i * step + k) mod 28``, k = 0..11, ``step = max(1, round(12 (1 -
    overlap)))``: neighbouring domains share ``12 - step`` window features (6 at
    the default overlap 0.5) besides the core; with more than 28 / step domains
    the windows wrap round and repeat (such domains still differ by their
    maps)."""
    width = SYNTHETIC_WINDOW - SYNTHETIC_CORE
    other = SYNTHETIC_FEATURES - SYNTHETIC_CORE
    core = np.arange(other, SYNTHETIC_FEATURES)
    step = max(1, round(width * (1.0 - overlap)))
    return [np.sort(np.concatenate([(i * step + np.arange(width)) % other, core]))
            for i in range(num_domains)]


def synthetic_domains(num_domains, *, source_rows=DEFAULT_SOURCE_ROWS, overlap=DEFAULT_OVERLAP):
    """A controllable multi-domain table with RadialGAN's premise built in (Yoon,
    Jordon & van der Schaar 2018, section 3: one label, domain-specific
    overlapping feature sets), generated offline from the fixed seed
    ``SYNTHETIC_SEED`` = 2018: the table depends only on the arguments, and a
    run's ``--seed`` only draws the splits.

    The recipe (k = 6 latent factors, D = 32 canonical features):

    1. Shared model, from ``default_rng([2018, 0])``: loadings ``W`` (k x D)
       with entries N(0, 1/k), and a label direction ``beta`` ~ N(0, I_k)
       scaled to unit length.
    2. Rows: each domain has ``n = ceil(source_rows / 0.6)`` rows (so about
       ``source_rows`` fall in its 60 % train split), drawn from
       ``default_rng([2018, 2, i])``: ``u ~ N(0, I_k)``; canonical features
       ``c = u W + 0.5 e`` (e ~ N(0, I_D)); a score ``s = beta . u + 0.5 e'``
       (e' ~ N(0, 1)); the label is 1 for the ``round(r_i n)`` rows of highest
       score, so domain i's positive rate is exactly ``r_i``
       (:func:`synthetic_label_rates`: 0.5 for domain 0 down to 0.3).
    3. Features: domain i sees the 4 core canonical features that every
       domain records and a window of 12 others (:func:`synthetic_windows`;
       ``overlap`` sets how many neighbours share), named ``c00`` .. ``c31``
       after their canonical index.
    4. Map, from ``default_rng([2018, 1, i])``: ``x = a * h_i(c) + b`` per kept
       feature, scale ``a ~ U(0.5, 2)`` and shift ``b ~ N(0, 2^2)`` (the
       domain's own feature shift), ``h_i`` the identity for even i and the
       monotone ``exp(c / 2)`` for odd i (a skewed, lab-value-like scale).

    The label is learnable from every domain's own features (16 noisy views of
    6 factors; logistic regression on a domain's 400 train rows reaches a
    test AUROC of about 0.88), but a target of 10 to 40 train rows is too few
    to fit a 16-feature classifier well (about 0.64 at 10 rows, 0.80 at 40,
    averaged over 4 split seeds), while a source of 400 rows is plenty. The
    target is generated like any source, so its validation and test splits
    stay large; ``target_rows`` only cuts its train split. Returns
    ``(raw_domains, label_classes, details)`` for :func:`_build_source`.
    """
    rows_per_domain = math.ceil(source_rows / SPLIT_FRACTIONS["train"])
    rates = synthetic_label_rates(num_domains)
    windows = synthetic_windows(num_domains, overlap)
    raw_domains, maps = [], []
    for i in range(num_domains):
        canonical, score = _synthetic_subjects(i, rows_per_domain)
        labels = np.zeros(rows_per_domain, np.int32)
        labels[np.argsort(-score, kind="stable")[:round(rates[i] * rows_per_domain)]] = 1
        x = _synthetic_recording(i, canonical, windows[i])
        raw_domains.append(RawDomain(f"D{i}", [f"c{j:02d}" for j in windows[i]], x, labels,
                                     np.arange(rows_per_domain, dtype=np.int64)))
        maps.append("exp(c/2)" if i % 2 == 1 else "identity")
    details = {
        "dataset": "synthetic",
        "num_domains": num_domains,
        "recipe": {
            "seed": SYNTHETIC_SEED,
            "latent_factors": SYNTHETIC_LATENT,
            "canonical_features": SYNTHETIC_FEATURES,
            "source_rows": source_rows,
            "rows_per_domain": rows_per_domain,
            "overlap": overlap,
            "windows": [[int(j) for j in window] for window in windows],
            "label_rates": rates,
            "nonlinearity": maps,
        },
    }
    return raw_domains, ["0", "1"], details


def _synthetic_subjects(domain, rows_per_domain):
    """Domain ``domain``'s generated subjects (steps 1 and 2 of
    :func:`synthetic_domains`): their canonical features ``[n, D]`` and label
    scores ``[n]``."""
    shared = np.random.default_rng([SYNTHETIC_SEED, 0])
    loadings = shared.normal(0.0, 1.0 / math.sqrt(SYNTHETIC_LATENT),
                             (SYNTHETIC_LATENT, SYNTHETIC_FEATURES))
    beta = shared.normal(size=SYNTHETIC_LATENT)
    beta /= np.linalg.norm(beta)
    rng = np.random.default_rng([SYNTHETIC_SEED, 2, domain])
    u = rng.normal(size=(rows_per_domain, SYNTHETIC_LATENT))
    canonical = u @ loadings + SYNTHETIC_FEATURE_NOISE * rng.normal(
        size=(rows_per_domain, SYNTHETIC_FEATURES))
    score = u @ beta + SYNTHETIC_LABEL_NOISE * rng.normal(size=rows_per_domain)
    return canonical, score


def _synthetic_recording(domain, canonical, window):
    """Canonical features as domain ``domain`` records them (steps 3 and 4 of
    :func:`synthetic_domains`): its window, its map, its scale and shift."""
    mapping = np.random.default_rng([SYNTHETIC_SEED, 1, domain])
    scale = mapping.uniform(0.5, 2.0, SYNTHETIC_WINDOW)
    shift = mapping.normal(0.0, 2.0, SYNTHETIC_WINDOW)
    kept = canonical[:, window]
    return scale * (np.exp(kept / 2.0) if domain % 2 == 1 else kept) + shift


def synthetic_counterfactual(domain, recorded_by, rows, num_domains, *,
                             source_rows=DEFAULT_SOURCE_ROWS, overlap=DEFAULT_OVERLAP):
    """The ground truth a translation is judged against: domain ``domain``'s
    generated subjects ``rows`` (a :class:`Domain`'s ``rows``) as domain
    ``recorded_by`` would have recorded them (its features, in its original
    units; the same noise draw as their own recording). With ``recorded_by ==
    domain`` these are the rows' own features. Only ``domains:synthetic`` has
    such a truth: its subjects are generated."""
    rows_per_domain = math.ceil(source_rows / SPLIT_FRACTIONS["train"])
    canonical, _ = _synthetic_subjects(domain, rows_per_domain)
    window = synthetic_windows(num_domains, overlap)[recorded_by]
    return _synthetic_recording(recorded_by, canonical[np.asarray(rows, np.int64)], window)


# ---------------------------------------------------------------------------
# csv:<path>


def _number(text):
    """The finite float that ``text`` spells, or None (underscored Python
    literals such as '1_000' are not numbers in a data file)."""
    if "_" in text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _sort_key(text):
    """Numbers first in numeric order (so '9' < '10'), then other text."""
    value = _number(text)
    return (0, value, text) if value is not None else (1, 0.0, text)


def _columns_hint(header, limit=10):
    shown = ", ".join(header[:limit])
    return shown + (", ..." if len(header) > limit else "")


def _read_csv(path):
    """``(header, rows of stripped cells, file line number of each row)``;
    rows whose cells are all empty are skipped."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise DataError(f"CSV file is empty: {path}")
            header = [name.strip() for name in header]
            rows, lines = [], []
            for row in reader:
                cells = [cell.strip() for cell in row]
                if not any(cells):
                    continue
                if len(cells) != len(header):
                    raise DataError(
                        f"CSV file {path}: line {reader.line_num} has {len(cells)} fields, "
                        f"the header has {len(header)}"
                    )
                rows.append(cells)
                lines.append(reader.line_num)
    except FileNotFoundError:
        raise DataError(f"CSV file does not exist: {path}") from None
    except IsADirectoryError:
        raise DataError(f"CSV path is a directory, not a file: {path}") from None
    except UnicodeDecodeError:
        raise DataError(f"CSV file is not UTF-8 text: {path}") from None
    except (OSError, csv.Error) as error:
        raise DataError(f"cannot read CSV file {path}: {error}") from None
    for position, name in enumerate(header):
        if not name:
            raise DataError(f"CSV file {path}: header column {position + 1} has no name")
        if header.index(name) != position:
            raise DataError(f"CSV file {path}: column {name!r} appears twice in the header")
    if not rows:
        raise DataError(f"CSV file has a header but no rows: {path}")
    return header, rows, lines


def _column_position(header, column, role, path):
    flag = {"domain": "--domain-column", "label": "--label-column"}[role]
    if not column:
        raise DataError(
            f"csv:{path} needs a {role} column ({flag}); columns: {_columns_hint(header)}"
        )
    if column not in header:
        raise DataError(
            f"{role} column {column!r} is not in {path} (columns: {_columns_hint(header)})"
        )
    return header.index(column)


def _feature_column(name, values, lines):
    """``("numeric", float64 array with NaN for empty)`` or
    ``("categorical", sorted distinct values)`` for one column.

    Numeric when every non-empty value is a finite number. A column with
    some non-numbers is categorical when at most half its non-empty values
    are numbers, and otherwise an error: a typo in a numeric column (the
    usual case) must not silently turn it into hundreds of one-hot columns.
    """
    filled = [(value, line) for value, line in zip(values, lines) if value]
    numbers = [_number(value) for value, _ in filled]
    count = sum(number is not None for number in numbers)
    if count == len(filled):
        return "numeric", np.array([_number(v) if v else np.nan for v in values], np.float64)
    if 2 * count > len(filled):
        value, line = next(item for item, number in zip(filled, numbers) if number is None)
        what = "non-finite" if _is_float_literal(value) else "non-numeric"
        raise DataError(f"{what} value {value!r} in numeric column {name} (line {line})")
    return "categorical", sorted({value for value, _ in filled}, key=_sort_key)


def _is_float_literal(text):
    try:
        float(text)
    except ValueError:
        return False
    return "_" not in text


def csv_domains(path, domain_column, label_column, missing_threshold=DEFAULT_MISSING_THRESHOLD):
    """Parse a CSV into raw domains (see :func:`open_domains` for the rules).

    Gaps: empty cells become NaN (a categorical column's whole one-hot group).
    Every column is kept here, with its feature positions (``RawDomain.columns``):
    once the domain's split is drawn, :func:`_build_source` leaves out a column
    empty in more than ``missing_threshold`` of the domain's TRAIN rows (or in all
    of them) and fills the other gaps from the train rows
    (:func:`_keep_measured_columns`). Each domain's notes then record
    ``left_out_columns`` and ``filled_columns`` (column -> empty fraction of its
    train rows).

    Returns ``(raw_domains, label_classes, details)`` for :func:`_build_source`.
    """
    header, rows, lines = _read_csv(path)
    domain_at = _column_position(header, domain_column, "domain", path)
    label_at = _column_position(header, label_column, "label", path)
    if domain_at == label_at:
        raise DataError(f"column {domain_column!r} cannot be both the domain and the label column")
    columns = list(zip(*rows))  # column-major view of the cells
    for position, role in ((domain_at, "domain"), (label_at, "label")):
        for value, line in zip(columns[position], lines):
            if not value:
                raise DataError(f"missing {role} value in column {header[position]} (line {line})")

    domain_names = sorted(set(columns[domain_at]), key=_sort_key)
    if len(domain_names) < 2:
        raise DataError(
            f"{path} has {len(domain_names)} domain in column {header[domain_at]}; "
            f"RadialGAN needs at least 2"
        )
    label_classes = sorted(set(columns[label_at]), key=_sort_key)
    label_index = {label: k for k, label in enumerate(label_classes)}
    labels = np.array([label_index[value] for value in columns[label_at]], np.int32)
    domain_values = np.array(columns[domain_at], dtype=object)

    feature_positions = [p for p in range(len(header)) if p not in (domain_at, label_at)]
    parsed = {p: _feature_column(header[p], columns[p], lines) for p in feature_positions}
    raw_domains = []
    for domain_name in domain_names:
        members = np.flatnonzero(domain_values == domain_name)
        if len(members) < 2:
            raise DataError(
                f"domain {domain_name} (column {header[domain_at]}) has {len(members)} row; "
                f"every domain needs at least 2"
            )
        names, blocks, groups, table_columns = [], [], [], []
        for position in feature_positions:
            # every column for now: which ones the domain measures (empty in at most
            # missing_threshold of its TRAIN rows) is decided once its split is drawn
            # (_build_source, _keep_measured_columns); the other gaps are filled
            empty = np.array([not columns[position][row] for row in members])
            kind, content = parsed[position]
            table_columns.append((header[position], list(range(
                len(names), len(names) + (1 if kind == "numeric" else len(content))))))
            if kind == "numeric":
                names.append(header[position])
                blocks.append(content[members][:, None])
            else:
                cells = np.array([columns[position][row] for row in members], dtype=object)
                groups.append(list(range(len(names), len(names) + len(content))))
                names.extend(f"{header[position]}={value}" for value in content)
                block = np.stack([cells == value for value in content], axis=1).astype(np.float64)
                block[empty] = np.nan
                blocks.append(block)
        if not names:
            raise DataError(f"domain {domain_name} has no feature columns in {path}")
        raw_domains.append(RawDomain(
            domain_name, names, np.concatenate(blocks, axis=1), labels[members],
            members.astype(np.int64), groups, {}, table_columns))
    details = {
        "dataset": "csv",
        "path": str(path),
        # augment and eval reopen the table, perhaps from another working directory
        "absolute_path": os.path.abspath(path),
        "domain_column": header[domain_at],
        "label_column": header[label_at],
        "missing_threshold": float(missing_threshold),
        "numeric_columns": [header[p] for p in feature_positions if parsed[p][0] == "numeric"],
        "categorical_columns": {header[p]: list(parsed[p][1])
                                for p in feature_positions if parsed[p][0] == "categorical"},
    }
    return raw_domains, label_classes, details


# ---------------------------------------------------------------------------
# open_domains


def _check_integer(value, what, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise DataError(f"{what} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_fraction(value, what, *, below_one=False):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) \
            or not (0.0 <= value < 1.0 if below_one else 0.0 <= value <= 1.0):
        upper = "< 1" if below_one else "<= 1"
        raise DataError(f"{what} must be a number >= 0 and {upper}, got {value!r}")
    return float(value)


def open_domains(spec, *, split="train", domain_column=None, label_column=None,
                 num_domains=None, seed=0, target_rows=None, source_rows=None, overlap=None,
                 target_domain=0, source_domains=None, missing_threshold=None):
    """Open a ``csv:<path>`` or ``domains:<name>`` spec as a :class:`DomainSource`.

    ``split`` is ``train``, ``validation``, ``test`` or ``all``; ``seed``
    chooses the split permutation (:func:`split_positions`) and the target's
    subsample.

    ``domains:breast_cancer`` uses ``num_domains`` (2..10, default 3) and no
    columns (see :func:`breast_cancer_domains`). ``domains:synthetic`` uses
    ``num_domains`` (2..10, default 4), ``source_rows`` (train rows per
    domain, about; default 400) and ``overlap`` (0 <= overlap < 1, default
    0.5), see :func:`synthetic_domains`; ``source_rows`` and ``overlap`` are
    refused elsewhere.

    ``csv:<path>`` (UTF-8, first line the header) needs ``domain_column`` and
    ``label_column``; ``num_domains``, when given, must equal the number of
    domains in the file. Domains are ordered by their value in the domain
    column, and labels mapped to 0..K-1, both sorted (numbers numerically,
    then text). Every other column is a feature: numeric when each non-empty
    value is a finite number, otherwise categorical, one-hot encoded as
    ``column=value`` columns over the column's sorted values in the whole
    file; a column mostly of numbers with a stray non-number is an error.
    A domain's features are the columns it leaves empty in at most
    ``missing_threshold`` of its TRAIN rows (0..1, default 0.5; the target's
    kept train rows with ``target_rows``; a column empty in all of them is
    never one), in header order; their gaps are filled from the train rows
    (:func:`_fill_values`). The domain and label columns must
    be complete. Errors are one-line DataErrors naming the column, domain or
    line.

    Every kind: ``target_domain`` (default 0) is the target's index in the
    table; ``source_domains=K`` keeps the target and the first K other
    domains, in table order (default: all); ``target_rows=N`` cuts the
    target's train split to N rows, stratified
    (:func:`subsample_stratified`), leaving its validation and test rows as
    they are. A domain of a single class, or with fewer train rows than the
    table has classes, is an error.
    """
    kind, argument = catalog.parse_spec(spec)
    if kind not in ("csv", "domains"):
        raise DataError(
            f"{spec!r} is not a tabular multi-domain source (csv:<path> or domains:<name>)"
        )
    if not isinstance(split, str) or split not in SPLITS:
        raise DataError(f"tabular sources have splits {', '.join(SPLITS)}; got {split!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise DataError(f"split seed must be an integer, got {seed!r}")
    if num_domains is not None and (isinstance(num_domains, bool)
                                    or not isinstance(num_domains, (int, np.integer))):
        raise DataError(f"num_domains must be an integer, got {num_domains!r}")
    target_domain = _check_integer(target_domain, "target_domain", 0)
    if target_rows is not None:
        target_rows = _check_integer(target_rows, "target_rows", 1)
    if source_domains is not None:
        source_domains = _check_integer(source_domains, "source_domains", 1)
    synthetic = kind == "domains" and argument == "synthetic"
    for option, value in (("source_rows", source_rows), ("overlap", overlap)):
        if value is not None and not synthetic:
            raise DataError(f"{option} applies to domains:synthetic, not to {spec}")
    if missing_threshold is not None and kind != "csv":
        raise DataError(f"missing_threshold applies to csv: tables (their empty cells), not to "
                        f"{spec}")
    if kind == "domains":
        if domain_column is not None or label_column is not None:
            raise DataError(
                f"domain and label columns apply to csv: sources only, not domains:{argument}"
            )
        count = DEFAULT_NUM_DOMAINS[argument] if num_domains is None else int(num_domains)
        if not 2 <= count <= MAX_NUM_DOMAINS:
            raise DataError(
                f"num_domains must be between 2 and {MAX_NUM_DOMAINS} for domains:{argument}, "
                f"got {count}"
            )
        if synthetic:
            rows = DEFAULT_SOURCE_ROWS if source_rows is None else _check_integer(
                source_rows, "source_rows", 10)
            share = DEFAULT_OVERLAP if overlap is None else _check_fraction(
                overlap, "overlap", below_one=True)
            raw_domains, label_classes, details = synthetic_domains(count, source_rows=rows,
                                                                    overlap=share)
        else:
            raw_domains, label_classes, details = breast_cancer_domains(count)
        name = f"domains:{argument}"
    else:
        threshold = DEFAULT_MISSING_THRESHOLD if missing_threshold is None else _check_fraction(
            missing_threshold, "missing_threshold")
        raw_domains, label_classes, details = csv_domains(argument, domain_column, label_column,
                                                          threshold)
        if num_domains is not None and int(num_domains) != len(raw_domains):
            raise DataError(
                f"{argument} has {len(raw_domains)} domains in column {details['domain_column']}, "
                f"but num_domains={int(num_domains)}"
            )
        name = f"csv:{argument}"
    total = len(raw_domains)
    if target_domain >= total:
        raise DataError(f"target_domain must be a domain index in [0, {total - 1}] of {name}, "
                        f"got {target_domain}")
    others = [i for i in range(total) if i != target_domain]
    if source_domains is not None and source_domains > len(others):
        raise DataError(f"source_domains={source_domains} but {name} has {len(others)} domains "
                        "besides the target")
    kept = sorted([target_domain, *others[:source_domains]])
    details = {**details, "target_rows": target_rows, "source_domains": source_domains}
    return _build_source(spec=spec, name=name, split=split, seed=int(seed),
                         raw_domains=[raw_domains[i] for i in kept], label_classes=label_classes,
                         details=details, domain_indices=kept,
                         target=kept.index(target_domain), target_rows=target_rows,
                         table_domains=total)
