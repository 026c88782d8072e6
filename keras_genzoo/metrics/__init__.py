"""Metrics of trained models (DESIGN.md section 2; docs/evaluation.md).

Sample quality, on ``[N, D]`` feature arrays (NumPy only, float64 arithmetic):

* :mod:`keras_genzoo.metrics.frechet`: Frechet distance of Gaussian fits, the
  FID (Heusel et al. 2017, arXiv:1706.08500, eq. 6), with a matrix square root
  that stays finite for singular covariances; :class:`FeatureStatistics` for
  cached means and covariances.
* :mod:`keras_genzoo.metrics.kernel_distance`: kernel inception distance, the
  unbiased MMD^2 with the cubic polynomial kernel, mean and standard deviation
  over subsets (Binkowski et al. 2018, arXiv:1801.01401, section 3).
* :mod:`keras_genzoo.metrics.inception_score`: inception score with splits
  (Salimans et al. 2016, arXiv:1606.03498, section 4).
* :mod:`keras_genzoo.metrics.prdc`: precision and recall with k-NN radii, k = 3
  (Kynkaanniemi et al. 2019, arXiv:1904.06991, section 2), density and
  coverage, k = 5 (Naeem et al. 2020, arXiv:2002.09797, section 3).
* :mod:`keras_genzoo.metrics.mode_coverage`: modes covered and high-quality
  fraction of samples of a known 2-D mixture (VEEGAN 2017, section 5.1;
  PacGAN 2018).

Images and models:

* :mod:`keras_genzoo.metrics.reconstruction`: MSE, PSNR and SSIM of an
  autoencoder's reconstructions (SSIM: Wang et al. 2004, eq. 13).
* :mod:`keras_genzoo.metrics.features`: the ``--features`` extractors,
  ``inception`` (InceptionV3 pool3, weights offline from a file),
  ``classifier:RUN`` (the penultimate layer of a ``genzoo train classifier``
  run) and ``random`` (a fixed random-init conv network).
* :mod:`keras_genzoo.metrics.evaluate`: ``genzoo eval`` and ``--eval-every``:
  samples or reconstructions against a reference split, the on-disk cache of
  reference features, exports scored like their runs, ``eval.json``.
* :mod:`keras_genzoo.metrics.manifold`: decoder tangents of an autoencoder
  (the local tangent plane of the learned manifold, Deep Learning 14.6-14.7)
  and the figure of ``genzoo manifold``.
* :mod:`keras_genzoo.metrics.codes`: a dataset's codes under an autoencoder's
  encoder (``genzoo encode``).
* :mod:`keras_genzoo.metrics.overcomplete`: whether an overcomplete autoencoder
  copies its input (reconstruction error off the data) and how localized its
  encoder filters are (Deep Learning 14.2).

Submodules import TensorFlow lazily, so importing this package stays cheap.
"""
