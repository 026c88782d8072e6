"""One file per model family; each registers in :mod:`keras_genzoo.registry`."""
