"""Tabular multi-domain data for RadialGAN (Yoon, Jordon & van der Schaar, ICML 2018).

RadialGAN (section 3) learns from M datasets ("domains") that describe the same
prediction task with different, overlapping feature sets: domain i has rows
``(x_i, y)`` with ``x_i`` in its own space ``X_i`` and a label ``y`` shared by
all domains. A :class:`DomainSource` holds one split of every domain:

- ``csv:<path>``: the user's table with a domain column and a label column
  (:func:`open_domains` documents the parsing rules);
- ``domains:breast_cancer``: scikit-learn's embedded Wisconsin breast cancer
  data cut into M synthetic domains, offline and deterministic (the recipe is
  in :func:`breast_cancer_domains`).

Every domain's rows are split train / validation / test = 60 / 20 / 20,
stratified by label, with a permutation drawn from NumPy
``default_rng([seed, domain_index])`` (``seed`` is ``open_domains``' split
seed, 0 by default): the paper's experiment (section 5) selects on a
validation split and reports on held-out rows. Features are standardized per
domain with the TRAIN rows' mean and (population) standard deviation, also for
the validation and test rows, so that no held-out statistic leaks into
training; :meth:`DomainSource.statistics` records them for the run.

Only NumPy is needed to parse and split; TensorFlow is imported by
:meth:`DomainSource.batches`, scikit-learn by the breast cancer loader.
"""

import csv
import dataclasses
import math

import numpy as np

from keras_genzoo.data import catalog
from keras_genzoo.errors import DataError

SPLITS = ("train", "validation", "test", "all")
SPLIT_FRACTIONS = {"train": 0.6, "validation": 0.2, "test": 0.2}

DEFAULT_NUM_DOMAINS = 3
MAX_NUM_DOMAINS = 10
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
    scikit-learn's breast cancer data.
    """

    name: str
    feature_names: list
    x: np.ndarray
    y: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    rows: np.ndarray = None

    def __post_init__(self):
        self.name = str(self.name)
        self.feature_names = [str(name) for name in self.feature_names]
        self.mean = np.asarray(self.mean, np.float64).reshape(-1)
        self.std = np.asarray(self.std, np.float64).reshape(-1)
        width = len(self.feature_names)
        self.x = np.asarray(self.x, np.float32).reshape(-1, width)
        self.y = np.asarray(self.y, np.int32).reshape(-1)
        self.rows = (np.arange(len(self.y), dtype=np.int64) if self.rows is None
                     else np.asarray(self.rows, np.int64).reshape(-1))
        if not (len(self.mean) == len(self.std) == width) \
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
        """``(x - mean) / std`` as float32, for rows in original units."""
        x = self._checked(x_original)
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
    ``num_examples`` (rows summed over domains), ``split_seed``.
    """

    kind = "domains"
    #: what one example is called in progress lines and throughput
    unit = "rows"

    def __init__(self, *, spec, name, split, domains, label_classes, train_counts,
                 split_seed, details):
        self.spec = spec
        self.name = name
        self.split = split
        self.domains = list(domains)
        self.label_classes = [str(label) for label in label_classes]
        self.num_classes = len(self.label_classes)
        self.num_examples = sum(len(domain.y) for domain in self.domains)
        self.split_seed = int(split_seed)
        self._train_counts = [int(count) for count in train_counts]
        self._details = dict(details)

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
        """``batch_size`` as an int; DataError naming the first domain whose
        TRAIN rows are fewer (a batch would repeat rows within itself)."""
        batch_size = _positive_batch_size(batch_size)
        self._check_rows(batch_size, self._train_counts, "train")
        return batch_size

    def _check_split_batch_size(self, batch_size):
        batch_size = self.check_batch_size(batch_size)
        self._check_rows(batch_size, [len(domain.y) for domain in self.domains], self.split)
        return batch_size

    def _check_rows(self, batch_size, counts, split):
        for domain, count in zip(self.domains, counts):
            if batch_size > count:
                raise DataError(
                    f"batch size {batch_size} is larger than domain {domain.name} of "
                    f"{self.name} ({split} split: {count} rows)"
                )

    def steps_per_epoch(self, batch_size):
        """Full batches per epoch: the largest domain's rows // batch_size."""
        batch_size = self._check_split_batch_size(batch_size)
        return max(len(domain.y) for domain in self.domains) // batch_size

    def epoch_indices(self, batch_size, *, epoch=0, seed=0, shuffle=True, drop_remainder=True):
        """Row positions each domain contributes to one epoch, as a list of
        int64 arrays of equal length (steps x batch_size, or the largest
        domain's rows when ``drop_remainder`` is False).

        Domain i's sequence is a concatenation of permutations of its rows,
        drawn from ``default_rng([seed, epoch, i])`` (its rows in order when
        ``shuffle`` is False), cut to the epoch's length: the largest domain
        uses each row at most once, a smaller one is repeated, re-shuffled,
        to keep pace. It depends only on ``(seed, epoch, i)``.
        """
        batch_size = self._check_split_batch_size(batch_size)
        largest = max(len(domain.y) for domain in self.domains)
        length = (largest // batch_size) * batch_size if drop_remainder else largest
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

    def statistics(self):
        """JSON-able description of the source, enough to rebuild every
        domain's standardization (:func:`domains_from_statistics`) and to
        read labels back: ``label_classes[k]`` is class k's original value."""
        return {
            "spec": self.spec,
            "name": self.name,
            "split_seed": self.split_seed,
            "split_fractions": dict(SPLIT_FRACTIONS),
            "num_classes": self.num_classes,
            "label_classes": list(self.label_classes),
            "domains": [
                {
                    "name": domain.name,
                    "feature_names": list(domain.feature_names),
                    "mean": [float(value) for value in domain.mean],
                    "std": [float(value) for value in domain.std],
                    "train_rows": count,
                }
                for domain, count in zip(self.domains, self._train_counts)
            ],
            **self._details,
        }


def domains_from_statistics(statistics):
    """The domains of a saved :meth:`DomainSource.statistics` with their
    standardization and no rows (``x`` of shape ``[0, d_i]``), for turning
    generated rows back into original units."""
    try:
        return [
            Domain(name=entry["name"], feature_names=entry["feature_names"],
                   x=np.zeros((0, len(entry["feature_names"])), np.float32),
                   y=np.zeros((0,), np.int32), mean=entry["mean"], std=entry["std"])
            for entry in statistics["domains"]
        ]
    except (KeyError, TypeError, ValueError) as error:
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


def _train_statistics(x_train):
    """Population mean and std per column; a constant column gets std 1 so
    that standardizing it gives zeros rather than a division by zero."""
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    constant = np.ptp(x_train, axis=0) == 0
    std[constant] = 1.0
    return mean, std


def _build_source(*, spec, name, split, seed, raw_domains, label_classes, details):
    """raw_domains: ``(name, feature_names, x float64 [n, d] in original
    units, y int [n], rows int [n])`` per domain -> DomainSource of ``split``."""
    if split not in SPLITS:
        raise DataError(f"{name} has splits {', '.join(SPLITS)}; got {split!r}")
    domains, train_counts = [], []
    for index, (domain_name, feature_names, x, y, rows) in enumerate(raw_domains):
        train = split_positions(y, "train", seed=seed, domain_index=index)
        mean, std = _train_statistics(x[train])
        keep = split_positions(y, split, seed=seed, domain_index=index)
        domains.append(Domain(
            name=domain_name, feature_names=feature_names,
            x=((x[keep] - mean) / std).astype(np.float32), y=y[keep],
            mean=mean, std=std, rows=rows[keep],
        ))
        train_counts.append(len(train))
    return DomainSource(spec=spec, name=name, split=split, domains=domains,
                        label_classes=label_classes, train_counts=train_counts,
                        split_seed=seed, details=details)


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


def csv_domains(path, domain_column, label_column):
    """Parse a CSV into raw domains (see :func:`open_domains` for the rules).

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
        names, blocks = [], []
        for position in feature_positions:
            empty = np.array([not columns[position][row] for row in members])
            if empty.all():
                continue  # not one of this domain's features
            if empty.any():
                line = lines[members[np.flatnonzero(empty)[0]]]
                raise DataError(
                    f"missing values in column {header[position]} of domain {domain_name} "
                    f"(line {line})"
                )
            kind, content = parsed[position]
            if kind == "numeric":
                names.append(header[position])
                blocks.append(content[members][:, None])
            else:
                cells = np.array([columns[position][row] for row in members], dtype=object)
                names.extend(f"{header[position]}={value}" for value in content)
                blocks.append(np.stack([cells == value for value in content], axis=1)
                              .astype(np.float64))
        if not names:
            raise DataError(f"domain {domain_name} has no feature columns in {path}")
        raw_domains.append((domain_name, names, np.concatenate(blocks, axis=1),
                            labels[members], members.astype(np.int64)))
    details = {
        "dataset": "csv",
        "path": str(path),
        "domain_column": header[domain_at],
        "label_column": header[label_at],
        "numeric_columns": [header[p] for p in feature_positions if parsed[p][0] == "numeric"],
        "categorical_columns": {header[p]: list(parsed[p][1])
                                for p in feature_positions if parsed[p][0] == "categorical"},
    }
    return raw_domains, label_classes, details


# ---------------------------------------------------------------------------
# open_domains


def open_domains(spec, *, split="train", domain_column=None, label_column=None,
                 num_domains=None, seed=0):
    """Open a ``csv:<path>`` or ``domains:<name>`` spec as a :class:`DomainSource`.

    ``split`` is ``train``, ``validation``, ``test`` or ``all``; ``seed``
    chooses the split permutation (:func:`split_positions`).

    ``domains:breast_cancer`` uses ``num_domains`` (2..10, default 3) and no
    columns (see :func:`breast_cancer_domains`).

    ``csv:<path>`` (UTF-8, first line the header) needs ``domain_column`` and
    ``label_column``; ``num_domains``, when given, must equal the number of
    domains in the file. Domains are ordered by their value in the domain
    column, and labels mapped to 0..K-1, both sorted (numbers numerically,
    then text). Every other column is a feature: numeric when each non-empty
    value is a finite number, otherwise categorical, one-hot encoded as
    ``column=value`` columns over the column's sorted values in the whole
    file; a column mostly of numbers with a stray non-number is an error.
    A domain's features are the columns filled in all its rows (a column
    empty in all of them is not one of its features; empty in some is an
    error), in header order. Errors are one-line DataErrors naming the
    column, domain or line.
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
    if kind == "domains":
        if domain_column is not None or label_column is not None:
            raise DataError(
                f"domain and label columns apply to csv: sources only, not domains:{argument}"
            )
        count = DEFAULT_NUM_DOMAINS if num_domains is None else int(num_domains)
        if not 2 <= count <= MAX_NUM_DOMAINS:
            raise DataError(
                f"num_domains must be between 2 and {MAX_NUM_DOMAINS} for domains:{argument}, "
                f"got {count}"
            )
        raw_domains, label_classes, details = breast_cancer_domains(count)
        name = f"domains:{argument}"
    else:
        raw_domains, label_classes, details = csv_domains(argument, domain_column, label_column)
        if num_domains is not None and int(num_domains) != len(raw_domains):
            raise DataError(
                f"{argument} has {len(raw_domains)} domains in column {details['domain_column']}, "
                f"but num_domains={int(num_domains)}"
            )
        name = f"csv:{argument}"
    return _build_source(spec=spec, name=name, split=split, seed=int(seed),
                         raw_domains=raw_domains, label_classes=label_classes, details=details)
