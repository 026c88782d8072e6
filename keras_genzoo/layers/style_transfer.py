"""Layers of the style-transfer networks (Huang & Belongie 2017, arXiv:1703.06868).

* :class:`ReflectionPadding2D`: the AdaIN decoder pads by reflection before
  every 3x3 convolution (section 6.1: "we use reflection padding in both f
  and g to avoid border artifacts"); zero padding leaves a dark frame in
  the decoded image. Keras has no reflection-padding layer.
* :class:`VGGInput`: maps RGB images in [0, 1] to the input VGG-19 was
  trained on (``keras.applications.vgg19.preprocess_input``, "caffe" mode:
  pixel values 0..255, BGR channel order, the ImageNet mean subtracted), so
  the encoder, the exports and the ONNX files take images in [0, 1] like
  every other model of the zoo.

Both are serializable (``get_config``, registered under ``keras_genzoo``).
"""

from __future__ import annotations

import keras

#: the ImageNet channel means in BGR order, in 0..255 pixel units (Simonyan &
#: Zisserman 2015, section 2.1; the values keras.applications subtracts)
IMAGENET_BGR_MEAN = (103.939, 116.779, 123.68)


@keras.saving.register_keras_serializable("keras_genzoo")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads the two spatial axes of ``[B, H, W, C]`` by ``padding`` pixels, mirrored
    without repeating the edge (``numpy.pad(mode="reflect")``)."""

    def __init__(self, padding: int = 1, **kwargs):
        super().__init__(**kwargs)
        if int(padding) < 0:
            raise ValueError(f"padding must be >= 0, got {padding}")
        self.padding = int(padding)

    def call(self, inputs):
        p = self.padding
        return keras.ops.pad(inputs, [[0, 0], [p, p], [p, p], [0, 0]], mode="reflect")

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        grow = lambda side: None if side is None else side + 2 * self.padding  # noqa: E731
        return (batch, grow(height), grow(width), channels)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


@keras.saving.register_keras_serializable("keras_genzoo")
class VGGInput(keras.layers.Layer):
    """RGB in [0, 1] -> VGG's "caffe" input: ``255 * x`` in BGR order minus the ImageNet mean."""

    def call(self, inputs):
        bgr = keras.ops.flip(keras.ops.cast(inputs, "float32"), axis=-1)
        mean = keras.ops.convert_to_tensor(IMAGENET_BGR_MEAN, "float32")
        return bgr * 255.0 - mean

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)
