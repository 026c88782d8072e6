"""adain-style (Huang & Belongie 2017): AdaIN's algebra, the section 7.3 mixing, the
training loss and step, the style-pair source, the encoder's weights file, the exports
and the CLI. Everything runs on random-VGG features at 16-32 px, batch 2."""

import json
import pathlib

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from keras_genzoo.data.sources import open_source
from keras_genzoo.data.style_pairs import MIN_EPOCH_PAIRS, StylePairSource
from keras_genzoo.errors import ConfigError, GenzooError
from keras_genzoo.export import onnx as onnx_export
from keras_genzoo.export.exported import ExportedModel
from keras_genzoo.export.savedmodel import export_model
from keras_genzoo.losses.style import content_loss, mean_std_style_loss
from keras_genzoo.models.adain_style.model import AdaINStyle, adain, mix_style_features
from keras_genzoo.networks.vgg import vgg19_encoder
from zoo_cli.main import main

TINY = {"image_size": 16, "load_size": 24, "vgg_weights": "random"}


@pytest.fixture(scope="module")
def model():
    """A tiny model whose decoder has taken 10 steps (out of its random start, whose
    images are far outside [0, 1])."""
    keras.utils.set_random_seed(0)
    built = AdaINStyle(TINY)
    built.compile()
    step = tf.function(built.train_step)
    for seed in range(10):
        step((images(seed, (2, 16, 16, 3)), images(seed + 100, (2, 16, 16, 3))))
    return built


def images(seed, shape):
    return np.random.default_rng(seed).uniform(size=shape).astype(np.float32)


def numpy_adain(content, style, epsilon=1e-5):
    """Eq. 8 in NumPy: sigma(s) (c - mu(c)) / sigma(c) + mu(s), statistics per channel."""
    mu_c, var_c = content.mean(axis=(1, 2), keepdims=True), content.var(axis=(1, 2), keepdims=True)
    mu_s, var_s = style.mean(axis=(1, 2), keepdims=True), style.var(axis=(1, 2), keepdims=True)
    return np.sqrt(var_s + epsilon) * (content - mu_c) / np.sqrt(var_c + epsilon) + mu_s


# ------------------------------------------------------------------- AdaIN and mixing
def test_adain_of_features_with_themselves_is_the_identity():
    features = images(0, (2, 5, 7, 8)) * 30.0 - 4.0
    np.testing.assert_allclose(adain(features, features).numpy(), features, rtol=1e-5, atol=1e-4)


def test_adain_gives_the_style_statistics_and_matches_numpy():
    content, style = images(1, (2, 6, 6, 4)) * 10, images(2, (1, 9, 5, 4)) * 3 + 7
    out = adain(content, style).numpy()  # one style row for the whole batch
    np.testing.assert_allclose(out, numpy_adain(content, style), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(out.mean(axis=(1, 2)), np.broadcast_to(style.mean(axis=(1, 2)),
                                                                       (2, 4)), atol=1e-4)


def test_mixing_is_the_paper_interpolation():
    """t = (1 - alpha) f(c) + alpha sum_k w_k AdaIN(f(c), f(s_k)), alpha per example."""
    content = images(3, (2, 4, 4, 3)) * 5
    styles = [images(4, (2, 6, 6, 3)) * 2, images(5, (1, 3, 5, 3)) + 4]
    weights, alpha = [0.7, 0.3], np.array([1.0, 0.25], np.float32)
    expected = sum(w * numpy_adain(content, s) for w, s in zip(weights, styles))
    expected = (1 - alpha[:, None, None, None]) * content + alpha[:, None, None, None] * expected
    got = mix_style_features(content, styles, weights, alpha).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(mix_style_features(content, styles, alpha=0.0).numpy(), content,
                               atol=1e-6)


def test_alpha_zero_returns_the_decoded_content_features(model):
    content, style = images(6, (2, 16, 24, 3)), images(7, (2, 32, 16, 3))
    np.testing.assert_allclose(model.stylize(content, [style], alpha=0.0),
                               model.decode(model.encode(content)), atol=1e-5)
    full = model.stylize(content, [style])
    assert full.shape == content.shape and full.min() >= 0.0 and full.max() <= 1.0
    assert not np.allclose(full, model.stylize(content, [style], alpha=0.0), atol=1e-3)


def test_sizes_that_are_not_multiples_of_8_are_one_line_errors(model):
    with pytest.raises(GenzooError, match="multiples of 8 and at least 16, got 12x16"):
        model.stylize(images(0, (1, 12, 16, 3)), [images(1, (1, 16, 16, 3))])
    with pytest.raises(GenzooError, match="at least 16, got 16x8"):
        model.encode(images(0, (1, 16, 8, 3)))
    with pytest.raises(GenzooError, match="RGB images"):
        model.encode(images(0, (1, 16, 16, 1)))


# ------------------------------------------------------------------------ the loss
def test_the_loss_is_eq_10_to_12_on_the_decoders_output(model):
    content, style = images(8, (2, 16, 16, 3)), images(9, (2, 16, 16, 3))
    content_part, style_part = model.losses_per_example(content, style)
    f_c, f_s = model.encoder(content), model.encoder(style)
    target = numpy_adain(f_c[-1].numpy(), f_s[-1].numpy())
    g_t = model.decoder(target)
    f_g = model.encoder(g_t)
    np.testing.assert_allclose(content_part, content_loss(f_g[-1], target), rtol=1e-4)
    np.testing.assert_allclose(style_part, mean_std_style_loss(f_g, f_s), rtol=1e-4)
    assert content_part.shape == (2,) and style_part.shape == (2,)


def test_one_adam_step_lowers_the_loss_on_a_fixed_batch():
    keras.utils.set_random_seed(1)
    fresh = AdaINStyle(TINY)  # the paper's Adam, 1e-4
    fresh.compile()
    batch = (images(10, (2, 16, 16, 3)), images(11, (2, 16, 16, 3)))

    def loss():
        content_part, style_part = fresh.losses_per_example(*batch)
        return float(tf.reduce_mean(content_part + fresh.config.style_weight * style_part))

    encoder_before = [w.copy() for w in fresh.encoder.get_weights()]
    before = loss()
    logs = fresh.train_step(batch)
    assert float(logs["loss"]) == pytest.approx(before, rel=1e-4)
    assert loss() < 0.9 * before
    for old, new in zip(encoder_before, fresh.encoder.get_weights()):  # the encoder is frozen
        np.testing.assert_array_equal(old, new)
    assert list(fresh.networks()) == ["decoder"]


def test_the_random_encoder_is_rebuilt_from_its_seed():
    x = images(12, (1, 16, 16, 3))
    same = [AdaINStyle(TINY).encode(x) for _ in range(2)]
    np.testing.assert_array_equal(*same)
    assert not np.allclose(same[0], AdaINStyle(TINY, vgg_seed=1).encode(x))


# ---------------------------------------------------------------- the weights file
def test_the_encoder_reads_a_vgg19_weights_file_in_keras_layout(tmp_path):
    """The ImageNet code path, offline: Keras' notop layout written from a random VGG-19."""
    from keras.src.legacy.saving import legacy_h5_format
    import h5py

    keras.utils.set_random_seed(3)
    vgg = keras.applications.VGG19(include_top=False, weights=None, input_shape=(None, None, 3))
    path = tmp_path / "vgg19_notop.h5"
    with h5py.File(path, "w") as handle:
        legacy_h5_format.save_weights_to_hdf5_group(handle, vgg)
    x = images(13, (2, 24, 16, 3))
    layers = ["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1"]
    reference = keras.Model(vgg.input, [vgg.get_layer(n).output for n in layers])(
        keras.applications.vgg19.preprocess_input(255.0 * x))
    encoder = vgg19_encoder(str(path))
    for mine, theirs in zip(encoder(x), reference):
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-3 * float(np.max(theirs)))
    run = AdaINStyle(TINY, vgg_weights=str(path))
    np.testing.assert_allclose(run.encode(x), reference[-1], rtol=1e-4,
                               atol=1e-3 * float(np.max(reference[-1])))
    path.unlink()
    with pytest.raises(ConfigError, match="weights file .* is gone"):
        AdaINStyle(TINY, vgg_weights=str(path))


# ---------------------------------------------------------------- the pair source
def write_images(folder: pathlib.Path, count: int, seed: int) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for index in range(count):
        pixels = (rng.uniform(size=(28 + 4 * index, 36, 3)) * 255).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"{index}.png")
    return f"folder:{folder}"


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("pairs")
    return write_images(root / "content", 3, 0), write_images(root / "styles", 2, 1)


def test_the_pairs_are_random_crops_replayed_by_seed_and_epoch(folders):
    content, style = (open_source(spec, image_size=24, channels=3) for spec in folders)
    source = StylePairSource(content, style, crop_size=16)
    assert source.num_examples == MIN_EPOCH_PAIRS and source.steps_per_epoch(8) == 16

    def first(epoch, seed=0):
        return [b.numpy() for b in next(iter(source.batches(8, epoch=epoch, seed=seed)))]

    c0, s0 = first(0)
    assert c0.shape == s0.shape == (8, 16, 16, 3)
    np.testing.assert_array_equal(c0, first(0)[0])  # the same (seed, epoch): the same crops
    assert not np.array_equal(c0, first(1)[0]) and not np.array_equal(c0, first(0, seed=1)[0])
    # every crop is a window of one of the opened images
    opened = content.take_images(3)
    crop = c0[0]
    assert any(np.allclose(image[y:y + 16, x:x + 16], crop) for image in opened
               for y in range(9) for x in range(9))


# ------------------------------------------------------------------------ exports
def test_exports_match_the_model_in_tensorflow_and_onnx(model, tmp_path):
    module, signatures = model.export_signatures()
    result = export_model(module, signatures, base_dir=tmp_path, name="adain",
                          parity_inputs=model.export_parity_inputs(),
                          signature_tolerances=model.export_onnx_tolerances())
    exported = ExportedModel(result.path)
    content = images(14, (2, 24, 16, 3))
    styles = [images(15, (2, 16, 16, 3)), images(16, (1, 32, 24, 3))]
    expected = model.stylize(content, styles, weights=[0.6, 0.4], alpha=[1.0, 0.5])
    np.testing.assert_allclose(exported.stylize(content, styles, weights=[0.6, 0.4],
                                                 alpha=[1.0, 0.5]), expected, atol=1e-4)
    single = model.stylize(content, styles[:1], alpha=[1.0, 0.5])
    feeds = {"content": content, "style": styles[0], "alpha": np.array([1.0, 0.5], np.float32)}
    served = exported.loaded.signatures["stylize"](**{k: tf.constant(v) for k, v in feeds.items()})
    np.testing.assert_allclose(served["image"].numpy(), single, atol=1e-4)
    onnx_image = onnx_export.run_onnx(result.onnx_files["stylize"], feeds)["image"]
    # the export's own bound (see export_onnx_tolerances: AdaIN divides by the standard
    # deviations of a few relu4_1 positions, which magnifies rounding), and on average a
    # quarter of a grey level; a wrong graph moves pixels by tenths
    np.testing.assert_allclose(onnx_image, single,
                               atol=model.export_onnx_tolerances()["stylize"])
    assert np.mean(np.abs(onnx_image - single)) < 1e-3
    features = onnx_export.run_onnx(result.onnx_files["encode"], {"image": content})["features"]
    np.testing.assert_allclose(features, model.encode(content),
                               atol=1e-5 * float(np.abs(features).max()))
    metadata = json.loads((result.path / "assets.extra" / "genzoo.json").read_text())
    assert set(metadata["signatures"]) == {"serving_default", "stylize", "encode", "decode"}


# ---------------------------------------------------------------------------- CLI
def test_train_sample_and_resume_on_the_command_line(folders, tmp_path, capsys):
    out = tmp_path / "run"

    def train(steps, style=folders[1]):
        return main(["train", "adain-style", "--dataset", folders[0], "--style-dataset", style,
                     "--set", "image_size=16", "--set", "load_size=24", "--batch-size", "2",
                     "--steps", str(steps), "--out", str(out)])

    assert train(2) == 0
    saved = json.loads((out / "config.json").read_text())
    assert saved["train"]["style_dataset"] == folders[1]
    assert saved["config"]["vgg_weights"] == "random"
    history = (out / "history.csv").read_text().splitlines()
    assert history[0].split(",")[3:] == ["loss", "content_loss", "style_loss"]
    picture = np.asarray(Image.open(next((out / "samples").glob("*.png"))))
    assert picture.shape[0] > picture.shape[1] / 6 * 3 - 10  # three rows of six pairs
    capsys.readouterr()
    assert main(["sample", str(out), "--out", str(tmp_path / "s.png")]) == 2
    assert "genzoo stylize" in capsys.readouterr().err
    # resuming with another style dataset is refused: the pairs would change
    assert train(3, style=folders[0]) == 2
    assert "style_dataset" in capsys.readouterr().err
    assert train(3) == 0
    assert "trained to step 3" in capsys.readouterr().out


@pytest.mark.parametrize("argv, fragment", [
    (["train", "dcgan", "--style-dataset", "digits"], "--style-dataset applies to"),
    (["train", "dcgan", "--vgg-weights", "vgg.h5"], "--vgg-weights applies to"),
    (["train", "adain-style", "--vgg-weights", "nowhere.h5"], "--vgg-weights: no such file"),
    (["train", "adain-style", "--dataset", "digits", "--style-dataset", "toy2d:ring8"],
     "must be an image source"),
    (["train", "adain-style", "--preset", "paper", "--dataset", "digits", "--style-dataset",
      "digits", "--steps", "1"], "VGG-19 ImageNet weights"),
])
def test_bad_input_is_one_line_and_writes_nothing(argv, fragment, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty-keras-home"))
    monkeypatch.chdir(tmp_path)
    assert main([*argv, "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and "\n" not in err, err
    assert not (tmp_path / "run").exists()
