"""The models: what they share (``base``, the GAN engine in ``adversarial``, the
progressive base in ``progressive``) and one package per model family, which
registers itself in :mod:`keras_genzoo.registry` without importing TensorFlow."""
