"""Decoder tangents (Deep Learning 14.6-14.7): keras_genzoo.metrics.manifold.

For a LINEAR decoder g(h) = W^T h + b the Jacobian is the constant W^T, so
the tangents are W^T's right singular vectors and singular values at every
input, and g(h + t v_k) - g(h) = t s_k u_k exactly.
"""

import sys

import keras
import numpy as np
import pytest

from keras_genzoo import runs
from keras_genzoo.errors import GenzooError
from keras_genzoo.commands.manifold import write_tangent_figure
from keras_genzoo.metrics.manifold import (
    decoder_jacobians,
    decoder_tangents,
    tangent_strips,
)
from keras_genzoo.models.ae.model import Autoencoder
from keras_genzoo.registry import get
from keras_genzoo.training import plan as plan_lib
from keras_genzoo.training import trainer

LINEAR = dict(get("ae").presets["linear"].config)  # 8x8, code 8, no nonlinearity


def _images(count=4, size=8, seed=0):
    return np.random.default_rng(seed).uniform(size=(count, size, size, 1)).astype(np.float32)


def test_metrics_package_imports_without_tensorflow():
    import subprocess

    code = ("import sys, keras_genzoo.metrics, keras_genzoo.metrics.manifold; "
            "print('tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_linear_decoder_tangents_are_the_kernels_singular_vectors():
    keras.utils.set_random_seed(0)
    model = Autoencoder(config=LINEAR)
    kernel = np.asarray(model.decoder.get_layer("pixels").kernel, np.float64)  # [code, pixels]
    _, s, vt = np.linalg.svd(kernel.T)  # J_g = W^T: pixels x code
    codes, singular_values, directions = decoder_tangents(model, _images(), num_directions=3)
    assert codes.shape == (4, 8) and singular_values.shape == (4, 3)
    assert directions.shape == (4, 3, 8)
    np.testing.assert_allclose(codes, model.encode(_images()), atol=1e-6)
    for n in range(4):  # the same at every input: J_g does not depend on h
        np.testing.assert_allclose(singular_values[n], s[:3], rtol=1e-5)
        np.testing.assert_allclose(np.abs(np.sum(directions[n] * vt[:3], axis=1)), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(directions, axis=-1), 1.0, atol=1e-5)
    # sign convention: +t adds ink, i.e. the image tangent J v_k has a positive pixel sum
    assert np.all(np.einsum("pc,nkc->nkp", kernel.T, directions).sum(-1) > 0)


def test_decoder_jacobian_of_a_sigmoid_decoder_matches_finite_differences():
    keras.utils.set_random_seed(1)
    model = Autoencoder(config=dict(LINEAR, output_activation="sigmoid", code_dim=3))
    code = np.array([[0.3, -0.2, 0.5]], np.float32)
    jacobian = decoder_jacobians(model, code)[0]  # [64, 3]
    kernel = np.asarray(model.decoder.get_layer("pixels").kernel, np.float64)
    bias = np.asarray(model.decoder.get_layer("pixels").bias, np.float64)
    r = 1.0 / (1.0 + np.exp(-(code[0].astype(np.float64) @ kernel + bias)))
    np.testing.assert_allclose(jacobian, (r * (1 - r))[:, None] * kernel.T, rtol=1e-4, atol=1e-7)


def test_strips_shape_middle_column_and_first_order_walk():
    keras.utils.set_random_seed(2)
    model = Autoencoder(config=LINEAR)  # linear output: the walk is exactly linear in t
    images = _images(3)
    strips, t = tangent_strips(model, images, num_directions=2, steps=5, scale=0.5, return_t=True)
    assert strips.shape == (3, 2, 5, 8, 8, 1) and t.shape == (3, 2, 5)
    reconstruction = model.reconstruct(images)
    for k in range(2):
        np.testing.assert_array_equal(t[:, k, 2], 0.0)
        np.testing.assert_allclose(strips[:, k, 2], reconstruction, atol=1e-6)
    codes, s, _ = decoder_tangents(model, images, 2)
    # t spans [-scale, scale] * ||h||, symmetric
    expected_max = np.repeat(0.5 * np.linalg.norm(codes, axis=-1)[:, None], 2, axis=1)
    np.testing.assert_allclose(t[:, :, -1], expected_max, rtol=1e-5)
    np.testing.assert_allclose(t[:, :, 0], -t[:, :, -1], rtol=1e-6)
    # ||g(h + t v_k) - g(h)|| = |t| s_k for a linear decoder
    moved = np.linalg.norm((strips - strips[:, :, 2:3]).reshape(3, 2, 5, -1), axis=-1)
    np.testing.assert_allclose(moved, np.abs(t) * s[:, :, None], rtol=1e-3, atol=1e-5)
    # relative_to="pixels": every direction gets the same first-order RMS change per pixel
    strips_p = tangent_strips(model, images, 2, 5, scale=0.1, relative_to="pixels")
    rms = np.sqrt(np.mean((strips_p[:, :, -1] - strips_p[:, :, 2]) ** 2, axis=(2, 3, 4)))
    np.testing.assert_allclose(rms, 0.1, rtol=1e-3)


def test_bad_arguments_are_one_line_errors():
    model = Autoencoder(config=LINEAR)
    with pytest.raises(GenzooError, match="odd"):
        tangent_strips(model, _images(1), steps=4)
    with pytest.raises(GenzooError, match="code size 8"):
        decoder_tangents(model, _images(1), num_directions=9)

    class Conditional:  # a decoder that takes (z, label), like a CVAE's
        registry_name = "vae"
        z, label = keras.Input([4]), keras.Input([10])
        decoder = keras.Model([z, label], keras.layers.Concatenate()([z, label]))

        def encode(self, images):
            return np.zeros([len(images), 4], np.float32)

    with pytest.raises(GenzooError, match="conditional"):
        decoder_tangents(Conditional(), _images(1))


def test_gan_run_is_refused_before_anything_is_written(tmp_path):
    plan = plan_lib.resolve_plan("dcgan", out_dir=str(tmp_path / "gan"), steps=1)
    runs.write_run_config(plan.out_dir, plan.to_json())
    out = tmp_path / "figures" / "tangents.png"
    with pytest.raises(GenzooError) as error:
        write_tangent_figure(tmp_path / "gan", out)
    assert str(error.value) == (f"genzoo manifold needs an autoencoder run; {tmp_path / 'gan'} "
                                "is a gan (dcgan)")
    assert not out.parent.exists()


def test_figure_from_a_short_linear_run(tmp_path):
    plan = plan_lib.resolve_plan("ae", preset="linear", out_dir=str(tmp_path / "run"), steps=30)
    trainer.train(plan, verbose=0)
    out = write_tangent_figure(plan.out_dir, tmp_path / "tangents.png", num_inputs=2,
                               num_directions=2, steps=5, seed=3)
    assert out == tmp_path / "tangents.png" and out.stat().st_size > 2000
    from PIL import Image

    width, height = Image.open(out).size
    assert width > height / 2  # 2 inputs x 2 directions rows, 7 columns
