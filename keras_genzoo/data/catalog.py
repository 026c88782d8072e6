"""The dataset sources genzoo knows, and a spec check that needs no TensorFlow.

A dataset *spec* is the string given to ``--dataset``:

- ``digits``: scikit-learn's embedded 8x8 digits (offline, the default);
- a short name (``mnist``, ``fashion_mnist``, ``cifar10``, ``celeb_a``) or
  ``tfds:<name>[/<config>]``: a tensorflow-datasets builder;
- ``folder:<path>``: the user's own images;
- ``idx:<path>``: MNIST-format IDX files;
- ``toy2d:grid25``, ``toy2d:ring8``: 2-D Gaussian mixtures (points, not
  images) for mode-coverage studies, and ``toy2d:circle``, ``toy2d:spiral``:
  noisy 2-D curves for autoencoders, see :mod:`keras_genzoo.data.toy2d`;
- ``toy1d:bimodal``, ``toy1d:trimodal``, ``toy1d:skewed``: 1-D Gaussian
  mixtures (points ``[N, 1]``) on which the optimal discriminator can be
  drawn, see :mod:`keras_genzoo.data.toy1d`;
- ``csv:<path>``: the user's table of several domains (``--domain-column``,
  ``--label-column``), ``domains:breast_cancer``: an embedded table cut
  into synthetic domains, and ``domains:synthetic``: generated domains;
  multi-domain tabular data for RadialGAN, see
  :mod:`keras_genzoo.data.tabular`;
- ``samples:content``, ``samples:styles``, ``samples:<name>``: photographs
  and textures that scikit-learn and scikit-image install (style transfer,
  offline), see :mod:`keras_genzoo.data.samples`.

This module is imported by ``genzoo list`` and by the CLI before it decides to
load TensorFlow, so it must stay free of TensorFlow imports; the loaders live
in :mod:`keras_genzoo.data.sources`.
"""

import os

from keras_genzoo.data.samples import SAMPLE_IMAGES, SAMPLE_SETS, sample_names
from keras_genzoo.data.toy1d import MIXTURES as MIXTURES_1D
from keras_genzoo.data.toy2d import CURVES, MIXTURES, POINT_SETS, TEST_POINTS, TRAIN_POINTS
from keras_genzoo.errors import DataError

DEFAULT_DATASET = "digits"

#: the embedded tabular multi-domain datasets (``domains:NAME``), loaded by data/tabular.py
DOMAIN_DATASETS = {
    "breast_cancer": (
        "scikit-learn's embedded breast cancer data (569 rows, 30 features, "
        "binary label) as M domains with shifted, overlapping feature windows "
        "(--set num_domains=M, 2..10, default 3)"
    ),
    "synthetic": (
        "generated from a fixed seed: a shared latent factor model seen through each "
        "domain's own overlapping features, maps and label rate (--set num_domains=M, "
        "default 4; source_rows, overlap, target_rows)"
    ),
}


DATASET_SOURCES = [
    (
        "digits",
        "scikit-learn's embedded 8x8 handwritten digits (1,797 images), "
        "offline; the default",
    ),
    (
        "tfds:<name>[/<config>]",
        "any tensorflow-datasets image dataset (--data-dir, --manual-dir); "
        "must be downloaded once with network access",
    ),
    ("mnist", "tfds:mnist, 70,000 28x28 grayscale handwritten digits"),
    ("fashion_mnist", "tfds:fashion_mnist, 70,000 28x28 grayscale clothing images"),
    ("cifar10", "tfds:cifar10, 60,000 32x32 color images in 10 classes"),
    ("celeb_a", "tfds:celeb_a, 202,599 218x178 face photos (center-cropped to square)"),
    (
        "folder:<path>",
        "your own images (.png .jpg .jpeg .bmp .gif); class subfolders give "
        "labels; every image is the train split",
    ),
    (
        "idx:<path>",
        "MNIST-format IDX files: a folder with {train,t10k}-images-idx3-ubyte[.gz] "
        "(+ labels) or one images file",
    ),
] + [
    (
        f"toy2d:{name}",
        f"2-D points for mode coverage: {mixture.description} "
        f"({TRAIN_POINTS:,} train, {TEST_POINTS:,} test)",
    )
    for name, mixture in MIXTURES.items()
] + [
    (
        f"toy2d:{name}",
        f"2-D points near a curve, for autoencoders: {curve.description} "
        f"({TRAIN_POINTS:,} train, {TEST_POINTS:,} test)",
    )
    for name, curve in CURVES.items()
] + [
    (
        f"toy1d:{name}",
        f"1-D points, the optimal discriminator drawn: {mixture.description} "
        f"({TRAIN_POINTS:,} train, {TEST_POINTS:,} test)",
    )
    for name, mixture in MIXTURES_1D.items()
] + [
    (
        "csv:<path>",
        "a table of several domains for RadialGAN: --domain-column and --label-column "
        "name two columns, every other column is a numeric or one-hot categorical feature",
    ),
] + [(f"domains:{name}", description) for name, description in DOMAIN_DATASETS.items()] + [
    (
        f"samples:{name}",
        f"{'photographs' if name == 'content' else 'textures and pictures'} bundled with "
        f"scikit-learn and scikit-image, for style transfer, offline: {', '.join(members)}",
    )
    for name, members in SAMPLE_SETS.items()
] + [
    ("samples:<name>", "one bundled image: " + ", ".join(SAMPLE_IMAGES)),
]

TFDS_SHORT_NAMES = {
    "mnist": "mnist",
    "fashion_mnist": "fashion_mnist",
    "fashion-mnist": "fashion_mnist",
    "cifar10": "cifar10",
    "celeb_a": "celeb_a",
    "celeba": "celeb_a",
}

_TOY2D_SPECS = " or ".join(f"toy2d:{name}" for name in POINT_SETS)
_TOY1D_SPECS = " or ".join(f"toy1d:{name}" for name in MIXTURES_1D)
#: the length of one point of each kind of point dataset
POINT_DIMS = {"toy1d": 1, "toy2d": 2}
_DOMAIN_SPECS = " or ".join(f"domains:{name}" for name in DOMAIN_DATASETS)
_EXPECTED = (
    "expected digits, mnist, fashion_mnist, cifar10, celeb_a, tfds:<name>, "
    f"folder:<path>, idx:<path>, {_TOY2D_SPECS}, {_TOY1D_SPECS}, csv:<path>, {_DOMAIN_SPECS}, "
    "samples:content, samples:styles, samples:<name>"
)


def parse_spec(spec):
    """Split a dataset spec into ``(kind, argument)``.

    kind is one of ``"digits"``, ``"tfds"``, ``"folder"``, ``"idx"``,
    ``"toy2d"``, ``"toy1d"``, ``"csv"``, ``"domains"``, ``"samples"``; the argument is the tfds
    builder name (short names resolved), the path (``~`` expanded) for folder, idx
    and csv, the lower-cased mixture name for toy2d and toy1d, dataset name for
    domains or set or image name for samples, and ``""`` for digits. Raises DataError for anything else.
    Paths are not checked here (see :func:`check_spec`).
    """
    if not isinstance(spec, str) or not spec.strip():
        raise DataError(f"empty dataset source: {_EXPECTED}")
    text = spec.strip()
    lowered = text.lower()
    if lowered == "digits":
        return "digits", ""
    if lowered in TFDS_SHORT_NAMES:
        return "tfds", TFDS_SHORT_NAMES[lowered]
    kind, sep, arg = text.partition(":")
    kind = kind.lower()
    if sep and kind == "tfds":
        name = arg.strip()
        if not name:
            raise DataError("dataset source 'tfds:' needs a dataset name, e.g. tfds:mnist")
        return "tfds", TFDS_SHORT_NAMES.get(name.lower(), name)
    if sep and kind in ("folder", "idx", "csv"):
        path = arg.strip()
        if not path:
            example = "/data/table.csv" if kind == "csv" else "/data/images"
            raise DataError(f"dataset source '{kind}:' needs a path, e.g. {kind}:{example}")
        return kind, os.path.expanduser(path)
    if sep and kind == "toy2d":
        name = arg.strip().lower()
        if name not in POINT_SETS:
            raise DataError(f"unknown toy2d set {arg.strip()!r}: expected {_TOY2D_SPECS}")
        return "toy2d", name
    if sep and kind == "toy1d":
        name = arg.strip().lower()
        if name not in MIXTURES_1D:
            raise DataError(f"unknown toy1d mixture {arg.strip()!r}: expected {_TOY1D_SPECS}")
        return "toy1d", name
    if sep and kind == "domains":
        name = arg.strip().lower()
        if name not in DOMAIN_DATASETS:
            raise DataError(f"unknown domains dataset {arg.strip()!r}: expected {_DOMAIN_SPECS}")
        return "domains", name
    if sep and kind == "samples":
        name = arg.strip().lower()
        sample_names(name)  # an unknown name: one line listing the choices
        return "samples", name
    raise DataError(f"unknown dataset source {text!r}: {_EXPECTED}")


def is_point_dataset(spec):
    """True for a ``toy2d:`` or ``toy1d:`` spec (points), False for an image source.

    Only parses the spec (no path checks), so it never raises for a valid
    image spec; an invalid spec raises DataError as :func:`parse_spec` does.
    """
    return parse_spec(spec)[0] in POINT_DIMS


def point_dim(spec):
    """The length of one point of a point dataset (2 for toy2d, 1 for toy1d), 0 for
    any other source; parses only, like :func:`is_point_dataset`."""
    return POINT_DIMS.get(parse_spec(spec)[0], 0)


def is_domain_dataset(spec):
    """True for a multi-domain tabular spec (``csv:`` or ``domains:``), whose
    source is a :class:`~keras_genzoo.data.tabular.DomainSource`.

    Only parses the spec, like :func:`is_point_dataset`.
    """
    return parse_spec(spec)[0] in ("csv", "domains")


def check_data_dirs(spec, data_dir=None, manual_dir=None):
    """``--data-dir`` and ``--manual-dir`` are tensorflow-datasets' directories: given
    with another kind of source they would be ignored, so they are refused (DataError)."""
    if (data_dir or manual_dir) and parse_spec(spec)[0] != "tfds":
        flag = "--data-dir" if data_dir else "--manual-dir"
        raise DataError(f"{flag} applies to tensorflow-datasets sources (tfds:<name>, mnist, "
                        f"...), not to {spec}")


def check_spec(spec):
    """Raise DataError if ``spec`` names no known source or a missing path.

    Cheap (no TensorFlow, no file reads beyond ``os.path.exists``): the CLI
    calls it before importing TensorFlow so that a typo fails in
    milliseconds. Whether a tfds name exists is only known to tfds, so it is
    checked when the source is opened.
    """
    kind, arg = parse_spec(spec)
    if kind in ("folder", "idx", "csv") and not os.path.exists(arg):
        raise DataError(f"dataset path does not exist: {arg}")
    if kind == "folder" and not os.path.isdir(arg):
        raise DataError(f"dataset folder is not a directory: {arg}")
    if kind == "csv" and not os.path.isfile(arg):
        raise DataError(f"CSV dataset is not a file: {arg}")
