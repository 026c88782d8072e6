"""A small CNN classifier whose penultimate layer is a feature space for evaluation.

The Frechet distance of Heusel et al. 2017 (arXiv:1706.08500) compares two
sets of images through the features of a network trained to recognise them.
InceptionV3's pool3 layer is the standard choice for natural images, but its
weights must be downloaded and its ImageNet classes say little about
handwritten digits. Trained on the dataset itself, a small classifier gives
features that separate exactly the classes a digit generator must produce
(a Frechet distance in the features of a digit classifier, a common
substitute for Inception on MNIST-like data), and it trains offline in a
minute: ``genzoo train classifier --dataset digits``, then
``genzoo eval RUN --features classifier:runs/classifier``.

The network: two blocks of two 3x3 convolutions (the second strided),
flattening, a dense ReLU layer named ``features`` (the
evaluation's embedding, ``feature_dim`` wide), dropout, and the class logits.
Trained with softmax cross-entropy and Adam.
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import tensorflow as tf

from keras_genzoo import config as config_lib
from keras_genzoo.errors import GenzooError
from keras_genzoo.models.base import GenzooModel

#: name of the layer whose output is the evaluation's feature space
FEATURE_LAYER = "features"


@dataclasses.dataclass(frozen=True)
class ClassifierConfig:
    image_size: int = 32
    channels: int = 1
    num_classes: int = 10
    #: filters of the first block (the second has twice as many)
    base_filters: int = 32
    #: width of the penultimate layer: the dimension of the evaluation features
    feature_dim: int = 128
    dropout: float = 0.3
    learning_rate: float = 1e-3

    def validate(self):
        config_lib.require_image_shape(self, min_size=8)
        config_lib.require_at_least(self, "num_classes", 2)
        config_lib.require_positive(self, "base_filters", "feature_dim", "learning_rate")
        config_lib.require_fraction(self, "dropout")


def build_classifier_network(c: ClassifierConfig) -> keras.Model:
    """``images -> [logits, features]`` (features: the penultimate ReLU layer)."""
    images = keras.Input((c.image_size, c.image_size, c.channels), name="images")
    h = images
    for block, filters in enumerate((c.base_filters, 2 * c.base_filters)):
        h = keras.layers.Conv2D(filters, 3, padding="same", activation="relu",
                                name=f"block{block}_conv")(h)
        h = keras.layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu",
                                name=f"block{block}_down")(h)
    # Flatten, not global pooling: where a stroke lies tells a 7 from a 1
    h = keras.layers.Flatten(name="flatten")(h)
    features = keras.layers.Dense(c.feature_dim, activation="relu", name=FEATURE_LAYER)(h)
    dropped = keras.layers.Dropout(c.dropout, name="dropout")(features)
    logits = keras.layers.Dense(c.num_classes, name="logits")(dropped)
    return keras.Model(images, [logits, features], name="classifier")


@keras.saving.register_keras_serializable("keras_genzoo")
class Classifier(GenzooModel):
    """Image classifier trained with softmax cross-entropy; its features feed FID/KID/PRDC."""

    config_class = ClassifierConfig
    registry_name = "classifier"
    kind = "classifier"
    evaluates_held_out = True

    def sample_grid(self, num, *, seed=0, label=None, prior=False, held_out=None):
        raise GenzooError("a classifier has nothing to sample; use its run as "
                          "genzoo eval --features classifier:RUN")
    metric_names = ("loss", "accuracy")

    def __init__(self, config=None, **kwargs):
        super().__init__(config, **kwargs)
        self.classifier = build_classifier_network(self.config)

    def call(self, inputs, training=False):
        images, _ = self.unpack(inputs)
        return self.classifier(images, training=training)[0]

    def networks(self):
        return {"classifier": self.classifier}

    def default_optimizers(self):
        return {"classifier": keras.optimizers.Adam(self.config.learning_rate)}

    def num_classes(self) -> int:
        return self.config.num_classes

    def train_step(self, data):
        images, labels = self.unpack(data)
        if labels is None:
            raise ValueError("the classifier trains on (images, labels) batches")
        labels = tf.cast(labels, tf.int32)
        with tf.GradientTape() as tape:
            logits, _ = self.classifier(images, training=True)
            logits = tf.cast(logits, tf.float32)
            per_example = tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits)
            loss = self.average_over_global_batch(per_example)
            scaled = self.scaled_loss(self.network_optimizers["classifier"], loss)
        self.apply_gradients("classifier", tape, scaled)
        correct = tf.cast(tf.equal(tf.argmax(logits, axis=-1, output_type=tf.int32), labels),
                          tf.float32)
        return self.record({"loss": tf.reduce_mean(per_example), "accuracy": tf.reduce_mean(correct)})

    # ------------------------------------------------------------ inference
    def predict_batches(self, images, batch_size: int = 500) -> tuple[np.ndarray, np.ndarray]:
        """``(class probabilities, features)`` of ``images`` (NHWC in [0, 1]), in batches."""
        probabilities, features = [], []
        for start in range(0, len(images), batch_size):
            chunk = tf.convert_to_tensor(images[start:start + batch_size], tf.float32)
            logits, embedded = self._infer(chunk)
            probabilities.append(tf.nn.softmax(logits).numpy())
            features.append(embedded.numpy())
        width = self.config.feature_dim
        if not probabilities:
            return np.zeros((0, self.config.num_classes)), np.zeros((0, width))
        return np.concatenate(probabilities), np.concatenate(features)

    @tf.function(reduce_retracing=True)
    def _infer(self, images):
        logits, features = self.classifier(images, training=False)
        return tf.cast(logits, tf.float32), tf.cast(features, tf.float32)

    def evaluation_metrics(self, images, labels=None) -> dict[str, float]:
        """Held-out accuracy and cross-entropy, logged as ``val_accuracy`` / ``val_loss``."""
        probabilities, _ = self.predict_batches(np.asarray(images, np.float32))
        labels = np.asarray(labels).astype(np.int64)
        picked = probabilities[np.arange(len(labels)), labels]
        return {"accuracy": float(np.mean(np.argmax(probabilities, axis=1) == labels)),
                "loss": float(np.mean(-np.log(np.maximum(picked, 1e-12))))}

    # --------------------------------------------------------------- export
    def export_signatures(self):
        module = tf.Module()
        module.classifier = self.classifier
        c = self.config
        image_spec = tf.TensorSpec([None, c.image_size, c.image_size, c.channels], tf.float32,
                                   name="x")

        @tf.function(input_signature=[image_spec])
        def serving_default(x):
            logits, features = module.classifier(x, training=False)
            return {"probabilities": tf.nn.softmax(tf.cast(logits, tf.float32)),
                    "features": tf.cast(features, tf.float32)}

        return module, {"serving_default": serving_default}
