"""Denoising autoencoder: corruption statistics, clean inference, the Wiener filter,
denoising vs a plain AE, imputation, distribution, export."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import (
    assert_two_replicas_match_one_device,
    digit_batches,
    train_steps,
    two_replica_strategy,
)
from keras_genzoo.errors import ConfigError
from keras_genzoo.layers.corruption import (
    GaussianCorruption,
    MaskingCorruption,
    SaltPepperCorruption,
    gaussian_corruption,
    masking_corruption,
    salt_pepper_corruption,
)
from keras_genzoo.models.ae.model import Autoencoder
from keras_genzoo.models.denoising_ae.model import DenoisingAE, psnr
from keras_genzoo.training.trainer import make_train_function

TINY_DENSE = {"image_size": 8, "architecture": "dense", "hidden_units": (32,), "code_dim": 16}
N = 1_000_000


def _clean_pixels():
    # away from 0 and 1, so a pixel set to 0 or 1 is always a changed pixel
    return np.random.default_rng(0).uniform(0.2, 0.8, size=N).astype(np.float32)


def _test_digits(count):
    """The first ``count`` digits of the held-out (test) split, 8x8."""
    from keras_genzoo.data import open_source

    source = open_source("digits", image_size=8, channels=1, split="test")
    return next(iter(source.elements().batch(count)))[0].numpy()


def _uniform(seed):
    return np.random.default_rng(seed).uniform(size=N).astype(np.float32)


# --------------------------------------------------------- corruption math
def test_gaussian_corruption_adds_noise_of_std_sigma():
    x = _clean_pixels()
    noise = np.random.default_rng(1).normal(size=N).astype(np.float32)
    corrupted = np.asarray(gaussian_corruption(x, noise, 0.3))
    np.testing.assert_allclose(corrupted, x + 0.3 * noise, atol=1e-6)
    difference = corrupted - x
    assert abs(difference.mean()) < 3e-3 and difference.std() == pytest.approx(0.3, rel=0.01)


def test_masking_corruption_drops_a_fraction_p_and_keeps_the_rest():
    x = _clean_pixels()
    corrupted = np.asarray(masking_corruption(x, _uniform(2), 0.3))
    dropped = corrupted == 0
    assert dropped.mean() == pytest.approx(0.3, abs=3e-3)
    np.testing.assert_array_equal(corrupted[~dropped], x[~dropped])
    assert np.all(np.asarray(masking_corruption(x, _uniform(2), 0.0)) == x)
    assert np.all(np.asarray(masking_corruption(x, _uniform(2), 1.0)) == 0)


def test_salt_pepper_sets_a_fraction_p_to_zero_or_one_with_even_odds():
    x = _clean_pixels()
    corrupted = np.asarray(salt_pepper_corruption(x, _uniform(3), _uniform(4), 0.2))
    pepper, salt = corrupted == 0, corrupted == 1
    assert (pepper | salt).mean() == pytest.approx(0.2, abs=3e-3)
    assert pepper.mean() == pytest.approx(0.1, abs=3e-3)
    assert salt.mean() == pytest.approx(0.1, abs=3e-3)
    kept = ~(pepper | salt)
    np.testing.assert_array_equal(corrupted[kept], x[kept])


@pytest.mark.parametrize("corruption, check", [
    ("gaussian", lambda x, c: np.std(c - x) == pytest.approx(0.3, rel=0.02)),
    ("masking", lambda x, c: np.mean(c == 0) == pytest.approx(0.3, abs=0.01)),
    ("salt_pepper", lambda x, c: np.mean((c == 0) | (c == 1)) == pytest.approx(0.2, abs=0.01)),
])
def test_model_corruption_statistics(corruption, check):
    model = DenoisingAE(**TINY_DENSE, corruption=corruption).prepare()
    x = np.random.default_rng(0).uniform(0.2, 0.8, size=(1024, 8, 8, 1)).astype(np.float32)
    assert check(x, np.asarray(model.corrupt(tf.constant(x))))
    assert check(x, model.corrupt_with_seed(x))
    # the evaluation corruption is fixed; the training one follows the step
    np.testing.assert_array_equal(model.corrupt_with_seed(x), model.corrupt_with_seed(x))


def test_corruption_layers_corrupt_only_in_training():
    x = np.full((64, 8, 8, 1), 0.5, np.float32)
    for layer, check in [
        (GaussianCorruption(0.3, seed=1), lambda c: np.std(c - x) == pytest.approx(0.3, rel=0.05)),
        (MaskingCorruption(0.3, seed=1), lambda c: np.mean(c == 0) == pytest.approx(0.3, abs=0.03)),
        (SaltPepperCorruption(0.2, seed=1),
         lambda c: np.mean((c == 0) | (c == 1)) == pytest.approx(0.2, abs=0.03)),
    ]:
        np.testing.assert_array_equal(np.asarray(layer(x)), x)
        assert check(np.asarray(layer(x, training=True)))
        clone = type(layer).from_config(json.loads(json.dumps(layer.get_config())))
        assert clone.get_config() == layer.get_config()


def test_uniform_replica_noise_is_a_per_replica_slice_of_the_one_device_draw():
    mirrored = two_replica_strategy()
    with mirrored.scope():
        model = DenoisingAE(**TINY_DENSE).prepare()
    model.seed = 3

    @tf.function
    def draw():
        return mirrored.run(lambda: model.replica_noise(4, [5], salt=1, distribution="uniform"))

    first, second = (np.asarray(t) for t in mirrored.experimental_local_results(draw()))
    assert not np.allclose(first, second)
    single = DenoisingAE(**TINY_DENSE).prepare()
    single.seed = 3
    np.testing.assert_allclose(np.concatenate([first, second]),
                               np.asarray(single.replica_noise(8, [5], salt=1,
                                                               distribution="uniform")),
                               atol=1e-7)


# ---------------------------------------------------------- model contract
def test_inference_is_clean_and_deterministic():
    model = DenoisingAE(**TINY_DENSE, corruption="salt_pepper", salt_pepper_probability=0.9)
    x = np.random.default_rng(0).uniform(size=(4, 8, 8, 1)).astype(np.float32)
    clean = np.asarray(model.decoder(model.encoder(x)))
    np.testing.assert_allclose(model.reconstruct(x), clean, atol=1e-6)
    np.testing.assert_allclose(model.reconstruct(x), model.reconstruct(x), atol=0)
    np.testing.assert_allclose(np.asarray(model(x, training=True)), clean, atol=1e-6)


def test_train_step_loss_is_the_error_of_reconstructing_x_from_the_corrupted_x():
    """loss = L(x, g(f(x~))) with x~ the step's draw and the target the CLEAN x."""
    keras.utils.set_random_seed(0)
    model = DenoisingAE(**TINY_DENSE, corruption="masking", drop_probability=0.5).prepare()
    model.seed = 5
    (images, labels), = digit_batches(32, 1, image_size=8)
    corrupted = np.asarray(model.corrupt(tf.constant(images)))  # step 0's noise
    expected = float(np.mean((images - model.reconstruct(corrupted)) ** 2))
    clean = float(np.mean((images - model.reconstruct(images)) ** 2))
    loss = train_steps(model, [(images, labels)])[0]["loss"]
    assert loss == pytest.approx(expected, rel=1e-5)
    assert abs(loss - clean) > 1e-3 * clean  # ... which is not the clean error
    # the next step draws other noise
    assert not np.array_equal(np.asarray(model.corrupt(tf.constant(images))), corrupted)


@pytest.mark.parametrize("corruption", ["gaussian", "masking"])
def test_two_replicas_match_one_device(corruption):
    assert_two_replicas_match_one_device(
        DenoisingAE, {**TINY_DENSE, "corruption": corruption}, digit_batches(32, 3, image_size=8),
        rel=1e-4)


# ------------------------------------------------------------------- math
def test_linear_denoising_autoencoder_learns_the_wiener_filter():
    """On x ~ N(0, S) with x~ = x + sigma eps, the best linear map from x~ to x is
    W = S (S + sigma^2 I)^-1; a linear DAE's end-to-end map g(f(.)) must approach it."""
    d, sigma, batch, steps = 16, 0.5, 512, 3000
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    s = (q * 0.7 ** np.arange(d)) @ q.T  # decaying spectrum, 1 ... 0.005
    cholesky = np.linalg.cholesky(s)
    wiener = s @ np.linalg.inv(s + sigma**2 * np.eye(d))

    keras.utils.set_random_seed(0)
    model = DenoisingAE(image_size=4, channels=1, architecture="dense", hidden_units=(),
                        code_dim=d, activation="linear", code_activation="linear",
                        output_activation="linear", corruption="gaussian", sigma=sigma)
    schedule = keras.optimizers.schedules.ExponentialDecay(0.03, steps, 0.01)
    model.compile({"autoencoder": keras.optimizers.Adam(schedule)})
    model.prepare()
    step = make_train_function(model, tf.distribute.get_strategy(), xla=False)
    labels = tf.zeros([batch], tf.int32)
    for _ in range(steps):
        x = (rng.normal(size=(batch, d)) @ cholesky.T).astype(np.float32)
        step((tf.constant(x.reshape(batch, 4, 4, 1)), labels))

    # the end-to-end affine map: columns are g(f(e_i)) - g(f(0))
    basis = np.concatenate([np.zeros((1, d)), np.eye(d)]).astype(np.float32)
    outputs = model.reconstruct(basis.reshape(-1, 4, 4, 1)).reshape(-1, d)
    linear_map, bias = (outputs[1:] - outputs[0]).T, outputs[0]
    error = np.linalg.norm(linear_map - wiener) / np.linalg.norm(wiener)
    assert error < 0.05, error
    assert np.abs(bias).max() < 0.02
    # guard: the plain AE's optimum (the identity) is far from W, so the test can fail
    assert np.linalg.norm(np.eye(d) - wiener) / np.linalg.norm(wiener) > 0.5


def test_denoising_beats_a_plain_autoencoder_on_corrupted_digits():
    """Same wide networks, seed and steps: only the DAE learnt to remove noise."""
    config = {"image_size": 8, "architecture": "dense", "hidden_units": (128,), "code_dim": 64,
              "learning_rate": 3e-3}
    batches = digit_batches(64, 200, image_size=8)
    held_out = _test_digits(256)
    keras.utils.set_random_seed(0)
    denoising = DenoisingAE(**config, corruption="gaussian", sigma=0.3).prepare()
    train_steps(denoising, batches)
    keras.utils.set_random_seed(0)
    plain = Autoencoder(**config).prepare()
    train_steps(plain, batches)

    metrics = denoising.evaluation_metrics(held_out)
    corrupted = denoising.corrupt_with_seed(held_out)
    assert metrics["corrupted_psnr"] == pytest.approx(psnr(held_out, corrupted), rel=1e-6)
    # sigma 0.3 on [0, 1] images: PSNR of x~ is about 10 log10(1 / 0.09) = 10.5 dB
    assert metrics["corrupted_psnr"] == pytest.approx(10.46, abs=0.2)
    plain_psnr = psnr(held_out, plain.reconstruct(corrupted))
    assert metrics["denoised_psnr"] > metrics["corrupted_psnr"] + 4.0
    assert metrics["denoised_psnr"] > plain_psnr + 0.5, (metrics, plain_psnr)


# ------------------------------------------------------------- imputation
def test_impute_iterates_reconstructions_on_the_missing_pixels_only():
    model = DenoisingAE(**TINY_DENSE, corruption="masking")
    x = np.random.default_rng(0).uniform(size=(3, 8, 8, 1)).astype(np.float32)
    missing = np.random.default_rng(1).uniform(size=x.shape) < 0.4
    calls = []

    def fake_reconstruct(images):  # a "model" that adds 1 wherever it is asked
        calls.append(images.copy())
        return images + 1.0

    model.reconstruct = fake_reconstruct
    filled = model.impute(x, missing, iterations=3)
    assert len(calls) == 3
    np.testing.assert_array_equal(filled[~missing], x[~missing])  # observed pixels kept exactly
    np.testing.assert_allclose(filled[missing], 3.0)  # 0 -> 1 -> 2 -> 3
    np.testing.assert_array_equal(calls[0][missing], 0.0)  # holes start at 0, like masking noise
    np.testing.assert_array_equal(model.impute(x, missing, iterations=0)[missing], 0.0)
    # a mask that broadcasts (the same holes in every image) works too
    np.testing.assert_array_equal(model.impute(x, missing[0], iterations=1)[:, missing[0]], 1.0)


def test_masking_dae_imputes_missing_pixels_better_than_the_mean_pixel():
    keras.utils.set_random_seed(0)
    model = DenoisingAE(image_size=8, architecture="dense", hidden_units=(128,), code_dim=32,
                        corruption="masking", drop_probability=0.3, learning_rate=3e-3).prepare()
    train_steps(model, digit_batches(64, 200, image_size=8))
    held_out = _test_digits(128)
    missing = np.random.default_rng(0).uniform(size=held_out.shape) < 0.3
    filled = model.impute(held_out, missing)
    np.testing.assert_array_equal(filled[~missing], held_out[~missing])
    error = np.mean((filled - held_out)[missing] ** 2)
    mean_fill = np.mean((held_out[~missing].mean() - held_out[missing]) ** 2)
    assert error < 0.5 * mean_fill, (error, mean_fill)


# ----------------------------------------------------------------- config
@pytest.mark.parametrize("overrides, message", [
    ({"drop_probability": 1.5}, r"^drop_probability must be in \[0, 1\], got 1.5$"),
    ({"salt_pepper_probability": -0.1}, r"salt_pepper_probability must be in \[0, 1\], got -0.1"),
    ({"sigma": -0.3}, "sigma must be >= 0, got -0.3"),
    ({"sigma": float("nan")}, "'sigma': expected a finite number"),
    ({"corruption": "blur"}, "corruption"),
])
def test_config_validation(overrides, message):
    with pytest.raises(ConfigError, match=message):
        DenoisingAE(**TINY_DENSE, **overrides)


# ------------------------------------------------------ train, export, ONNX
def test_trainer_run_exports_with_onnx_parity(tmp_path):
    from keras_genzoo.commands.export import export_run
    from keras_genzoo.export.onnx import run_onnx
    from keras_genzoo.export.savedmodel import read_signatures
    from keras_genzoo.training import plan as plan_lib
    from keras_genzoo import runs
    from keras_genzoo.training import trainer

    overrides = {"image_size": "16", "filters": "8", "code_dim": "8"}  # the conv networks
    plan = plan_lib.resolve_plan("denoising-ae", preset="masking", overrides=overrides,
                                out_dir=str(tmp_path / "run"), steps=3, batch_size=32)
    result = trainer.train(plan, verbose=0)
    assert result.steps == 3
    assert {"val_corrupted_psnr", "val_denoised_psnr", "val_psnr"} <= set(result.history[-1])

    export = export_run(tmp_path / "run", tmp_path / "exports")
    signatures = read_signatures(export.path)
    assert set(signatures) == {"serving_default", "encode", "decode", "decode_stochastic"}
    assert list(signatures["serving_default"]["inputs"]) == ["x"]
    assert signatures["encode"]["outputs"]["code"]["shape"] == [None, 8]
    assert signatures["decode"]["outputs"]["reconstruction"]["shape"] == [None, 16, 16, 1]
    assert max(export.onnx_max_abs_diff.values()) <= 1e-4

    model, _ = runs.load_trained_model(tmp_path / "run")
    x = np.random.default_rng(1).uniform(size=(3, 16, 16, 1)).astype(np.float32)
    loaded = tf.saved_model.load(str(export.path))
    served = loaded.signatures["serving_default"](x=x)["reconstruction"].numpy()
    np.testing.assert_allclose(served, model.reconstruct(x), atol=1e-5)  # clean at serving
    for signature, feeds in {"serving_default": {"x": x}, "encode": {"x": x}}.items():
        tf_out = {k: v.numpy() for k, v in loaded.signatures[signature](**feeds).items()}
        onnx_out = run_onnx(export.onnx_files[signature], feeds)
        for key in tf_out:
            assert np.max(np.abs(onnx_out[key] - tf_out[key])) <= 1e-4, (signature, key)
