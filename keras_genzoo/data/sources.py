"""Dataset sources -> tf.data pipelines of images in [0, 1].

Every source is opened with :func:`open_source` and handed back as an
:class:`ImageSource` (``toy2d:`` point sets as a
:class:`~keras_genzoo.data.toy2d.PointSource`, which shares the batching
below). A source only knows how to produce its *raw* elements
(one image of any size and channel count, one integer label); the shared
preprocessing is the same for all of them:

1. channels follow the request: grayscale is repeated to RGB, RGB becomes
   grayscale with ``tf.image.rgb_to_grayscale``, alpha is dropped;
2. a non-square image is center-cropped to a square (so faces and objects
   keep their proportions), then
3. resized with ``tf.image.resize`` (bilinear, ``antialias=True``) to exactly
   ``image_size x image_size`` (skipped when the image already has that size);
4. the result is cached once per source object: in memory when the decoded
   split fits in half the memory available (:func:`cache_plan`), otherwise in
   a ``tf.data`` file cache under ``$GENZOO_CACHE/tfdata`` (removed when the
   source goes away), so decoding and resizing happen once, in parallel
   (``num_parallel_calls=AUTOTUNE``), and later epochs only read.

``batches`` then shuffles with a seed derived from ``(seed, epoch)`` and
``reshuffle_each_iteration=False``, so rebuilding epoch ``e`` replays the same
order: the trainer resumes exactly mid-epoch by skipping batches.

Bad data is a :class:`~keras_genzoo.errors.DataError` with a one-line message
that names the file or dataset, raised when the source is opened rather than
deep inside a running ``tf.data`` pipeline.
"""

import os
import pathlib
import re
import shutil
import tempfile
import weakref

import numpy as np
import tensorflow as tf

from keras_genzoo.data import catalog, samples, tabular, toy1d, toy2d
from keras_genzoo.data import idx as idx_lib
from keras_genzoo.data.pipeline import (batch_pipeline, cache_root, check_batch_size,
                                        network_reachable)
from keras_genzoo.errors import DataError

# Extensions Keras' image_dataset_from_directory accepts (and TF decodes).
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
# PIL format names whose files tf.io.decode_image reads (MPO: phone JPEGs).
_DECODABLE_FORMATS = {"PNG", "JPEG", "MPO", "GIF", "BMP"}

DIGITS_TRAIN_FRACTION = 0.9

#: a decoded split is cached in memory when it needs at most this share of the
#: memory available when it is opened, otherwise on disk
MEMORY_CACHE_SHARE = 0.5


def available_memory_bytes() -> int:
    """Memory the cache may plan with: ``$GENZOO_MEMORY_CACHE_MB`` when set (a
    limit for users and tests), else the kernel's MemAvailable."""
    limit = os.environ.get("GENZOO_MEMORY_CACHE_MB")
    if limit:
        try:
            return int(float(limit) * 2**20)
        except ValueError:
            raise DataError(f"GENZOO_MEMORY_CACHE_MB must be a number of megabytes, "
                            f"got {limit!r}") from None
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 2**34  # unknown: assume a workstation's 16 GiB


def cache_plan(decoded_bytes: int) -> str:
    """``"memory"`` or ``"disk"`` for a split of ``decoded_bytes`` once decoded."""
    return "memory" if decoded_bytes <= MEMORY_CACHE_SHARE * available_memory_bytes() else "disk"


class ImageSource:
    """A dataset split as images in [0, 1] and int32 labels.

    Attributes: ``spec``, ``name`` (human readable), ``split``,
    ``num_examples`` (exact), ``num_classes`` (None when unlabelled),
    ``image_size``, ``channels``; ``kind`` tells it from a
    :class:`~keras_genzoo.data.toy2d.PointSource` (``"points"``).
    """

    kind = "images"
    #: what one example is called in progress lines and throughput
    unit = "images"

    def __init__(self, *, spec, name, split, num_examples, num_classes,
                 image_size, channels, raw_dataset_fn):
        """``raw_dataset_fn() -> tf.data.Dataset`` of ``(image, label)``:
        image float32 in [0, 1], shape (H, W, C) with C in 1..4 (H, W may
        vary), label int32 scalar. Elements come in a fixed order."""
        self.spec = spec
        self.name = name
        self.split = split
        self.num_examples = int(num_examples)
        self.num_classes = None if num_classes is None else int(num_classes)
        self.image_size = int(image_size)
        self.channels = int(channels)
        self._raw_dataset_fn = raw_dataset_fn
        self._elements = None
        self._cache_location = None
        #: the file cache's folder once :meth:`elements` has built one (disk only)
        self.cache_folder = None

    def __repr__(self):
        return (
            f"ImageSource({self.name!r}, split={self.split!r}, "
            f"num_examples={self.num_examples}, image_size={self.image_size}, "
            f"channels={self.channels})"
        )

    def _preprocessed(self):
        return self._raw_dataset_fn().map(
            lambda image, label: (
                preprocess_image(image, self.image_size, self.channels),
                tf.cast(label, tf.int32),
            ),
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=True,
        )

    @property
    def decoded_bytes(self) -> int:
        """Size of the preprocessed split (float32 images and int32 labels)."""
        return self.num_examples * (self.image_size ** 2 * self.channels + 1) * 4

    @property
    def cache_location(self) -> str:
        """Where :meth:`elements` caches: ``"memory"`` or ``"disk"`` (see
        :func:`cache_plan`), decided once, when first asked or when the cache is built."""
        if self._cache_location is None:
            self._cache_location = cache_plan(self.decoded_bytes)
        return self._cache_location

    def elements(self):
        """Unbatched ``(image, label)`` in a fixed order, cached.

        Built once per source: every call returns the same dataset object,
        so every pipeline derived from it shares one cache. A split too large
        for memory goes to a file cache in a folder of its own (a running
        ``tf.data`` file cache must not be shared between processes, e.g. the
        workers of a multi-worker run on one machine), deleted with the source.
        """
        if self._elements is None:
            if self.cache_location == "memory":
                self._elements = self._preprocessed().cache()
            else:
                parent = cache_root() / "tfdata"
                parent.mkdir(parents=True, exist_ok=True)
                folder = tempfile.mkdtemp(prefix="genzoo-tfdata-", dir=parent)
                weakref.finalize(self, shutil.rmtree, folder, True)
                self.cache_folder = pathlib.Path(folder)
                self._elements = self._preprocessed().cache(os.path.join(folder, "elements"))
        return self._elements

    def batches(self, batch_size, *, epoch=0, seed=0, shuffle=True,
                drop_remainder=True):
        """Batched ``(images (B, H, W, C) float32, labels (B,) int32)``.

        The order depends only on ``(seed, epoch)`` (and TensorFlow's global
        seed, which tf.data mixes into every op seed): calling this twice
        with the same pair gives the same batches.
        """
        return batch_pipeline(
            self.elements(), self._check_batch_size(batch_size),
            num_examples=self.num_examples, epoch=epoch, seed=seed,
            shuffle=shuffle, drop_remainder=drop_remainder,
        )

    def steps_per_epoch(self, batch_size):
        """Number of full batches in one epoch (the remainder is dropped)."""
        return self.num_examples // self._check_batch_size(batch_size)

    def take_images(self, n):
        """The first ``n`` images in ``elements()`` order (no shuffling), as
        float32 numpy ``(n, H, W, C)``; fewer when the split is smaller."""
        return self.take_examples(n)[0]

    def take_examples(self, n):
        """``(images, labels)`` of the first ``n`` examples (no shuffling), as
        numpy float32 ``(n, H, W, C)`` and int32 ``(n,)``; fewer when the split
        is smaller."""
        n = int(n)
        empty = (np.zeros((0, self.image_size, self.image_size, self.channels), np.float32),
                 np.zeros((0,), np.int32))
        if n <= 0:
            return empty
        # A separate, uncached pipeline: reading only part of a cached one
        # leaves its cache unfilled and makes tf.data log a warning.
        for images, labels in self._preprocessed().take(n).batch(n):
            return images.numpy(), labels.numpy()
        return empty

    def _check_batch_size(self, batch_size):
        return check_batch_size(batch_size, self.num_examples, name=self.name, split=self.split)


def preprocess_image(image, image_size, channels):
    """float image (H, W, C) in [0, 1] -> (image_size, image_size, channels).

    Channel conversion, center crop to a square, antialiased bilinear resize.
    """
    image = tf.convert_to_tensor(image, tf.float32)
    image = _convert_channels(image, channels)
    height, width = image.shape[0], image.shape[1]
    if height is None or width is None or height != width:
        shape = tf.shape(image)
        side = tf.minimum(shape[0], shape[1])
        image = tf.image.crop_to_bounding_box(
            image, (shape[0] - side) // 2, (shape[1] - side) // 2, side, side
        )
    if (height, width) != (image_size, image_size):
        image = tf.image.resize(
            image, (image_size, image_size), method="bilinear", antialias=True
        )
        image = tf.clip_by_value(image, 0.0, 1.0)
    image = tf.ensure_shape(image, (image_size, image_size, channels))
    return image


def _convert_channels(image, channels):
    have = image.shape[-1]
    if have is None:
        # Unknown at trace time: bring everything to RGB first.
        image = tf.cond(
            tf.shape(image)[-1] >= 3,
            lambda: image[..., :3],
            lambda: tf.image.grayscale_to_rgb(image[..., :1]),
        )
        image.set_shape([None, None, 3])
        have = 3
    if have in (1, 2):  # gray, gray + alpha
        image = image[..., :1]
        return image if channels == 1 else tf.image.grayscale_to_rgb(image)
    image = image[..., :3]  # drop alpha
    return image if channels == 3 else tf.image.rgb_to_grayscale(image)


# ---------------------------------------------------------------------------
# open_source


def open_source(spec, *, image_size, channels, split="train", data_dir=None,
                manual_dir=None, domain_column=None, label_column=None, num_domains=None):
    """Open a dataset spec (see :mod:`keras_genzoo.data.catalog`) as an
    :class:`ImageSource`, a ``toy2d:`` spec as a
    :class:`~keras_genzoo.data.toy2d.PointSource` (``toy1d:``: its 1-D
    subclass), or a ``csv:`` /
    ``domains:`` spec as a :class:`~keras_genzoo.data.tabular.DomainSource`
    (the last two ignore ``image_size`` and ``channels``; they are still
    validated so that callers need not know the kind of source).
    ``data_dir`` / ``manual_dir`` only matter to tfds; ``domain_column``,
    ``label_column`` and ``num_domains`` only to the tabular sources (see
    :func:`~keras_genzoo.data.tabular.open_domains`)."""
    if isinstance(image_size, bool) or not isinstance(image_size, (int, np.integer)) \
            or image_size < 4:
        raise DataError(f"image size must be an integer >= 4, got {image_size!r}")
    if isinstance(channels, bool) or channels not in (1, 3):
        raise DataError(f"channels must be 1 (grayscale) or 3 (RGB), got {channels!r}")
    if not isinstance(split, str) or not split:
        raise DataError(f"split must be a non-empty string, got {split!r}")
    catalog.check_spec(spec)
    kind, arg = catalog.parse_spec(spec)
    if kind == "toy2d":
        return toy2d.open_points(arg, spec=spec, split=split)
    if kind == "toy1d":
        return toy1d.open_points(arg, spec=spec, split=split)
    if kind in ("csv", "domains"):
        return tabular.open_domains(spec, split=split, domain_column=domain_column,
                                    label_column=label_column, num_domains=num_domains)
    common = dict(spec=spec, split=split, image_size=int(image_size), channels=int(channels))
    if kind == "digits":
        return _open_digits(**common)
    if kind == "idx":
        return _open_idx(arg, **common)
    if kind == "folder":
        return _open_folder(arg, **common)
    if kind == "samples":
        return _open_samples(arg, **common)
    return _open_tfds(arg, data_dir=data_dir, manual_dir=manual_dir, **common)


def _from_arrays(images, labels, scale):
    """raw_dataset_fn over in-memory arrays; images stay in their compact
    dtype until the map."""

    def raw_dataset():
        ds = tf.data.Dataset.from_tensor_slices((images, labels))
        return ds.map(
            lambda x, y: (tf.cast(x, tf.float32) / scale, y),
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=True,
        )

    return raw_dataset


# ---------------------------------------------------------------------------
# digits


def _open_digits(*, spec, split, image_size, channels):
    """scikit-learn's 8x8 digits. A fixed permutation (numpy default_rng(0))
    puts the first 90% in ``train`` and the rest in ``test`` (alias
    ``validation``); ``all`` is everything in file order."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = digits.images.astype(np.float32)[..., None]  # (1797, 8, 8, 1), 0..16
    labels = digits.target.astype(np.int32)
    order = np.random.default_rng(0).permutation(len(images))
    cut = int(len(images) * DIGITS_TRAIN_FRACTION)
    if split == "train":
        keep = order[:cut]
    elif split in ("test", "validation"):
        keep = order[cut:]
    elif split == "all":
        keep = np.arange(len(images))
    else:
        raise DataError(
            f"digits has splits train, test (alias validation) and all; got {split!r}"
        )
    images, labels = images[keep], labels[keep]
    return ImageSource(
        spec=spec, name="digits", split=split, num_examples=len(images),
        num_classes=10, image_size=image_size, channels=channels,
        raw_dataset_fn=_from_arrays(images, labels, 16.0),
    )


# ---------------------------------------------------------------------------
# idx


_IDX_SPLIT_PREFIX = {"train": "train", "test": "t10k", "validation": "t10k"}
_IDX_IMAGES_RE = re.compile(r"images[-.]idx\d-ubyte(\.gz)?$")


def _idx_candidates(directory, prefix):
    return [
        os.path.join(directory, f"{prefix}-images{sep}idx3-ubyte{gz}")
        for sep in ("-", ".") for gz in ("", ".gz")
    ]


def _find_idx_images(directory, split):
    try:
        names = sorted(os.listdir(directory))
    except OSError as e:
        raise DataError(f"cannot list IDX folder: {directory} ({e.strerror or e})") from None
    image_files = [n for n in names if _IDX_IMAGES_RE.search(n)
                   and os.path.isfile(os.path.join(directory, n))]
    if not image_files:
        raise DataError(
            f"no IDX images file in folder: {directory} "
            f"(looked for *-images-idx3-ubyte[.gz])"
        )
    if len(image_files) == 1:  # e.g. only the MNIST test set: use it for any split
        return os.path.join(directory, image_files[0])
    if split not in _IDX_SPLIT_PREFIX:
        raise DataError(f"IDX folders have splits train and test; got {split!r}: {directory}")
    prefix = _IDX_SPLIT_PREFIX[split]
    for path in _idx_candidates(directory, prefix):
        if os.path.isfile(path):
            return path
    raise DataError(
        f"no IDX images file for split {split!r} in folder: {directory} "
        f"(looked for {prefix}-images-idx3-ubyte[.gz]; found {', '.join(image_files)})"
    )


def _find_idx_labels(images_path):
    directory, base = os.path.split(images_path)
    if "images" not in base:
        return None
    stem = base[:-3] if base.endswith(".gz") else base
    stem = stem.replace("images", "labels").replace("idx3", "idx1")
    for name in (stem, stem + ".gz"):
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return path
    return None


def _open_idx(path, *, spec, split, image_size, channels):
    """IDX files: a folder with ``{train,t10k}-images-idx3-ubyte[.gz]`` (+
    ``labels-idx1``), or one images file (its split is whatever was asked).
    Without a labels file every label is 0."""
    images_path = _find_idx_images(path, split) if os.path.isdir(path) else path
    images = idx_lib.read_idx_images(images_path)
    if images.ndim == 3:
        images = images[..., None]
    labels_path = _find_idx_labels(images_path)
    if labels_path is None:
        labels = np.zeros(len(images), np.int32)
        num_classes = None
    else:
        labels = idx_lib.read_idx_labels(labels_path, num_images=len(images))
        num_classes = int(labels.max()) + 1 if labels.size else None
    return ImageSource(
        spec=spec, name=f"idx:{os.path.basename(images_path)}", split=split,
        num_examples=len(images), num_classes=num_classes,
        image_size=image_size, channels=channels,
        raw_dataset_fn=_from_arrays(images, labels, 255.0),
    )


# ---------------------------------------------------------------------------
# folder


def _is_image_name(name):
    return name.lower().endswith(IMAGE_EXTENSIONS) and not name.startswith(".")


def _walk_images(directory):
    """Image files under ``directory`` in the order Keras'
    ``image_dataset_from_directory`` indexes them (sorted walk, no links)."""
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(os.path.join(root, f) for f in sorted(files) if _is_image_name(f))
    return found


def index_image_folder(directory):
    """``(paths, labels, class_names)`` for a folder of images.

    With images only inside subfolders, each (sorted) subfolder is a class
    and its images get that label, as ``image_dataset_from_directory(...,
    labels="inferred")`` does; otherwise every image under the folder is
    used with label 0 and ``class_names`` is None.
    """
    entries = sorted(os.listdir(directory))
    top_images = [e for e in entries if _is_image_name(e)
                  and os.path.isfile(os.path.join(directory, e))]
    subdirs = [e for e in entries if not e.startswith(".")
               and os.path.isdir(os.path.join(directory, e))]
    if not top_images and subdirs:
        paths, labels, class_names = [], [], []
        for subdir in subdirs:
            files = _walk_images(os.path.join(directory, subdir))
            if not files:
                continue  # an empty or non-image subfolder is not a class
            paths.extend(files)
            labels.extend([len(class_names)] * len(files))
            class_names.append(subdir)
        return paths, labels, class_names
    paths = _walk_images(directory)
    return paths, [0] * len(paths), None


def _jpeg_ends_cleanly(path):
    # Entropy-coded JPEG data stuffs every 0xFF byte, so an end-of-image
    # marker near the end means the file was written out in full.
    with open(path, "rb") as f:
        f.seek(max(0, os.path.getsize(path) - 1024))
        return b"\xff\xd9" in f.read()


def _verify_image_file(path):
    """Raise DataError unless tf.io.decode_image can read ``path``.

    PIL's verify() checks PNG checksums but not the pixel data of other
    formats, so a JPEG that does not end cleanly and every BMP/GIF is also
    decoded once (a truncated file would otherwise fail deep inside tf.data).
    """
    from PIL import Image

    try:
        with Image.open(path) as image:
            fmt = image.format
            image.verify()
        if fmt in ("BMP", "GIF") or (fmt in ("JPEG", "MPO") and not _jpeg_ends_cleanly(path)):
            with Image.open(path) as image:
                image.load()
    except Exception:  # PIL raises many types (OSError, SyntaxError, ...) for damaged files
        raise DataError(f"corrupt image file: {path} (cannot be decoded)") from None
    if fmt not in _DECODABLE_FORMATS:
        raise DataError(
            f"unsupported image format {fmt} in file: {path} "
            f"(genzoo reads PNG, JPEG, GIF and BMP)"
        )


def _decode_image_file(path):
    data = tf.io.read_file(path)
    # channels=3 converts gray, palette, gray+alpha and RGBA alike (BMP and
    # GIF refuse channels=1); gray images come back with equal channels.
    image = tf.io.decode_image(data, channels=3, expand_animations=False)
    image.set_shape([None, None, 3])
    return tf.cast(image, tf.float32) / 255.0


def _open_folder(path, *, spec, split, image_size, channels):
    """The user's images. Every image is in the ``train`` split (``all`` is
    accepted as an alias); there is no held-out part."""
    if split not in ("train", "all"):
        raise DataError(
            f"folder datasets have one split, 'train' (all images); got {split!r}: {path}"
        )
    paths, labels, class_names = index_image_folder(path)
    if not paths:
        raise DataError(
            f"no images found in folder: {path} "
            f"(looked for {', '.join(IMAGE_EXTENSIONS)})"
        )
    for file_path in paths:
        _verify_image_file(file_path)
    paths_array = np.asarray(paths)
    labels_array = np.asarray(labels, np.int32)
    gray = channels == 1

    def raw_dataset():
        ds = tf.data.Dataset.from_tensor_slices((paths_array, labels_array))

        def load(file_path, label):
            image = _decode_image_file(file_path)
            if gray:
                # Gray files decode to three equal channels: take one so that
                # they stay exact; true color goes through rgb_to_grayscale.
                same = tf.reduce_all(tf.equal(image[..., 0:1], image[..., 1:3]))
                image = tf.cond(same, lambda: image[..., :1],
                                lambda: tf.image.rgb_to_grayscale(image))
            return image, label

        return ds.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)

    return ImageSource(
        spec=spec, name=f"folder:{os.path.basename(os.path.normpath(path))}",
        split=split, num_examples=len(paths),
        num_classes=len(class_names) if class_names else None,
        image_size=image_size, channels=channels, raw_dataset_fn=raw_dataset,
    )


def _open_samples(name, *, spec, split, image_size, channels):
    """Bundled photographs and textures (:mod:`keras_genzoo.data.samples`): like a
    folder, one split of every image (``train``, alias ``all``), unlabelled."""
    if split not in ("train", "all"):
        raise DataError(f"samples: sources have one split, 'train' (all images); got {split!r}")
    names = samples.sample_names(name)
    pixels = [samples.load_sample_image(member) for member in names]

    def raw_dataset():
        return tf.data.Dataset.from_generator(
            lambda: ((image, np.int32(0)) for image in pixels),
            output_signature=(tf.TensorSpec((None, None, 3), tf.float32),
                              tf.TensorSpec((), tf.int32)))

    return ImageSource(
        spec=spec, name=f"samples:{name}", split=split, num_examples=len(pixels),
        num_classes=None, image_size=image_size, channels=channels, raw_dataset_fn=raw_dataset,
    )


# ---------------------------------------------------------------------------
# tensorflow-datasets


def _first_line(error, limit=200):
    text = str(error).strip().splitlines()
    text = text[0] if text else type(error).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _download_hosts(builder):
    """(host, port) pairs of the builder's registered download URLs."""
    from urllib.parse import urlsplit

    try:
        urls = list((builder.url_infos or {}).keys())
    except Exception:  # no checksums file registered for this builder
        urls = []
    hosts = []
    for url in urls + ["https://storage.googleapis.com"]:
        parts = urlsplit(url)
        if parts.hostname:
            port = parts.port or (80 if parts.scheme == "http" else 443)
            if (parts.hostname, port) not in hosts:
                hosts.append((parts.hostname, port))
    return hosts[:3]


def _download_and_prepare(builder, name, data_dir, manual_dir):
    import tensorflow_datasets as tfds

    where = data_dir or os.environ.get("TFDS_DATA_DIR") or "~/tensorflow_datasets"
    failure = (
        f"tfds dataset {name!r} is not prepared in {where} and could not be "
        f"downloaded (offline?); prepare it on a machine with internet "
        f"(python -c \"import tensorflow_datasets as tfds; tfds.builder('{name}', "
        f"data_dir='DIR').download_and_prepare()\"), copy DIR here and pass --data-dir DIR"
    )
    kwargs = {}
    if manual_dir:
        # Manually downloaded archives may need no network at all.
        kwargs["download_config"] = tfds.download.DownloadConfig(manual_dir=manual_dir)
    else:
        hosts = _download_hosts(builder)
        if not network_reachable(hosts):
            raise DataError(f"{failure} [cannot reach {hosts[0][0]}]")
    try:
        builder.download_and_prepare(**kwargs)
    except Exception as e:
        raise DataError(f"{failure} [{type(e).__name__}: {_first_line(e)}]") from None


def _open_tfds(name, *, spec, split, image_size, channels, data_dir, manual_dir):
    """A tensorflow-datasets builder. Prepared data under ``data_dir`` is read
    directly; otherwise one download_and_prepare is attempted, and a failure
    (typically: no network) is a one-line DataError."""
    try:
        import tensorflow_datasets as tfds
    except ImportError:
        raise DataError(
            f"tfds dataset {name!r} needs tensorflow-datasets: pip install tensorflow-datasets"
        ) from None
    from tensorflow_datasets.core.registered import DatasetNotFoundError

    try:
        builder = tfds.builder(name, data_dir=data_dir)
    except DatasetNotFoundError:
        raise DataError(
            f"unknown tfds dataset {name!r} (see `tfds.list_builders()` or the "
            f"TFDS catalog for valid names)"
        ) from None
    except Exception as e:  # bad config name, bad version, ...
        raise DataError(f"cannot open tfds dataset {name!r}: {_first_line(e)}") from None

    features = builder.info.features
    if "image" not in features.keys():
        raise DataError(
            f"tfds dataset {name!r} has no 'image' feature "
            f"(features: {', '.join(sorted(features.keys()))})"
        )
    image_shape = tuple(features["image"].shape)
    if len(image_shape) != 3:
        raise DataError(
            f"tfds dataset {name!r}: 'image' has shape {image_shape}, expected (H, W, C)"
        )
    label_feature = features["label"] if "label" in features.keys() else None
    if label_feature is not None and tuple(getattr(label_feature, "shape", ())) != ():
        label_feature = None  # multi-label or structured: not a class label
    num_classes = getattr(label_feature, "num_classes", None)

    def read_split():
        try:
            return builder.as_dataset(split=split, shuffle_files=False)
        except Exception as e:
            splits = ", ".join(sorted(builder.info.splits.keys())) or "unknown"
            raise DataError(
                f"cannot read split {split!r} of tfds dataset {name!r} "
                f"(splits: {splits}): {_first_line(e)}"
            ) from None

    # Read first, download only when that fails on an unprepared dataset:
    # the prepared case never touches the network (and tfds' mock_data, which
    # fakes as_dataset but not is_prepared, goes through the same path).
    try:
        dataset = read_split()
    except DataError:
        if builder.is_prepared():
            raise
        _download_and_prepare(builder, name, data_dir, manual_dir)
        dataset = read_split()

    num_examples = int(dataset.cardinality())
    if num_examples < 0:
        try:
            num_examples = int(builder.info.splits[split].num_examples)
        except Exception as e:
            raise DataError(
                f"cannot count the examples of split {split!r} of tfds dataset {name!r}: "
                f"{_first_line(e)}"
            ) from None
    if num_examples == 0:
        raise DataError(f"split {split!r} of tfds dataset {name!r} is empty")

    image_feature = features["image"]
    image_dtype = np.dtype(getattr(image_feature, "np_dtype", None) or image_feature.dtype)
    # uint8 (or uint16) pixels scale by their maximum; float images are in [0, 1]
    scale = float(np.iinfo(image_dtype).max) if np.issubdtype(image_dtype, np.integer) else 1.0
    has_label = label_feature is not None

    def to_pair(example):
        image = tf.cast(example["image"], tf.float32) / scale
        label = tf.cast(example["label"], tf.int32) if has_label else tf.constant(0, tf.int32)
        return image, label

    def raw_dataset():
        return dataset.map(to_pair, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)

    return ImageSource(
        spec=spec, name=name, split=split, num_examples=num_examples,
        num_classes=num_classes, image_size=image_size, channels=channels,
        raw_dataset_fn=raw_dataset,
    )
