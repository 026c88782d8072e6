"""Dataset sources -> tf.data pipelines (DESIGN.md section 6).

``from keras_genzoo.data import open_source`` is cheap: TensorFlow is imported
only when :func:`open_source` is first called (or ``ImageSource`` is first
looked up), so ``genzoo list`` can read :mod:`keras_genzoo.data.catalog`
without loading it.
"""

from keras_genzoo.data.catalog import DATASET_SOURCES, TFDS_SHORT_NAMES, check_spec
from keras_genzoo.errors import DataError

__all__ = ["DATASET_SOURCES", "TFDS_SHORT_NAMES", "ImageSource", "check_spec", "open_held_out",
           "open_source"]


def open_source(spec, *, image_size, channels, split="train", data_dir=None, manual_dir=None):
    """Open a dataset spec as an ImageSource; see keras_genzoo.data.sources."""
    from keras_genzoo.data import sources

    return sources.open_source(
        spec, image_size=image_size, channels=channels, split=split,
        data_dir=data_dir, manual_dir=manual_dir,
    )


def open_held_out(spec, *, image_size, channels, data_dir=None, manual_dir=None):
    """The examples a model did not train on: the test split, or the train split of a
    source that has no test split (the caller's reference or preview set)."""
    where = {"image_size": image_size, "channels": channels, "data_dir": data_dir,
             "manual_dir": manual_dir}
    try:
        return open_source(spec, split="test", **where)
    except DataError:
        return open_source(spec, split="train", **where)


def __getattr__(name):
    if name == "ImageSource":
        from keras_genzoo.data.sources import ImageSource

        return ImageSource
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
