"""keras-genzoo: autoencoders and GANs for TensorFlow / Keras 3.

Importing the package is cheap: TensorFlow is only imported by the submodules
that need it (models, data, training, export), so ``genzoo --help`` and
``genzoo list`` answer fast.
"""

__version__ = "0.1.0"
