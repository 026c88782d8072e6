"""Multi-layer perceptron encoders and decoders for image-shaped data."""

import keras


def mlp_encoder(image_size: int, channels: int, hidden_units, code_dim: int,
                activation: str = "relu", code_activation: str | None = None,
                name: str = "encoder") -> keras.Model:
    """Flatten -> hidden layers -> code (linear unless ``code_activation``)."""
    x = keras.Input([image_size, image_size, channels], name="x")
    h = keras.layers.Flatten()(x)
    for index, units in enumerate(hidden_units):
        h = keras.layers.Dense(units, activation=activation, name=f"hidden{index}")(h)
    code = keras.layers.Dense(code_dim, activation=code_activation, name="code",
                              dtype="float32")(h)
    return keras.Model(x, code, name=name)


def mlp_decoder(image_size: int, channels: int, hidden_units, code_dim: int,
                activation: str = "relu", output_activation: str = "sigmoid",
                name: str = "decoder") -> keras.Model:
    """Code -> hidden layers (mirrored) -> pixels -> image shape."""
    code = keras.Input([code_dim], name="code")
    h = code
    for index, units in enumerate(reversed(tuple(hidden_units))):
        h = keras.layers.Dense(units, activation=activation, name=f"hidden{index}")(h)
    h = keras.layers.Dense(image_size * image_size * channels, name="pixels")(h)
    h = keras.layers.Reshape([image_size, image_size, channels])(h)
    # last layer in float32 so the output stays float32 under mixed precision
    reconstruction = keras.layers.Activation(output_activation, dtype="float32",
                                             name="reconstruction")(h)
    return keras.Model(code, reconstruction, name=name)
