"""FadeIn (Karras et al. 2018, section 3, figure 2): the blend, its alpha weight, checkpoints and tf.distribute."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from helpers import two_replica_strategy

from keras_genzoo.layers.equalized import EqualizedConv2D
from keras_genzoo.layers.fade import FadeIn


def _old_and_new(seed, shape=(2, 4, 4, 3)):
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape).astype(np.float32), rng.normal(size=shape).astype(np.float32) * 3.0


def test_alpha_0_gives_old_1_gives_new_and_a_quarter_the_mix():
    old, new = _old_and_new(0)
    layer = FadeIn()
    assert layer.alpha_value == 0.0  # a freshly grown network behaves as before it grew
    np.testing.assert_array_equal(layer([old, new]), old)
    layer.set_alpha(1.0)
    np.testing.assert_array_equal(layer([old, new]), new)
    layer.set_alpha(0.25)
    np.testing.assert_allclose(layer([old, new]), 0.75 * old + 0.25 * new, rtol=1e-6, atol=1e-7)


def test_set_alpha_clips_to_the_unit_interval():
    layer = FadeIn()
    for value, expected in ((-0.5, 0.0), (1.7, 1.0), (0.4, 0.4), (np.float32(2.0), 1.0)):
        layer.set_alpha(value)
        assert layer.alpha_value == pytest.approx(expected)
    layer.set_alpha(tf.constant(-3.0))  # a tensor, as a compiled training step would pass
    assert layer.alpha_value == 0.0
    with pytest.raises(ValueError, match="finite"):
        layer.set_alpha(float("nan"))


def test_alpha_is_a_non_trainable_float32_weight():
    inputs = keras.Input((3,))
    fade = FadeIn(name="fade")
    model = keras.Model(inputs, fade([inputs, keras.layers.Dense(3)(inputs)]))
    assert fade.trainable_weights == [] and fade.non_trainable_weights == [fade.alpha]
    assert all(w is not fade.alpha for w in model.trainable_weights)
    assert fade.alpha.dtype == "float32" and fade.alpha.shape == ()
    assert fade.alpha.aggregation == "only_first_replica"


def test_a_compiled_function_reads_the_current_alpha():
    # alpha is a variable, not a constant folded into the trace: a new value needs no retracing
    old, new = _old_and_new(1)
    layer = FadeIn()
    blend = tf.function(layer)
    np.testing.assert_array_equal(blend([old, new]), old)
    layer.set_alpha(1.0)
    np.testing.assert_array_equal(blend([old, new]), new)
    assert blend.experimental_get_tracing_count() == 1


def test_mixed_precision_casts_alpha_to_the_inputs_dtype():
    old, new = _old_and_new(2)
    layer = FadeIn(dtype="mixed_float16")
    layer.set_alpha(0.5)
    out = layer([tf.cast(old, tf.float16), tf.cast(new, tf.float16)])
    assert out.dtype == tf.float16 and layer.alpha.dtype == "float32"
    np.testing.assert_allclose(out.numpy().astype(np.float32), 0.5 * (old + new), atol=1e-2)


def _faded_model(name="m"):
    """A growth step in miniature: an old 1x1 path and a new 3x3 block, blended."""
    image = keras.Input((6, 6, 2))
    old = EqualizedConv2D(3, 1, gain=1.0, name="old")(image)
    new = EqualizedConv2D(3, 3, activation="lrelu", name="new")(image)
    return keras.Model(image, FadeIn(name="fade")([old, new]), name=name)


def test_alpha_survives_a_checkpoint_of_the_model(tmp_path):
    keras.utils.set_random_seed(3)
    model = _faded_model()
    model.get_layer("fade").set_alpha(0.4)
    path = tf.train.Checkpoint(model=model).save(str(tmp_path / "ckpt"))
    model.get_layer("fade").set_alpha(0.9)

    fresh = _faded_model()  # other random weights, alpha 0
    tf.train.Checkpoint(model=fresh).restore(path).assert_consumed()
    assert fresh.get_layer("fade").alpha_value == pytest.approx(0.4)
    x = np.random.default_rng(4).normal(size=(2, 6, 6, 2)).astype(np.float32)
    model.get_layer("fade").set_alpha(0.4)
    np.testing.assert_allclose(fresh(x), model(x), rtol=1e-6)


def test_alpha_survives_saving_a_keras_model(tmp_path):
    model = _faded_model()
    model.get_layer("fade").set_alpha(0.3)
    model.save(tmp_path / "f.keras")
    restored = keras.saving.load_model(tmp_path / "f.keras")
    assert restored.get_layer("fade").alpha_value == pytest.approx(0.3)


def test_fade_in_refuses_mismatched_inputs():
    old, _ = _old_and_new(5)
    with pytest.raises(ValueError, match="same shape"):
        FadeIn()([old, old[..., :2]])
    with pytest.raises(ValueError, match="two tensors"):
        FadeIn()(old)


def _forward_per_replica(strategy, model, x):
    """Run ``model`` on ``x`` split over the replicas and gather the outputs in order."""
    batch = next(iter(strategy.experimental_distribute_dataset(tf.data.Dataset.from_tensors(x))))

    @tf.function
    def forward(per_replica):
        return strategy.gather(strategy.run(model, args=(per_replica,)), axis=0)

    return forward(batch).numpy()


def test_under_mirrored_strategy_the_output_and_set_alpha_match_one_device():
    strategy = two_replica_strategy()
    x = np.random.default_rng(6).normal(size=(4, 6, 6, 2)).astype(np.float32)
    keras.utils.set_random_seed(7)
    single = _faded_model("single")
    keras.utils.set_random_seed(7)
    with strategy.scope():
        mirrored = _faded_model("mirrored")
        mirrored.get_layer("fade").set_alpha(0.3)
    single.get_layer("fade").set_alpha(0.3)
    for a, b in zip(single.weights, mirrored.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    # every replica holds its own copy of alpha, and the assignment reached each
    copies = strategy.experimental_local_results(mirrored.get_layer("fade").alpha.value)
    assert [float(c) for c in copies] == pytest.approx([0.3, 0.3])
    np.testing.assert_allclose(_forward_per_replica(strategy, mirrored, x), single(x), rtol=1e-5, atol=1e-6)

    # assigning from inside the replicas (as a compiled training step would) works
    # because of ONLY_FIRST_REPLICA aggregation
    fade = mirrored.get_layer("fade")

    @tf.function
    def set_in_replicas(value):
        strategy.run(fade.set_alpha, args=(value,))

    set_in_replicas(tf.constant(0.75))
    copies = strategy.experimental_local_results(fade.alpha.value)
    assert [float(c) for c in copies] == pytest.approx([0.75, 0.75])
    single.get_layer("fade").set_alpha(0.75)
    np.testing.assert_allclose(_forward_per_replica(strategy, mirrored, x), single(x), rtol=1e-5, atol=1e-6)
