"""StyleGAN: truncation (psi 0 = the average-w image, psi 1 = untouched), style mixing
seen through the AdaIN style inputs, w_avg tracking, growth, MirroredStrategy, export of
the three signatures with ONNX parity, and the sampling figures."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import assert_two_replicas_match_one_device, digit_batches, train_steps
from keras_genzoo.errors import ConfigError, GenzooError
from keras_genzoo.export import onnx as onnx_export
from keras_genzoo.export.savedmodel import export_model, load_export, read_signatures
from keras_genzoo.layers.normalization import AdaIN
from keras_genzoo.models.stylegan.model import StyleGAN, check_truncation

TINY = {"image_size": 8, "latent_dim": 8, "filter_base": 32, "max_filters": 8,
        "fade_images": 64, "stable_images": 64, "mapping_layers": 2, "ema_decay": 0.9}


def _model(**overrides):
    keras.utils.set_random_seed(0)
    model = StyleGAN({**TINY, **overrides}).prepare()
    model.w_avg.assign(np.random.default_rng(9).normal(size=TINY["latent_dim"]).astype("f"))
    return model


def test_truncation_zero_renders_the_average_w_image_and_one_changes_nothing():
    model = _model()
    images = model.sample(5, seed=3, truncation=0.0)
    np.testing.assert_allclose(images, np.repeat(images[:1], 5, axis=0), atol=1e-6)
    w_avg_image = model.render_styles(model.broadcast(model.w_avg[None]))
    np.testing.assert_allclose(images[0], w_avg_image[0], atol=1e-5)
    untruncated = model.sample(5, seed=3)
    np.testing.assert_allclose(model.sample(5, seed=3, truncation=1.0), untruncated, atol=0)
    assert np.abs(untruncated - untruncated[:1]).max() > 1e-3  # different z, different images
    half = model.mapped(5, seed=3, truncation=0.5).numpy()
    full = model.mapped(5, seed=3).numpy()
    np.testing.assert_allclose(half, model.w_avg.numpy() + 0.5 * (full - model.w_avg.numpy()),
                               rtol=1e-5, atol=1e-6)


def test_truncation_cutoff_leaves_the_later_layers_alone():
    model = _model(truncation_cutoff=1)
    ws = model.mapped(3, seed=1).numpy()
    truncated = model.truncate(tf.constant(ws), 0.0).numpy()
    np.testing.assert_allclose(truncated[:, 0], np.tile(model.w_avg.numpy(), (3, 1)), atol=1e-6)
    np.testing.assert_array_equal(truncated[:, 1:], ws[:, 1:])


def test_style_mixing_takes_early_layers_from_w1_and_later_ones_from_w2(monkeypatch):
    model = _model()
    model.grow()  # 4 style layers
    seen = []  # every AdaIN call's (scale, bias), in layer order
    original = AdaIN.call

    def recording_call(layer, inputs):
        seen.append((np.array(inputs[1]), np.array(inputs[2])))
        return original(layer, inputs)

    monkeypatch.setattr(AdaIN, "call", recording_call)

    def styles(ws):
        seen.clear()
        model.render_styles(ws)
        return list(seen)

    ws = model.mapped(2, seed=5)
    w1, w2 = ws[:1], ws[1:]
    crossover = 3
    mixed, only_first, only_second = styles(model.mix_styles(w1, w2, crossover)), styles(w1), \
        styles(w2)
    assert len(mixed) == model.num_style_layers() == 4
    for layer in range(4):
        source = only_first if layer < crossover else only_second
        other = only_second if layer < crossover else only_first
        for k in range(2):  # the style's scale and its bias
            np.testing.assert_allclose(mixed[layer][k], source[layer][k], atol=1e-6)
            assert np.abs(mixed[layer][k] - other[layer][k]).max() > 1e-4


def test_w_avg_tracks_the_mean_mapped_latent_during_training():
    from keras_genzoo.models.adversarial import _GENERATOR_NOISE

    model = _model(w_avg_decay=0.5, style_mixing=0.0)
    model.w_avg.assign(tf.zeros([TINY["latent_dim"]]))
    # the generator update's latents at step 0, through the mapping as it is before the
    # step (the critic update does not touch the mapping)
    z = model.replica_noise(8, [TINY["latent_dim"]], salt=_GENERATOR_NOISE)
    expected = 0.5 * np.mean(model.parts().mapping(z).numpy(), axis=0)
    train_steps(model, digit_batches(8, 1, image_size=8))
    np.testing.assert_allclose(model.w_avg.numpy(), expected, rtol=1e-4, atol=1e-6)


def test_growth_keeps_the_output_at_alpha_zero_and_training_runs():
    model = _model()
    z = model.latent(3, seed=1)
    before = model.generate_raw(z).numpy()
    model.grow()
    after = model.generate_raw(z).numpy()
    np.testing.assert_allclose(after, np.repeat(np.repeat(before, 2, 1), 2, 2), atol=1e-5)
    logs = train_steps(model, digit_batches(8, 2, image_size=8))
    assert all(np.isfinite(v) for v in logs[-1].values()) and "r1" in logs[-1]
    assert len(model.fade_layers()) == 3  # G (shared by its noisy twin), EMA, D


def test_fine_style_init_scale_shrinks_only_the_last_resolutions_style_affines():
    keras.utils.set_random_seed(0)
    model = StyleGAN({**TINY, "latent_dim": 64, "max_filters": 64, "filter_base": 256,
                      "fine_style_init_scale": 0.1}).prepare()
    model.grow()  # 8x8 is TINY's last resolution
    stds = {}
    for stage, block in enumerate(model.layer_store["g_block"]):
        for layer in block:
            if "style" in layer.name:
                stds.setdefault(stage, []).append(float(np.std(layer.kernel.numpy())))
    # 64 x 64 draws per kernel: its sample std is within ~5% of the true one
    np.testing.assert_allclose(stds[0], 1.0, rtol=0.15)
    np.testing.assert_allclose(stds[1], 0.1, rtol=0.15)
    with pytest.raises(ConfigError, match="fine_style_init_scale"):
        StyleGAN({**TINY, "fine_style_init_scale": 0.0})


# slow tier: progan's two-replica test covers the progressive engine in the fast tier
@pytest.mark.slow
def test_two_replicas_train_like_one_device():
    config = {**TINY, "ema_decay": 0.0}
    assert_two_replicas_match_one_device(StyleGAN, config, digit_batches(8, 2, image_size=8))


def test_export_three_signatures_and_onnx_parity(tmp_path):
    model = _model()
    model.grow()
    model.set_alpha(0.5)
    for layer in model.parts(model.sampling_generator()).synthesis._flatten_layers():
        if type(layer).__name__ == "NoiseInjection":  # fresh scales are 0: noise unused
            layer.scale.assign(np.full(layer.scale.shape, 0.5, np.float32))
    module, signatures = model.export_signatures()
    result = export_model(module, signatures, base_dir=tmp_path, name="stylegan")
    assert set(result.onnx_files) == {"serving_default", "mapping", "synthesis",
                                      "synthesis_noise"}
    assert max(result.onnx_max_abs_diff.values()) <= 1e-4
    read = read_signatures(result.path)
    assert set(read["serving_default"]["inputs"]) == {"z", "truncation_psi"}
    assert read["synthesis"]["inputs"]["ws"]["shape"] == [None, 4, TINY["latent_dim"]]
    z = model.latent(3, seed=2).numpy()
    loaded, _, _ = load_export(result.path)
    assert read["serving_default"]["inputs"]["truncation_psi"]["shape"] == [None]
    for psi in (1.0, 0.6, 0.0):
        served = loaded.signatures["serving_default"](z=tf.constant(z),
                                                      truncation_psi=tf.fill([3], psi))
        np.testing.assert_allclose(served["images"], model.sample(3, seed=2, truncation=psi),
                                   atol=1e-5)
    # one psi per example: each row is truncated by its own value
    mixed = loaded.signatures["serving_default"](
        z=tf.constant(z), truncation_psi=tf.constant([1.0, 0.6, 0.0]))["images"].numpy()
    for row, psi in enumerate((1.0, 0.6, 0.0)):
        np.testing.assert_allclose(mixed[row], model.sample(3, seed=2, truncation=psi)[row],
                                   atol=1e-5)
    w = loaded.signatures["mapping"](z=tf.constant(z))["w"].numpy()
    ws = np.repeat(w[:, None], 4, axis=1)
    via_synthesis = loaded.signatures["synthesis"](ws=tf.constant(ws))["images"].numpy()
    np.testing.assert_allclose(via_synthesis, model.sample(3, seed=2), atol=1e-5)
    # noise as inputs: the fixed buffers reproduce synthesis, other noise changes the image
    fixed = [layer.noise.numpy().repeat(3, axis=0) for layer in
             model.parts(model.sampling_generator()).synthesis._flatten_layers()
             if type(layer).__name__ == "FixedNoise"]
    assert [f.shape[1] for f in fixed] == [4, 4, 8, 8]
    feeds = {"ws": ws, **{f"noise_{i}": noise for i, noise in enumerate(fixed)}}
    with_noise = loaded.signatures["synthesis_noise"](**{k: tf.constant(v)
                                                         for k, v in feeds.items()})
    np.testing.assert_allclose(with_noise["images"], via_synthesis, atol=1e-5)
    other = {**feeds, "noise_3": np.zeros_like(fixed[3]) + 3.0}
    changed = loaded.signatures["synthesis_noise"](**{k: tf.constant(v)
                                                      for k, v in other.items()})["images"]
    assert np.abs(changed.numpy() - via_synthesis).max() > 1e-4
    onnx_out = onnx_export.run_onnx(result.onnx_files["serving_default"],
                                    {"z": z, "truncation_psi": np.full(3, 0.6, np.float32)})
    served = loaded.signatures["serving_default"](z=tf.constant(z),
                                                  truncation_psi=tf.fill([3], 0.6))
    np.testing.assert_allclose(onnx_out["images"], served["images"], atol=1e-4)


def test_sampling_figures_have_the_right_shapes():
    model = _model()
    grid, columns = model.style_mixing_grid(2, 3, seed=0, crossover=1)
    assert columns == 4 and grid.shape == (12, 4, 4, 1)
    np.testing.assert_array_equal(grid[0], np.zeros_like(grid[0]))  # the blank corner
    strip = model.interpolation(5, seed=0)
    assert strip.shape == (5, 4, 4, 1)
    ends = model.sample(2, seed=0)
    np.testing.assert_allclose(strip[[0, -1]], ends, atol=1e-5)
    with pytest.raises(GenzooError, match="crossover"):
        model.style_mixing_grid(2, 3, crossover=2)


def test_bad_truncation_and_config():
    assert check_truncation(0.7) == 0.7
    for psi in (-0.1, 1.5, float("nan")):
        with pytest.raises(GenzooError, match=r"\[0, 1\]"):
            check_truncation(psi)
    assert check_truncation(1.5, force=True) == 1.5
    with pytest.raises(ConfigError, match="style_mixing"):
        StyleGAN({**TINY, "style_mixing": 1.5})
    with pytest.raises(ConfigError, match="power of two"):
        StyleGAN({**TINY, "image_size": 48})


def test_a_loaded_stylegan_has_one_alpha_everywhere(tmp_path):
    """The noisy training wiring shares the fixed-noise wiring's FadeIn, so a run loaded
    mid-fade reports, samples and trains with the saved alpha."""
    from keras_genzoo.training import plan as plan_lib
    from keras_genzoo import runs
    from keras_genzoo.training import trainer

    overrides = {k: str(v) for k, v in TINY.items()} | {"max_filters": "4"}
    plan = plan_lib.resolve_plan("stylegan", overrides=overrides, out_dir=str(tmp_path / "run"),
                                steps=10, batch_size=8, dataset="digits")
    trainer.train(plan, verbose=0)
    model, _ = runs.load_trained_model(tmp_path / "run")
    assert model.phase == 1
    expected = (9 * 8 - 64) / 64  # alpha set before the 10th step
    assert {round(layer.alpha_value, 6) for layer in model.fade_layers()} == {round(expected, 6)}
    assert model.alpha == pytest.approx(expected)
