"""Optimisation-based style transfer: Gatys, Ecker & Bethge 2016, "Image Style Transfer
Using Convolutional Neural Networks" (CVPR).

The image itself is the variable. Its loss (section 2, eq. 7) is

    L = content_weight * L_content + style_weight * L_style + tv_weight * L_tv

* ``L_content`` (eq. 1): the squared distance between the image's and the content
  image's relu4_2 activations of a fixed VGG-19 (section 3: conv4_2), here as a mean
  (:func:`keras_genzoo.losses.style.content_loss`) divided by the mean square of the
  content image's activations;
* ``L_style`` (eq. 3-5): the Gram-matrix distances at relu1_1, relu2_1, relu3_1,
  relu4_1 and relu5_1, each layer weighted 1/5 as in the paper
  (:func:`keras_genzoo.losses.style.gram_style_loss`) and divided by the mean square
  of the style image's Gram matrix at that layer;
* ``L_tv``: a total-variation smoothness term (Mahendran & Vedaldi 2015), which the
  paper's released code adds and which keeps random-VGG results free of pixel noise
  (:func:`keras_genzoo.losses.style.total_variation`).

Three departures from the paper, all for a usable command. The terms are relative
errors (the divisions above): a Gram term grows with the 4th power of the activations'
scale and the content term with the 2nd, so the paper's weight ratio (1e-3 to 1e-4)
only suits the activations of its own network, while relative terms let one set of
weights serve ImageNet features (activations in the hundreds) and random ones (order
1). The image starts from the
content image (the paper starts from white noise, section 2.3, and notes that starting
from the content gives the same kind of result, faster and deterministically), and its
pixels stay in [0, 1] (L-BFGS-B box bounds; Adam clips after every step), so the result
is an image without a final clipping that would change it.

Optimisers: L-BFGS (the paper's choice, section 3) through
``scipy.optimize.minimize(method="L-BFGS-B", jac=True)``, fed the loss and its gradient
from one ``tf.function`` and cast to float64 (scipy's line search works in float64), or
``keras.optimizers.Adam`` on a ``tf.Variable``.

The default weights (:class:`GatysConfig`: content 1, style 10, TV 1) make the terms
comparable: from the content image the relative style term is about 0.1 (so 1 after
weighting), the pixels' mean absolute difference about 0.07, and after 40 L-BFGS steps
on random VGG-19 features at 96x96 (chelsea in the style of immunohistochemistry)
content and style terms meet at about 0.1 and 0.003: the cat is drawn with the slide's
texture and colours (docs/benchmarks.md). A larger ``style_weight`` gives more
texture and less content; the TV term removes the pixel noise random features leave.
"""

from __future__ import annotations

import dataclasses
import time

import keras
import numpy as np
import scipy.optimize
import tensorflow as tf

from keras_genzoo.config import (MAX_STEPS, check_count, require_non_negative,
                                 require_positive)
from keras_genzoo.errors import ConfigError
from keras_genzoo.losses.style import content_loss, gram_matrix, gram_style_loss, total_variation
from keras_genzoo.networks.vgg import GATYS_LAYERS, vgg19_encoder

#: Gatys et al. 2016, section 3: style at relu1_1..relu5_1, content at relu4_2
GATYS_STYLE_LAYERS = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")
GATYS_CONTENT_LAYER = "relu4_2"
OPTIMIZERS = ("lbfgs", "adam")
#: the names of the loss record's columns, in order
LOSS_NAMES = ("content", "style", "tv", "total")


@dataclasses.dataclass(frozen=True)
class GatysConfig:
    """Settings of :func:`gatys_transfer` (``genzoo stylize --method gatys``; ``--set``
    takes every key)."""

    #: optimisation steps: L-BFGS iterations (each a few loss evaluations) or Adam updates
    steps: int = 200
    optimizer: str = "lbfgs"
    #: the weights of eq. 7 (alpha, beta) and of the total-variation term
    content_weight: float = 1.0
    style_weight: float = 10.0
    tv_weight: float = 1.0
    #: Adam's step size, in pixel units (images in [0, 1])
    learning_rate: float = 0.02
    #: "imagenet" (Keras' file: cache, download, or the one-line offline error), a path
    #: to that file, or "random" (seeded He-normal features, cruder textures)
    vgg_weights: str = "imagenet"
    vgg_seed: int = 0

    def validate(self) -> None:
        check_count(self.steps, "steps", MAX_STEPS, error=ConfigError)
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, "
                              f"got {self.optimizer!r}")
        require_non_negative(self, "content_weight", "style_weight", "tv_weight")
        require_positive(self, "learning_rate")
        if self.content_weight == 0 and self.style_weight == 0:
            raise ConfigError("content_weight and style_weight are both 0: nothing to optimise")


@dataclasses.dataclass
class GatysResult:
    """The stylized image ``[H, W, 3]`` in [0, 1] and the losses: ``losses[k]`` holds
    :data:`LOSS_NAMES` of the image after ``k`` steps (``losses[0]``: the content image
    it starts from). The terms are unweighted; ``total`` is eq. 7's weighted sum."""

    image: np.ndarray
    losses: list[dict[str, float]]
    seconds: float


def gatys_encoder(config: GatysConfig, flag: str = "--vgg-weights") -> keras.Model:
    """The fixed VGG-19 of the method: relu1_1..relu5_1 then relu4_2."""
    layers = {name: GATYS_LAYERS[name] for name in (*GATYS_STYLE_LAYERS, GATYS_CONTENT_LAYER)}
    return vgg19_encoder(config.vgg_weights, seed=config.vgg_seed, layers=layers,
                         name="gatys_vgg19", flag=flag)


class GatysLoss:
    """Eq. 7 for one content and one style image: ``parts(image)`` gives the unweighted
    content, style and TV terms and the weighted total, ``value_and_gradient(image)``
    the total and its gradient with respect to the pixels."""

    def __init__(self, encoder: keras.Model, content: np.ndarray, style: np.ndarray,
                 config: GatysConfig):
        self.encoder, self.config = encoder, config
        count = len(GATYS_STYLE_LAYERS)
        content_features = encoder(_batch(content))
        self.content_target = content_features[count]
        self.style_grams = [gram_matrix(features) for features in encoder(_batch(style))[:count]]
        # Each term relative to its target's own size: the content MSE over the mean
        # square of the target features, each layer's Gram term over the mean square of
        # the style's Gram matrix. Gram terms grow with the 4th power of the feature
        # scale and the content term with the 2nd, so unnormalized weights that suit
        # ImageNet features (activations in the hundreds) fail random ones (order 1).
        self.content_scale = tf.reduce_mean(tf.square(self.content_target))
        self.layer_weights = [1.0 / (count * tf.reduce_mean(tf.square(gram)))
                              for gram in self.style_grams]

    @tf.function(reduce_retracing=True)
    def parts(self, image):
        features = self.encoder(image[None])
        count = len(GATYS_STYLE_LAYERS)
        content = content_loss(features[count], self.content_target)[0] / self.content_scale
        style = gram_style_loss(features[:count], self.style_grams, self.layer_weights)[0]
        smooth = total_variation(image[None])[0]
        total = (self.config.content_weight * content + self.config.style_weight * style
                 + self.config.tv_weight * smooth)
        return content, style, smooth, total

    @tf.function(reduce_retracing=True)
    def value_and_gradient(self, image):
        with tf.GradientTape() as tape:
            tape.watch(image)
            total = self.parts(image)[3]
        return total, tape.gradient(total, image)

    def record(self, image) -> dict[str, float]:
        values = self.parts(tf.convert_to_tensor(image, tf.float32))
        return {name: float(value) for name, value in zip(LOSS_NAMES, values)}


def gatys_transfer(content: np.ndarray, style: np.ndarray, config: GatysConfig | None = None,
                   *, encoder: keras.Model | None = None, progress=None) -> GatysResult:
    """Stylize ``content`` ``[H, W, 3]`` (RGB in [0, 1]) with ``style`` ``[h, w, 3]``.

    ``encoder`` (default: :func:`gatys_encoder` of ``config``) must give the five style
    activations then the content activation. ``progress(step, losses)`` is called after
    every step.
    """
    config = config or GatysConfig()
    encoder = encoder or gatys_encoder(config)
    content = np.asarray(content, np.float32)
    loss = GatysLoss(encoder, content, np.asarray(style, np.float32), config)
    started = time.perf_counter()
    losses = [loss.record(content)]

    def step_done(image):
        losses.append(loss.record(image))
        if progress is not None:
            progress(len(losses) - 1, losses[-1])

    if config.optimizer == "lbfgs":
        image = _lbfgs(loss, content, config.steps, step_done)
    else:
        image = _adam(loss, content, config, step_done)
    return GatysResult(image=image, losses=losses, seconds=time.perf_counter() - started)


def _lbfgs(loss: GatysLoss, start: np.ndarray, steps: int, step_done) -> np.ndarray:
    """L-BFGS-B over the flattened pixels, each bounded to [0, 1]."""
    shape = start.shape

    def value_and_gradient(flat):
        value, gradient = loss.value_and_gradient(
            tf.convert_to_tensor(flat.reshape(shape), tf.float32))
        return float(value), gradient.numpy().astype(np.float64).ravel()

    # ftol/gtol 0: run the requested number of iterations unless the line search fails
    result = scipy.optimize.minimize(
        value_and_gradient, start.astype(np.float64).ravel(), jac=True, method="L-BFGS-B",
        bounds=scipy.optimize.Bounds(0.0, 1.0),
        callback=lambda flat: step_done(flat.reshape(shape)),
        options={"maxiter": steps, "maxfun": 20 * steps + 20, "ftol": 0.0, "gtol": 0.0})
    return result.x.reshape(shape).astype(np.float32)


def _adam(loss: GatysLoss, start: np.ndarray, config: GatysConfig, step_done) -> np.ndarray:
    """Adam on the pixels, projected back onto [0, 1] after every update."""
    image = tf.Variable(start, dtype=tf.float32, name="stylized_image")
    optimizer = keras.optimizers.Adam(learning_rate=config.learning_rate)
    optimizer.build([image])

    @tf.function
    def update():
        _, gradient = loss.value_and_gradient(tf.convert_to_tensor(image))
        optimizer.apply_gradients([(gradient, image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))

    for _ in range(config.steps):
        update()
        step_done(image.numpy())
    return image.numpy()


def _batch(image) -> tf.Tensor:
    return tf.convert_to_tensor(np.asarray(image, np.float32)[None])
