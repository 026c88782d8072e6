"""The models: what they share (``base``, the GAN engine in ``adversarial``, the
progressive base in ``progressive``) and one package per model family, which
registers itself in :mod:`keras_genzoo.registry` without importing TensorFlow.

Every registered class can be imported from here by its name,
``from keras_genzoo.models import DCGAN, VAE``: the name is looked up in the
registry and the family's module (and TensorFlow) imported only then.
"""

from keras_genzoo import registry


def __getattr__(name: str):
    for spec in registry.all_specs():
        if spec.target.rsplit(":", 1)[-1] == name:
            return spec.load_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + [spec.target.rsplit(":", 1)[-1]
                                     for spec in registry.all_specs()])
