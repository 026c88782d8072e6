"""Feature extractors for the distribution metrics (``--features``).

FID, KID, precision/recall and density/coverage compare two sets of images
through an embedding; which embedding is part of the number (numbers from
different extractors are not comparable, docs/evaluation.md). Three kinds:

* ``inception``: InceptionV3's pool3 layer (2048-d), the embedding of FID
  (Heusel et al. 2017, arXiv:1706.08500) and IS (Salimans et al. 2016,
  arXiv:1606.03498), through ``keras.applications.InceptionV3``; images are
  resized to 299x299 and grayscale is repeated over three channels. Weights
  come from ``--inception-weights PATH``, else Keras' cache
  (``$KERAS_HOME/models``, default ``~/.keras/models``), else a download when
  the network is reachable; offline without weights it is one clear error.
* ``classifier:<run>``: the penultimate layer of a run of ``genzoo train
  classifier`` (:mod:`keras_genzoo.models.classifier`), trained on the
  dataset itself: meaningful, and entirely offline, for digit-like data.
* ``random``: a fixed, randomly initialised conv network (seeded, so it is the
  same network on every machine). Naeem et al. 2020 (arXiv:2002.09797,
  section 5) show that random embeddings already rank generators sensibly
  for density/coverage; it needs nothing but this package.

Every extractor maps NHWC float images in [0, 1] to ``[N, D]`` float32
features; :meth:`FeatureExtractor.probabilities` gives class probabilities
for the inception score when the extractor has a classifier head.
"""

from __future__ import annotations

import hashlib
import os
import pathlib

import numpy as np

from keras_genzoo import runs
from keras_genzoo.data.pipeline import keras_cache_dir, network_reachable
from keras_genzoo.errors import ConfigError

FEATURE_KINDS = ("inception", "classifier:RUN", "random")

INCEPTION_SIZE = 299
#: the Keras Applications file names (what ``weights="imagenet"`` downloads)
INCEPTION_WEIGHTS_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
INCEPTION_NOTOP_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
INCEPTION_URL = ("https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
                 + INCEPTION_WEIGHTS_FILE)
#: the random embedding's widths and seed: part of its identity, never change them silently
RANDOM_FILTERS = (64, 128, 256, 512)
RANDOM_SEED = 20200209  # Naeem et al.'s arXiv date, any fixed number would do


class FeatureExtractor:
    """Images in [0, 1] -> features; subclasses set the attributes below."""

    #: ``--features`` spelling, e.g. ``classifier:runs/classifier``
    spec: str = ""
    #: what the cache key must change with (weights file, checkpoint ...)
    identity: str = ""
    #: required image size and channels (None: any, the extractor adapts)
    image_size: int | None = None
    channels: int | None = None
    has_probabilities: bool = False
    batch_size: int = 256

    def check_images(self, image_size: int, channels: int) -> None:
        """One-line error when images of this shape cannot be embedded."""
        if self.image_size is not None and (image_size, channels) != (self.image_size,
                                                                      self.channels):
            raise ConfigError(
                f"--features {self.spec} embeds {self.image_size}x{self.image_size}x"
                f"{self.channels} images (the classifier's training shape) but the images to "
                f"evaluate are {image_size}x{image_size}x{channels}; train a classifier with "
                f"--image-size {image_size} --set channels={channels} on the same data"
            )

    def features_and_probabilities(self, images) -> tuple[np.ndarray, np.ndarray | None]:
        """``(features [N, D], probabilities [N, C] or None)`` in batches."""
        import tensorflow as tf

        images = np.asarray(images, np.float32)
        if images.ndim != 4:
            raise ConfigError(f"feature extractors take NHWC images, got shape {images.shape}")
        self.check_images(images.shape[1], images.shape[3])
        features, probabilities = [], []
        for start in range(0, len(images), self.batch_size):
            chunk = tf.convert_to_tensor(images[start:start + self.batch_size])
            embedded, probs = self._embed(chunk)
            features.append(np.asarray(embedded, np.float32))
            if probs is not None:
                probabilities.append(np.asarray(probs, np.float32))
        if not features:
            raise ConfigError("no images to embed")
        return (np.concatenate(features),
                np.concatenate(probabilities) if probabilities else None)

    def _embed(self, images):
        raise NotImplementedError

    def _run_rgb_network(self, images, *, size: int | None = None, scale_to_symmetric=False):
        """``self.network`` on ``images`` made RGB (grayscale repeated), optionally
        resized to ``size`` and mapped from [0, 1] to [-1, 1]; one traced function."""
        import tensorflow as tf

        if getattr(self, "_compiled", None) is None:
            @tf.function(reduce_retracing=True)
            def run(batch):
                if batch.shape[-1] == 1:
                    batch = tf.repeat(batch, 3, axis=-1)
                if size:
                    batch = tf.image.resize(batch, [size, size], method="bilinear")
                if scale_to_symmetric:
                    batch = batch * 2.0 - 1.0
                return self.network(batch, training=False)

            self._compiled = run
        return self._compiled(images)

    def describe(self) -> str:
        return self.spec


# ----------------------------------------------------------------- inception
def _inception_weights_source(weights: str | None) -> tuple[str | None, bool]:
    """``(weights argument for keras.applications, include_top)``.

    ``weights`` is a file path, ``"random"`` (random initialisation: shapes
    only, for tests), or None: Keras' cache, then a download if the network
    answers, else one error saying how to get the file onto this machine.
    """
    if weights == "random":
        return None, True
    if weights:
        path = pathlib.Path(weights).expanduser()
        if not path.is_file():
            raise ConfigError(f"--inception-weights: no such file: {path}")
        return str(path), "notop" not in path.name
    for name, top in ((INCEPTION_WEIGHTS_FILE, True), (INCEPTION_NOTOP_FILE, False)):
        cached = keras_cache_dir() / name
        if cached.is_file():
            return str(cached), top
    if network_reachable([("storage.googleapis.com", 443)], timeout=3.0):
        return "imagenet", True
    raise ConfigError(
        "InceptionV3 weights are not on this machine and the network is unreachable: on a "
        f"machine with internet download {INCEPTION_URL}, copy it here and pass "
        f"--inception-weights PATH (or put it in {keras_cache_dir()}/); offline alternatives: "
        "--features classifier:RUN or --features random"
    )


def _file_identity(path: str) -> str:
    """Name, size and a hash of the first MiB: cheap, and changes with the file."""
    with open(path, "rb") as handle:
        head = hashlib.sha1(handle.read(1 << 20)).hexdigest()[:16]
    return f"{os.path.basename(path)}:{os.path.getsize(path)}:{head}"


class InceptionFeatures(FeatureExtractor):
    """InceptionV3 pool3 (2048-d) and, with the top, its 1000 ImageNet class probabilities."""

    batch_size = 64

    def __init__(self, weights: str | None = None):
        import keras

        source, include_top = _inception_weights_source(weights)
        self.spec = "inception"
        self.identity = ("inception:random" if source is None
                         else "inception:imagenet" if source == "imagenet"
                         else "inception:" + _file_identity(source))
        try:
            base = keras.applications.InceptionV3(
                include_top=include_top, weights=source,
                input_shape=(INCEPTION_SIZE, INCEPTION_SIZE, 3),
                pooling=None if include_top else "avg")
        except (OSError, ValueError) as error:
            raise ConfigError(f"cannot load InceptionV3 weights from {source}: "
                              f"{str(error).splitlines()[0]}") from None
        if include_top:
            self.network = keras.Model(base.input, [base.get_layer("avg_pool").output,
                                                    base.output])
        else:
            self.network = base
        self.has_probabilities = include_top
        self._compiled = None

    def _embed(self, images):
        # keras.applications.inception_v3.preprocess_input maps pixels to [-1, 1]
        outputs = self._run_rgb_network(images, size=INCEPTION_SIZE, scale_to_symmetric=True)
        if self.has_probabilities:
            return outputs[0], outputs[1]
        return outputs, None


# ---------------------------------------------------------------- classifier
class ClassifierFeatures(FeatureExtractor):
    """The ``features`` layer of a trained ``classifier`` run, and its softmax."""

    def __init__(self, run_dir: str):
        path = pathlib.Path(run_dir)
        if not path.is_dir():
            raise ConfigError(f"--features classifier:{run_dir}: no such run directory")
        saved = runs.read_run_config(path)
        if saved.get("model") != "classifier":
            raise ConfigError(
                f"--features classifier:{run_dir} needs a classifier run (genzoo train "
                f"classifier --dataset ...); {run_dir} is a {saved.get('model')} run")
        runs.find_checkpoint(path).require(path, action="train the classifier first")
        self.model, _ = runs.load_trained_model(path)
        latest = self.model.checkpoint_path  # the one restored, not a newer one since
        self.spec = f"classifier:{run_dir}"
        # the index file's hash changes whenever the classifier is retrained
        self.identity = (f"classifier:{path.resolve()}:{os.path.basename(latest)}:"
                         f"{_file_identity(latest + '.index')}")
        self.image_size = self.model.config.image_size
        self.channels = self.model.config.channels
        self.has_probabilities = True

    def _embed(self, images):
        import tensorflow as tf

        logits, features = self.model._infer(images)
        return features, tf.nn.softmax(logits)


# -------------------------------------------------------------------- random
class RandomFeatures(FeatureExtractor):
    """A fixed random-init conv embedding (He-normal weights from a constant seed).

    Four 3x3 stride-2 convolutions (64, 128, 256, 512 filters, ReLU) and
    global average pooling: 512-d, any image size of at least 16, grayscale
    repeated to three channels so that one network serves every dataset.
    """

    def __init__(self):
        import keras

        self.spec = "random"
        self.identity = f"random:{RANDOM_SEED}:{'-'.join(map(str, RANDOM_FILTERS))}"
        inputs = keras.Input((None, None, 3))
        h = inputs
        for index, filters in enumerate(RANDOM_FILTERS):
            h = keras.layers.Conv2D(
                filters, 3, strides=2, padding="same", activation="relu",
                kernel_initializer=keras.initializers.HeNormal(seed=RANDOM_SEED + index),
                bias_initializer="zeros")(h)
        outputs = keras.layers.GlobalAveragePooling2D()(h)
        self.network = keras.Model(inputs, outputs, name="random_features")
        self._compiled = None

    def check_images(self, image_size: int, channels: int) -> None:
        if image_size < 16:
            raise ConfigError(f"--features random needs images of at least 16x16, got "
                              f"{image_size}x{image_size}; train the model at a larger "
                              "--image-size, or use classifier:RUN")

    def _embed(self, images):
        return self._run_rgb_network(images, scale_to_symmetric=True), None


def make_extractor(spec: str, *, inception_weights: str | None = None) -> FeatureExtractor:
    """The extractor a ``--features`` value names; unknown names list the valid ones."""
    spec = (spec or "").strip()
    if spec == "inception":
        return InceptionFeatures(inception_weights)
    if spec == "random":
        return RandomFeatures()
    if spec.startswith("classifier:") and spec.split(":", 1)[1]:
        return ClassifierFeatures(spec.split(":", 1)[1])
    raise ConfigError(f"unknown --features '{spec}'; valid: {', '.join(FEATURE_KINDS)}")
