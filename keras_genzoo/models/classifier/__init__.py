"""``classifier``: the feature classifier (FID in a classifier's feature space);
registers itself (no TensorFlow import).
"""

from keras_genzoo.models.classifier.presets import DEFAULT_PRESET, PRESETS, TINY
from keras_genzoo.registry import ModelSpec, register

register(ModelSpec(
    name="classifier",
    description="Small CNN classifier: its penultimate layer is the feature space of "
        "`genzoo eval --features classifier:RUN` (FID/KID/PRDC offline)",
    target="keras_genzoo.models.classifier.model:Classifier",
    kind="classifier",
    reference="Heusel et al. 2017, arXiv:1706.08500 (FID, here in a classifier's "
        "feature space)",
    presets=PRESETS,
    default_preset=DEFAULT_PRESET,
    tiny=TINY,
    reference_step="keras_genzoo.models.classifier.reference_step:classifier_step",
))
