"""Multi-layer perceptron encoders and decoders for image-shaped data or point vectors."""

import keras


def _data_shape(image_size: int, channels: int, data_dim: int) -> list[int]:
    """``[data_dim]`` for points (``data_dim > 0``), else ``[size, size, channels]``."""
    return [data_dim] if data_dim else [image_size, image_size, channels]


def mlp_encoder(image_size: int, channels: int, hidden_units, code_dim: int,
                activation: str = "relu", code_activation: str | None = None,
                name: str = "encoder", data_dim: int = 0) -> keras.Model:
    """Flatten -> hidden layers -> code (linear unless ``code_activation``).

    ``data_dim > 0``: the input is a point ``[data_dim]`` (toy2d / toy1d) instead of
    an image."""
    x = keras.Input(_data_shape(image_size, channels, data_dim), name="x")
    h = keras.layers.Flatten()(x)
    for index, units in enumerate(hidden_units):
        h = keras.layers.Dense(units, activation=activation, name=f"hidden{index}")(h)
    code = keras.layers.Dense(code_dim, activation=code_activation, name="code",
                              dtype="float32")(h)
    return keras.Model(x, code, name=name)


def mlp_decoder(image_size: int, channels: int, hidden_units, code_dim: int,
                activation: str = "relu", output_activation: str = "sigmoid",
                name: str = "decoder", data_dim: int = 0) -> keras.Model:
    """Code -> hidden layers (mirrored) -> pixels -> image shape (or a point
    ``[data_dim]`` when ``data_dim > 0``)."""
    shape = _data_shape(image_size, channels, data_dim)
    code = keras.Input([code_dim], name="code")
    h = code
    for index, units in enumerate(reversed(tuple(hidden_units))):
        h = keras.layers.Dense(units, activation=activation, name=f"hidden{index}")(h)
    size = 1
    for extent in shape:
        size *= extent
    h = keras.layers.Dense(size, name="pixels")(h)
    h = keras.layers.Reshape(shape)(h)
    # last layer in float32 so the output stays float32 under mixed precision
    reconstruction = keras.layers.Activation(output_activation, dtype="float32",
                                             name="reconstruction")(h)
    return keras.Model(code, reconstruction, name=name)
