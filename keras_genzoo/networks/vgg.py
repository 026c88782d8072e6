"""VGG-19 as a fixed feature extractor, and the AdaIN decoder that mirrors it.

Simonyan & Zisserman 2015, "Very Deep Convolutional Networks for Large-Scale
Image Recognition" (arXiv:1409.1556), configuration E. Style transfer reads
its ReLU activations: Gatys, Ecker & Bethge 2016 ("Image Style Transfer
Using Convolutional Neural Networks", CVPR) match Gram matrices of
relu1_1..relu5_1; Huang & Belongie 2017 ("Arbitrary Style Transfer in
Real-time with Adaptive Instance Normalization", arXiv:1703.06868,
section 6.1) use VGG-19 up to relu4_1 as the encoder f, match means and
standard deviations at relu1_1..relu4_1, and train a decoder g that
mirrors f.

Keras names the layers by block: ``block1_conv1`` is relu1_1 (Keras' VGG
convolutions carry their ReLU). The encoder takes RGB in [0, 1];
:class:`~keras_genzoo.layers.style_transfer.VGGInput` converts to the
network's own input.

Weights (``vgg_weights``): a path to Keras' VGG-19 "notop" file, or
``"imagenet"``: the same file from Keras' cache, else downloaded when the
network answers, else one error naming the file and the alternatives; or
``"random"``: a seeded He-normal initialisation (He et al. 2015,
arXiv:1502.01852), which keeps the activations' scale through the 10 ReLU
layers, at order 1 (the first layer in [0, 1] pixel units). Random convolutional features still carry texture statistics (He,
Wang & Hopcroft 2016, arXiv:1606.04801; Ustyuzhaninov et al. 2016,
arXiv:1606.00021), so transfers run and train, with cruder textures than
ImageNet features give (docs/models/style-transfer.md).
"""

from __future__ import annotations

import pathlib

import keras
import numpy as np

from keras_genzoo.data.pipeline import keras_cache_dir, network_reachable
from keras_genzoo.errors import ConfigError
from keras_genzoo.layers.style_transfer import ReflectionPadding2D, VGGInput

VGG19_NOTOP_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
VGG19_NOTOP_URL = ("https://storage.googleapis.com/tensorflow/keras-applications/vgg19/"
                   + VGG19_NOTOP_FILE)

#: the activations the style losses read, by the papers' names -> Keras' layer names
STYLE_LAYERS = {"relu1_1": "block1_conv1", "relu2_1": "block2_conv1",
                "relu3_1": "block3_conv1", "relu4_1": "block4_conv1"}
#: Gatys et al. 2016 also use relu5_1 for style and relu4_2 for content (section 3)
GATYS_LAYERS = {**STYLE_LAYERS, "relu5_1": "block5_conv1", "relu4_2": "block4_conv2"}


def resolve_vgg_weights(weights: str, *, flag: str = "--vgg-weights") -> str | None:
    """What ``keras.applications.VGG19(weights=...)`` is given for a ``vgg_weights`` value.

    ``"random"`` -> None (initialised by :func:`vgg19_encoder`); a path -> that file
    (it must exist); ``"imagenet"`` -> the Keras cache's file, else ``"imagenet"``
    (Keras downloads it) when the download host answers, else a one-line
    :class:`ConfigError` that names the file and the offline alternatives.
    """
    if weights == "random":
        return None
    if weights != "imagenet":
        path = pathlib.Path(weights).expanduser()
        if not path.is_file():
            raise ConfigError(f"{flag}: no such file: {path}")
        return str(path)
    cached = keras_cache_dir() / VGG19_NOTOP_FILE
    if cached.is_file():
        return str(cached)
    if network_reachable([("storage.googleapis.com", 443)], timeout=3.0):
        return "imagenet"
    raise ConfigError(
        f"VGG-19 ImageNet weights ({VGG19_NOTOP_FILE}) are not on this machine and the "
        f"network is unreachable: on a machine with internet download {VGG19_NOTOP_URL}, "
        f"copy it here and pass {flag} PATH (or put it in {keras_cache_dir()}/); offline "
        "alternative: --set vgg_weights=random (seeded random features, cruder textures)")


def vgg19_encoder(weights: str = "random", *, seed: int = 0,
                  layers: dict[str, str] | None = None, name: str = "vgg19_encoder",
                  flag: str = "--vgg-weights") -> keras.Model:
    """A frozen VGG-19 from RGB images in [0, 1] (any size) to the activations
    ``layers`` (default :data:`STYLE_LAYERS`, relu1_1..relu4_1), a list in that order.

    Only the convolutions up to the last requested layer are part of the model.
    """
    layers = dict(layers or STYLE_LAYERS)
    source = resolve_vgg_weights(weights, flag=flag)
    try:
        base = keras.applications.VGG19(include_top=False, weights=source,
                                        input_shape=(None, None, 3))
    except (OSError, ValueError) as error:
        raise ConfigError(f"cannot load VGG-19 weights from {source}: "
                          f"{str(error).splitlines()[0]}") from None
    if source is None:
        _initialise_he_normal(base, seed)
    body = keras.Model(base.input, [base.get_layer(layer).output for layer in layers.values()],
                       name=f"{name}_body")
    image = keras.Input((None, None, 3), name="image")
    outputs = body(VGGInput(name="vgg_input")(image))
    encoder = keras.Model(image, list(outputs), name=name)
    encoder.trainable = False
    encoder.feature_names = tuple(layers)
    return encoder


def _initialise_he_normal(model: keras.Model, seed: int) -> None:
    """Every convolution of ``model``: kernel ~ N(0, 2 / fan_in) (the first: in [0, 1]
    pixel units), bias 0, from ``seed``."""
    rng = np.random.default_rng(seed)
    # The first layer reads VGGInput's 0..255 pixel units: dividing its kernel by 255
    # makes it see [0, 1] units, so every activation is of order 1 (He-normal keeps the
    # scale from there on). At the 0..255 scale the untrained decoder's first outputs
    # are ~1e4 and its first Adam steps leave most of its ReLUs dead.
    for index, layer in enumerate(
            [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]):
        kernel, bias = layer.get_weights()
        std = np.sqrt(2.0 / np.prod(kernel.shape[:-1])) / (255.0 if index == 0 else 1.0)
        layer.set_weights([rng.normal(0.0, std, kernel.shape).astype(np.float32),
                           np.zeros_like(bias)])


def adain_decoder(channels: int = 512, name: str = "decoder") -> keras.Model:
    """The decoder g of Huang & Belongie 2017 (section 6.1): relu4_1 features
    ``[B, H/8, W/8, channels]`` -> an RGB image ``[B, H, W, 3]``.

    It mirrors VGG-19 up to relu4_1: pooling becomes nearest-neighbour
    upsampling (the paper: to reduce checkerboard effects), every 3x3
    convolution is preceded by reflection padding, and there is no
    normalization layer (instance or batch normalization would normalize the
    style away). The last convolution is linear; images are clipped to
    [0, 1] only where they are shown or served.
    """
    # (filters, upsample before this convolution) from relu4_1 down to the pixels
    plan = [(256, False), (256, True), (256, False), (256, False), (128, False),
            (128, True), (64, False), (64, True), (3, False)]
    features = keras.Input((None, None, channels), name="features")
    x = features
    for index, (filters, upsample) in enumerate(plan):
        if upsample:
            x = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"up{index}")(x)
        x = ReflectionPadding2D(1, name=f"pad{index}")(x)
        last = index == len(plan) - 1
        x = keras.layers.Conv2D(filters, 3, padding="valid",
                                activation=None if last else "relu",
                                dtype="float32" if last else None, name=f"conv{index}")(x)
    return keras.Model(features, x, name=name)
