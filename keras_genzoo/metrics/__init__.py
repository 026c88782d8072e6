"""Metrics of trained models (DESIGN.md section 2).

* :mod:`keras_genzoo.metrics.manifold`: decoder tangents of an autoencoder
  (the local tangent plane of the learned manifold, Deep Learning 14.6-14.7)
  and the figure of ``genzoo manifold``.

Submodules import TensorFlow lazily, so importing this package stays cheap.
"""
