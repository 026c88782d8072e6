"""Photographs and textures that ship with installed packages: ``samples:``.

Style transfer needs colour photographs (content) and textures or pictures
(styles), and the zoo must run offline, so these come from files that
scikit-learn and scikit-image install with themselves (no download):

- ``samples:content``: astronaut, chelsea, coffee, rocket (scikit-image) and
  china (scikit-learn);
- ``samples:styles``: brick, grass, gravel, immunohistochemistry,
  hubble_deep_field (scikit-image) and flower (scikit-learn);
- ``samples:<name>``: one of them alone.

The same names are accepted wherever a single image is read
(``genzoo stylize --content samples:astronaut``). No TensorFlow here:
:func:`load_sample_image` returns NumPy, the tf.data source is built in
:mod:`keras_genzoo.data.sources`.
"""

from __future__ import annotations

import numpy as np

from keras_genzoo.errors import DataError

#: name -> (package, what the picture is)
SAMPLE_IMAGES = {
    "astronaut": ("scikit-image", "portrait of astronaut Eileen Collins, 512x512"),
    "chelsea": ("scikit-image", "Chelsea the cat, 451x300"),
    "coffee": ("scikit-image", "a cup of coffee, 600x400"),
    "rocket": ("scikit-image", "a rocket on its launch pad at night, 640x427"),
    "china": ("scikit-learn", "a temple in China, 640x427"),
    "brick": ("scikit-image", "texture: a brick wall, 512x512, gray"),
    "grass": ("scikit-image", "texture: grass, 512x512, gray"),
    "gravel": ("scikit-image", "texture: gravel, 512x512, gray"),
    "immunohistochemistry": ("scikit-image", "stained tissue under a microscope, 512x512"),
    "hubble_deep_field": ("scikit-image", "the Hubble deep field, 1000x872"),
    "flower": ("scikit-learn", "a flower close up, 640x427"),
}
#: the named sets: content photographs and style pictures
SAMPLE_SETS = {
    "content": ("astronaut", "chelsea", "coffee", "rocket", "china"),
    "styles": ("brick", "grass", "gravel", "immunohistochemistry", "hubble_deep_field",
               "flower"),
}
_SKLEARN_FILES = {"china": "china.jpg", "flower": "flower.jpg"}


def sample_names(name: str) -> tuple[str, ...]:
    """The images of ``samples:<name>``: a set's members, or the one image; else DataError."""
    key = name.strip().lower()
    if key in SAMPLE_SETS:
        return SAMPLE_SETS[key]
    if key in SAMPLE_IMAGES:
        return (key,)
    choices = ", ".join([*SAMPLE_SETS, *SAMPLE_IMAGES])
    raise DataError(f"unknown bundled image {name!r}: expected samples: followed by one of {choices}")


def load_sample_image(name: str) -> np.ndarray:
    """One bundled image as float32 ``[H, W, 3]`` in [0, 1] (gray textures repeated over RGB)."""
    key = name.strip().lower()
    if key in SAMPLE_SETS:
        raise DataError(f"samples:{key} is a set of images; name one image: "
                        f"{', '.join(SAMPLE_IMAGES)}")
    sample_names(key)  # an unknown name: one line listing the choices
    if key in _SKLEARN_FILES:
        from sklearn.datasets import load_sample_image as sklearn_image

        pixels = sklearn_image(_SKLEARN_FILES[key])
    else:
        try:
            import skimage.data
        except ImportError:
            raise DataError(f"samples:{key} comes with scikit-image: pip install scikit-image"
                            ) from None
        pixels = getattr(skimage.data, key)()
    pixels = np.asarray(pixels)
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[..., None], 3, axis=-1)
    return pixels[..., :3].astype(np.float32) / 255.0
