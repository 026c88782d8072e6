"""Every GAN of the family exports a SavedModel whose ONNX twin agrees to 1e-4;
cgan's export takes a label, and its serving graph refuses one out of range."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import TINY_DCGAN
from keras_genzoo.export import onnx as onnx_export
from keras_genzoo.export.savedmodel import export_model, load_export, read_signatures
from keras_genzoo.models.dcgan.model import DCGAN
from keras_genzoo.models.cgan.model import CGAN
from keras_genzoo.models.gan.model import GAN
from keras_genzoo.models.wgan.model import WGAN
from keras_genzoo.models.wgan_gp.model import WGANGP

TINY_MLP = {"image_size": 8, "channels": 1, "latent_dim": 8, "generator_units": [16],
            "discriminator_units": [16], "architecture": "mlp"}
CASES = {
    "gan": (GAN, {**TINY_MLP, "ema_decay": 0.9}),
    "gan-conv": (GAN, {"image_size": 8, "latent_dim": 8, "base_filters": 4,
                              "architecture": "conv"}),
    "wgan": (WGAN, TINY_MLP),
    "wgan-gp": (WGANGP, {"image_size": 8, "latent_dim": 8, "base_filters": 4}),
    "cgan": (CGAN, {**TINY_MLP, "conditioning": "projection"}),
    "dcgan": (DCGAN, TINY_DCGAN),
    "gan-points": (GAN, {**TINY_MLP, "data_dim": 2}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_export_signatures_and_onnx_parity(case, tmp_path):
    model_class, config = CASES[case]
    keras.utils.set_random_seed(0)
    model = model_class(config).prepare()
    module, signatures = model.export_signatures()
    result = export_model(module, signatures, base_dir=tmp_path, name=case)
    assert result.onnx_max_abs_diff["serving_default"] <= 1e-4
    serving = read_signatures(result.path)["serving_default"]
    output = "points" if model.points else "images"
    assert set(serving["outputs"]) == {output}
    expected_inputs = {"z", "label"} if model.uses_labels() else {"z"}
    assert set(serving["inputs"]) == expected_inputs
    assert serving["inputs"]["z"]["shape"] == [None, config["latent_dim"]]
    # the served model is the sampling (EMA) generator, in data range
    z = model.latent(3, seed=4).numpy()
    feeds = {"z": z, **({"label": np.array([0, 1, 2], np.int32)} if model.uses_labels() else {})}
    loaded, _, _ = load_export(result.path)
    served = loaded.signatures["serving_default"](**{k: tf.constant(v) for k, v in feeds.items()})
    np.testing.assert_allclose(served[output].numpy(),
                               model.generate(z, feeds.get("label")).numpy(), atol=1e-5)
    onnx_out = onnx_export.run_onnx(result.onnx_files["serving_default"], feeds)
    np.testing.assert_allclose(onnx_out[output], served[output].numpy(), atol=1e-4)


def test_cgan_export_depends_on_label_and_refuses_a_bad_one(tmp_path):
    keras.utils.set_random_seed(0)
    model = CGAN(TINY_MLP).prepare()
    module, signatures = model.export_signatures()
    result = export_model(module, signatures, base_dir=tmp_path, name="cgan")
    loaded, _, _ = load_export(result.path)
    serving = loaded.signatures["serving_default"]
    z = tf.constant(np.repeat(model.latent(1).numpy(), 2, axis=0))
    images = serving(z=z, label=tf.constant([3, 7]))["images"].numpy()
    assert np.abs(images[0] - images[1]).max() > 1e-3
    onnx_images = onnx_export.run_onnx(result.onnx_files["serving_default"],
                                       {"z": z.numpy(), "label": np.array([3, 7], np.int32)})
    np.testing.assert_allclose(onnx_images["images"], images, atol=1e-4)
    for bad in ([3, 10], [-1, 0]):
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"label must be in \[0, 10\)"):
            serving(z=z, label=tf.constant(bad))
