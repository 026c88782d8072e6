"""``sparse-ae``: the sparse autoencoder (Goodfellow, Bengio & Courville 2016, 14.2.1);
registers itself (no TensorFlow import).
"""

from keras_genzoo.models.sparse_ae.presets import DEFAULT_PRESET, PRESETS, TINY
from keras_genzoo.registry import ModelSpec, register

register(ModelSpec(
    name="sparse-ae",
    description="Sparse autoencoder: reconstruction + a sparsity penalty on the code "
        "(L1 or KL to a target activation)",
    target="keras_genzoo.models.sparse_ae.model:SparseAE",
    kind="autoencoder",
    reference="Goodfellow, Bengio & Courville 2016, Deep Learning, ch. 14.2.1",
    presets=PRESETS,
    default_preset=DEFAULT_PRESET,
    tiny=TINY,
    reference_step="keras_genzoo.models.sparse_ae.reference_step:sparse_ae_step",
))
