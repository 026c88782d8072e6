"""Autoencoders on points (``data_dim > 0``) and the noisy 2-D curves of toy2d.

The denoising autoencoder's reconstruction field ``g(f(x)) - x`` estimates
``sigma^2 * grad log p(x)`` (Alain & Bengio 2014; Deep Learning 14.5.1): trained on
points near a circle, it must point towards the circle off it and be small on it.
"""

import numpy as np
import pytest
import tensorflow as tf

from keras_genzoo.data import catalog, open_source
from keras_genzoo.data.toy2d import CURVE_SEGMENTS, CURVES, TRAIN_POINTS
from keras_genzoo.errors import ConfigError
from keras_genzoo.models.ae.model import Autoencoder
from keras_genzoo.models.contractive_ae.model import ContractiveAE
from keras_genzoo.models.denoising_ae.model import DenoisingAE
from keras_genzoo.models.sparse_ae.model import SparseAE
from keras_genzoo.models.vae.model import VAE

POINT_NETWORKS = {"data_dim": 2, "hidden_units": [16], "code_dim": 4}


# ------------------------------------------------------------------ the curves
@pytest.mark.parametrize("name", sorted(CURVES))
def test_curve_points_lie_within_their_noise_of_the_curve(name):
    curve = CURVES[name]
    points, labels = open_source(f"toy2d:{name}", image_size=8, channels=1).take_examples(
        TRAIN_POINTS)
    dense = curve.clean(20_000)
    distance = np.min(np.linalg.norm(points[:2000, None] - dense[None], axis=2), axis=1)
    # the distance to the curve of 2-D isotropic noise is about sigma * sqrt(pi / 2) / ...
    # bounded by the noise's norm: Rayleigh with mean sigma * sqrt(pi / 2)
    assert np.mean(distance) < curve.sigma * np.sqrt(np.pi / 2) * 1.05
    assert np.mean(distance) > curve.sigma * 0.5
    assert set(np.unique(labels)) == set(range(CURVE_SEGMENTS))
    again, _ = open_source(f"toy2d:{name}", image_size=8, channels=1).take_examples(10)
    np.testing.assert_array_equal(points[:10], again)  # fixed seed


def test_curves_are_point_datasets_without_modes():
    assert catalog.is_point_dataset("toy2d:circle") and catalog.is_point_dataset("toy2d:spiral")
    assert CURVES["circle"].modes is None
    radius = np.linalg.norm(CURVES["circle"].clean(100), axis=1)
    np.testing.assert_allclose(radius, 2.0, rtol=1e-6)


# -------------------------------------------------------- networks on points
@pytest.mark.parametrize("model_class, extra", [
    (Autoencoder, {}), (DenoisingAE, {}), (SparseAE, {"code_activation": "relu"}),
    (ContractiveAE, {"hidden_units": [], "code_activation": "sigmoid"}),
])
def test_autoencoders_take_points(model_class, extra):
    # the default conv architecture and sigmoid output do not apply to points
    model = model_class({**POINT_NETWORKS, **extra})
    model.compile()
    assert model.points
    points = np.random.default_rng(0).normal(size=(8, 2)).astype(np.float32) * 3
    logs = model.train_step((tf.constant(points), tf.zeros([8], tf.int32)))
    assert np.isfinite(float(logs["loss"]))
    reconstruction = model.reconstruct(points)
    assert reconstruction.shape == (8, 2)
    # a linear output, not the config's sigmoid (which would confine points to [0, 1])
    assert model.decoder.get_layer("reconstruction").activation.__name__ == "linear"
    _, signatures = model.export_signatures()
    spec = signatures["serving_default"].input_signature[0]
    assert spec.shape.as_list() == [None, 2]


def test_points_refuse_cross_entropy_and_the_vae():
    with pytest.raises(ConfigError, match="mse"):
        Autoencoder({**POINT_NETWORKS, "reconstruction_loss": "bce"})
    with pytest.raises(ConfigError, match="vae works on images"):
        VAE({"data_dim": 2})


# -------------------------------------------------- the reconstruction field
@pytest.fixture(scope="module")
def circle_dae():
    """A denoising AE trained on toy2d:circle (about 5 s on 2 CPU cores)."""
    import keras

    keras.utils.set_random_seed(0)
    points, _ = CURVES["circle"].sample(4000, 0)
    model = DenoisingAE({"data_dim": 2, "hidden_units": [64, 64], "code_dim": 8,
                         "sigma": 0.3, "learning_rate": 3e-3})
    model.compile()
    step = tf.function(model.train_step)
    batches = tf.data.Dataset.from_tensor_slices(points).shuffle(4000, seed=0).repeat().batch(128)
    for _, batch in zip(range(1500), batches):
        step(batch)
    return model


def _ring(radius_low, radius_high, count, seed):
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, 2 * np.pi, count)
    radius = rng.uniform(radius_low, radius_high, count)
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], 1).astype(np.float32)


def test_denoising_field_points_towards_the_curve_and_vanishes_on_it(circle_dae):
    off = np.concatenate([_ring(1.2, 1.7, 200, 1), _ring(2.3, 2.8, 200, 2)])
    field = circle_dae.reconstruction_field(off)
    nearest = 2.0 * off / np.linalg.norm(off, axis=1, keepdims=True)  # the circle's point
    towards = np.sum(field * (nearest - off), axis=1)
    assert np.mean(towards > 0) > 0.9
    on = CURVES["circle"].clean(400)
    on_norm = np.linalg.norm(circle_dae.reconstruction_field(on), axis=1).mean()
    off_norm = np.linalg.norm(field, axis=1).mean()
    assert on_norm < 0.4 * off_norm, (on_norm, off_norm)


def test_an_untrained_field_does_not_pass_the_same_check():
    """The check above can fail: a fresh model's field has no preferred direction."""
    import keras

    keras.utils.set_random_seed(3)
    model = DenoisingAE({"data_dim": 2, "hidden_units": [64, 64], "code_dim": 8})
    off = np.concatenate([_ring(1.2, 1.7, 200, 1), _ring(2.3, 2.8, 200, 2)])
    field = model.reconstruction_field(off)
    nearest = 2.0 * off / np.linalg.norm(off, axis=1, keepdims=True)
    assert np.mean(np.sum(field * (nearest - off), axis=1) > 0) < 0.9


def test_the_field_figure_is_written(circle_dae, tmp_path):
    from keras_genzoo.training import images as image_io

    points, _ = CURVES["circle"].sample(300, 5)
    path = image_io.save_reconstruction_field(circle_dae, points, tmp_path / "field.png")
    assert path.stat().st_size > 1000
    grid = image_io.plane_grid(points)
    assert grid.shape == (image_io.FIELD_GRID ** 2, 2)
    assert grid.min() < points.min() and grid.max() > points.max()


def test_one_dimensional_points_train_and_draw_their_field(tmp_path):
    """Any point source (``data_dim > 0``): 1-D points, such as a toy1d mixture's."""
    from keras_genzoo.training import images as image_io

    model = DenoisingAE({"data_dim": 1, "hidden_units": [16], "code_dim": 4, "sigma": 0.2})
    model.compile()
    points = np.random.default_rng(0).normal(size=(32, 1)).astype(np.float32)
    assert np.isfinite(float(model.train_step((tf.constant(points),
                                               tf.zeros([32], tf.int32)))["loss"]))
    assert model.reconstruction_field(points).shape == (32, 1)
    grid = image_io.plane_grid(points)
    assert grid.shape == (8 * image_io.FIELD_GRID, 1)  # a line is drawn as a curve
    assert grid.min() < points.min() and grid.max() > points.max()
    path = image_io.save_reconstruction_field(model, points, tmp_path / "field1d.png")
    assert path.stat().st_size > 1000


def test_a_toy1d_autoencoder_run_draws_its_field_and_its_draws(tmp_path):
    """The CLI path on the toy1d mixtures: a denoising AE of 1-D points trains, and
    ``genzoo sample`` draws its field and, with ``--stochastic``, its decoder's draws."""
    from zoo_cli.main import main

    run = tmp_path / "dae1d"
    assert main(["train", "denoising-ae", "--preset", "circle", "--dataset", "toy1d:bimodal",
                 "--steps", "20", "--out", str(run)]) == 0
    for argv, name in (([], "field.png"), (["--stochastic"], "draws.png")):
        out = tmp_path / name
        assert main(["sample", str(run), *argv, "--out", str(out)]) == 0
        assert out.stat().st_size > 1000
