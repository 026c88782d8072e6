"""RadialGAN (Yoon, Jordon & van der Schaar, ICML 2018): shapes for domains with
different feature counts, the losses of one train_step computed by hand (the
adversarial loss, the latent cycle of eq. 6, the data cycle of eq. 7, label
preservation, the shared-feature and agreement terms, label-blind
encoders), both cycles falling and labels kept on domains:breast_cancer,
MirroredStrategy, the export signatures with ONNX parity in original units, and
the config round trip."""

import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf
from helpers import assert_two_replicas_match_one_device

from keras_genzoo.data.tabular import Domain, open_domains
from keras_genzoo.errors import ConfigError, GenzooError
from keras_genzoo.export import onnx as onnx_export
from keras_genzoo.export.savedmodel import export_model, load_export, read_signatures
from keras_genzoo.models.radialgan.model import RadialGAN, shared_feature_pairs
from keras_genzoo.training.trainer import make_train_function

TINY = {"latent_dim": 6, "hidden_units": (16, 16)}
#: three domains with different feature counts and three classes
UNEVEN = {**TINY, "feature_counts": (3, 5, 7), "num_classes": 3}


def _model(seed=0, **config):
    keras.utils.set_random_seed(seed)
    return RadialGAN({**UNEVEN, **config}).prepare()


def _random_domains(feature_counts, num_classes, batch, seed=0):
    """One batch ``((x_0, y_0), ..., (x_{M-1}, y_{M-1}))`` of standard normal features."""
    rng = np.random.default_rng(seed)
    return tuple((rng.standard_normal((batch, d)).astype(np.float32),
                  rng.integers(0, num_classes, batch).astype(np.int32))
                 for d in feature_counts)


def _sample(x, y, num_classes):
    """``[x, one_hot(y)]``, the networks' input (module docstring)."""
    return np.concatenate([x, np.eye(num_classes, dtype=np.float32)[y]], axis=1)


def _per_step_logs(model, batches):
    """Train on ``batches`` through the trainer's step function; the trackers are
    reset before each step, so each log holds that step's values alone."""
    step = make_train_function(model, tf.distribute.get_strategy(), xla=False)
    logs = []
    for batch in batches:
        for tracker in model.metrics:
            tracker.reset_state()
        logs.append({key: float(value) for key, value in step(batch).items()})
    return logs


# ---------------------------------------------------------------------------
# shapes


def test_shapes_for_domains_with_different_feature_counts():
    model = _model()
    counts, classes, latent = UNEVEN["feature_counts"], UNEVEN["num_classes"], UNEVEN["latent_dim"]
    assert model.num_domains == 3 and len(model.networks()) == 9
    data = _random_domains(counts, classes, batch=4)
    for i, (x, y) in enumerate(data):
        sample = _sample(x, y, classes)
        assert model.encoders[i](sample).shape == (4, latent)
        assert model.decoders[i](np.zeros((4, latent), np.float32)).shape == (4, counts[i] + classes)
        assert model.discriminators[i](sample).shape == (4, 1)
        for j in range(3):
            features, probabilities = model.translate(x, y, i, j)
            assert features.shape == (4, counts[j]) and probabilities.shape == (4, classes)
            np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
            # G_j(F_i(x_i, y)) spelled out with the networks (section 4)
            direct = model.decoders[j](model.encoders[i](sample)).numpy()
            np.testing.assert_allclose(features, direct[:, :counts[j]], atol=1e-6)
            np.testing.assert_allclose(probabilities, direct[:, counts[j]:], atol=1e-6)
        reconstruction, _ = model.reconstruct(x, y, i)
        np.testing.assert_array_equal(reconstruction, model.translate(x, y, i, i)[0])
    # call(): every domain through every discriminator
    scores = model(tuple((tf.constant(x), tf.constant(y)) for x, y in data))
    assert len(scores) == 9 and all(s.shape == (4, 1) for s in scores)
    assert [tuple(t.shape) for t in model.example_input(5)[2]] == [(5, 7), (5,)]


# ---------------------------------------------------------------------------
# the losses of one step, by hand


def _softplus(v):
    return np.logaddexp(0.0, v)


#: UNEVEN's domains by name: 0 and 1 share b and c (in different columns), 1 and 2
#: share x, 0 and 2 nothing
NAMES = (("a", "b", "c"), ("c", "x", "d", "b", "e"), ("f", "g", "x", "h", "i", "j", "k"))


def test_shared_feature_pairs_match_columns_by_name_in_the_source_order():
    pairs = shared_feature_pairs(NAMES)
    assert pairs == {(0, 1): ([1, 2], [3, 0]), (1, 0): ([0, 3], [2, 1]),
                     (1, 2): ([1], [2]), (2, 1): ([2], [1])}
    assert shared_feature_pairs(()) == {}


@pytest.mark.parametrize("config, message", [
    ({"feature_names": NAMES[:2]}, "feature_names must name every domain's features"),
    ({"feature_names": (NAMES[0], NAMES[1][:4], NAMES[2])}, "must name every domain"),
    ({"feature_names": (("a",) * 3, ("b",) * 5, ("c",) * 7), "shared_feature_weight": 1.0},
     "these domains share none"),
    ({"shared_feature_weight": 1.0}, "the config names no features"),
    ({"agreement_weight": 1.0}, "agreement_weight needs .*the config names no features"),
    ({"feature_counts": (3, 5), "feature_names": NAMES[:2], "agreement_weight": 1.0},
     "agreement_weight needs at least 3 domains"),
])
def test_shared_feature_settings_that_cannot_work_are_refused(config, message):
    with pytest.raises(ConfigError, match=message) as error:
        _model(**config)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("adversarial_loss, encode_label",
                         [("bce", True), ("wgan-gp", True), ("wgan-gp", False)])
def test_first_step_losses_match_a_hand_computation(adversarial_loss, encode_label):
    weights = {"latent_cycle_weight": 2.0, "data_cycle_weight": 3.0, "label_weight": 0.5,
               "shared_feature_weight": 1.5, "agreement_weight": 0.7}
    # gp_weight 0: the Wasserstein critic loss alone, which needs no random interpolation
    model = _model(seed=3, adversarial_loss=adversarial_loss, gp_weight=0.0,
                   feature_names=NAMES, encode_label=encode_label, **weights)
    counts, classes = UNEVEN["feature_counts"], UNEVEN["num_classes"]
    data = _random_domains(counts, classes, batch=6, seed=1)
    samples = [_sample(x, y, classes) for x, y in data]

    def encoder_input(s, i):  # label-blind encoders see the label part as zeros
        return s if encode_label else np.concatenate(
            [s[:, :counts[i]], np.zeros_like(s[:, counts[i]:])], axis=1)

    encode = [lambda s, net=net, i=i: net(encoder_input(s, i)).numpy()
              for i, net in enumerate(model.encoders)]
    decode = [lambda z, net=net: net(z).numpy() for net in model.decoders]
    critic = [lambda s, net=net: net(s).numpy().reshape(-1) for net in model.discriminators]

    # the discriminators step first, on the translators' initial weights; the
    # translators' losses use those same weights (the critics do not touch them)
    d_terms, latent, cycle, label, correct, shared = [], [], [], [], [], []
    translations = {}
    for i, j in itertools.permutations(range(3), 2):
        z = encode[i](samples[i])
        translated = translations[(i, j)] = decode[j](z)
        real, fake = critic[j](samples[j]), critic[j](translated)
        if adversarial_loss == "bce":
            d_terms.append(np.mean(_softplus(-real) + _softplus(fake)))
        else:
            d_terms.append(np.mean(fake - real))
        z_back = encode[j](translated)
        latent.append(np.mean((z_back - z) ** 2))  # eq. 6
        restored = decode[i](z_back)
        one_hot = samples[i][:, counts[i]:]
        cycle.append(np.mean(np.mean((restored[:, :counts[i]] - data[i][0]) ** 2, axis=1)
                             - np.sum(one_hot * np.log(restored[:, counts[i]:] + 1e-7), axis=1)))
        label.append(np.mean(-np.sum(one_hot * np.log(translated[:, counts[j]:] + 1e-7), axis=1)))
        correct.append(np.mean(np.argmax(translated[:, counts[j]:], axis=1) == data[i][1]))
        # a feature both record by name keeps its standardized value (0 for 0 <-> 2)
        common = [name for name in NAMES[i] if name in NAMES[j]]
        shared.append(np.mean(np.mean([(translated[:, NAMES[j].index(name)]
                                        - data[i][0][:, NAMES[i].index(name)]) ** 2
                                       for name in common], axis=0)) if common else 0.0)

    # agreement: a row of i translated into j and into k, on what j and k both record:
    # 0 -> 1 and 0 -> 2 on x; 2 -> 0 and 2 -> 1 on b and c; 1 -> 0 and 1 -> 2 on nothing
    agreement = np.mean([np.mean([(translations[(i, j)][:, NAMES[j].index(name)]
                                   - translations[(i, k)][:, NAMES[k].index(name)]) ** 2
                                  for name in common], axis=0) if common else np.zeros(6)
                         for i, j, k in [(0, 1, 2), (1, 0, 2), (2, 0, 1)]
                         for common in [[n for n in NAMES[j] if n in NAMES[k]]]])

    logs = _per_step_logs(model, [data])[0]
    assert logs["d_loss"] == pytest.approx(np.mean(d_terms), rel=1e-4, abs=1e-5)
    assert logs["latent_cycle"] == pytest.approx(np.mean(latent), rel=1e-4, abs=1e-6)
    assert logs["data_cycle"] == pytest.approx(np.mean(cycle), rel=1e-4, abs=1e-6)
    assert logs["label_accuracy"] == pytest.approx(np.mean(correct), abs=1e-6)
    assert logs["shared_features"] == pytest.approx(np.mean(shared), rel=1e-4, abs=1e-6)
    assert logs["agreement"] == pytest.approx(agreement, rel=1e-4, abs=1e-6)
    assert agreement > 0
    assert 0 < shared[0] and shared[1] == 0.0  # (0, 1) share b and c; (0, 2) nothing
    expected_g = (logs["adversarial"] + 2.0 * np.mean(latent) + 3.0 * np.mean(cycle)
                  + 0.5 * np.mean(label) + 1.5 * np.mean(shared) + 0.7 * agreement)
    assert logs["g_loss"] == pytest.approx(expected_g, rel=1e-4, abs=1e-5)
    assert model.steps_taken() == 1


# ---------------------------------------------------------------------------
# training on domains:breast_cancer


@pytest.fixture(scope="module")
def trained_on_breast_cancer():
    """M = 2 breast cancer domains, 300 steps of batch 32 (60 epochs of 5 steps)."""
    train = open_domains("domains:breast_cancer", num_domains=2)
    validation = open_domains("domains:breast_cancer", num_domains=2, split="validation")
    keras.utils.set_random_seed(0)
    model = RadialGAN({"feature_counts": train.feature_counts, "num_classes": 2,
                       "latent_dim": 8, "hidden_units": (32, 32),
                       "learning_rate": 1e-3}).prepare()
    before = [np.mean((model.reconstruct(d.x, d.y, i)[0] - d.x) ** 2)
              for i, d in enumerate(train.domains)]
    batches = [batch for epoch in range(60) for batch in train.batches(32, epoch=epoch, seed=0)]
    logs = _per_step_logs(model, batches)
    return model, train, validation, before, logs


def test_both_cycle_losses_fall_during_training(trained_on_breast_cancer):
    _, _, _, _, logs = trained_on_breast_cancer
    assert len(logs) == 300
    for key in ("latent_cycle", "data_cycle"):
        values = np.array([log[key] for log in logs])
        assert np.isfinite(values).all(), key
        # ten-step means: one step's value moves with its batch
        first, last = values[:10].mean(), values[-10:].mean()
        assert last < 0.8 * first, (key, first, last)


def test_a_domain_translated_to_itself_reconstructs_better_after_training(
        trained_on_breast_cancer):
    model, train, _, before, _ = trained_on_breast_cancer
    # G_i(F_i(x)) is never trained directly: it follows from the two cycles
    for i, domain in enumerate(train.domains):
        after = np.mean((model.reconstruct(domain.x, domain.y, i)[0] - domain.x) ** 2)
        assert after < 0.7 * before[i], (domain.name, before[i], after)


def test_translated_samples_keep_their_label(trained_on_breast_cancer):
    model, _, validation, _, logs = trained_on_breast_cancer
    assert logs[-1]["label_accuracy"] > 0.9
    held_out = [(d.x, d.y) for d in validation.domains]
    metrics = model.evaluation_metrics(held_out)
    assert metrics["label_agreement"] > 0.9
    # the metric itself, by hand: the translated label head's argmax against y
    agreement = [np.mean(np.argmax(model.translate(x, y, i, 1 - i)[1], axis=1) == y)
                 for i, (x, y) in enumerate(held_out)]
    assert metrics["label_agreement"] == pytest.approx(np.mean(agreement))


# ---------------------------------------------------------------------------
# distribution


@pytest.mark.slow  # the fast tier's replica checks: test_gan_family, test_distribute
def test_two_replicas_train_like_one_device():
    counts = (3, 5)
    batches = [_random_domains(counts, 2, batch=8, seed=seed) for seed in range(2)]
    # the default wgan-gp: its interpolation noise is drawn per replica slice
    assert_two_replicas_match_one_device(
        RadialGAN, {**TINY, "feature_counts": counts, "num_classes": 2}, batches)


# ---------------------------------------------------------------------------
# export


def test_export_signatures_onnx_parity_and_original_units(tmp_path):
    counts = (3, 5)
    keras.utils.set_random_seed(2)
    model = RadialGAN({**TINY, "feature_counts": counts, "num_classes": 2}).prepare()
    rng = np.random.default_rng(4)
    means = [rng.uniform(-50, 50, d) for d in counts]
    stds = [rng.uniform(0.5, 20, d) for d in counts]
    model.set_standardization(means, stds)
    domains = [Domain(name=name, feature_names=[f"f{k}" for k in range(d)],
                      x=np.zeros((0, d)), y=np.zeros(0), mean=m, std=s)
               for name, d, m, s in zip("AB", counts, means, stds)]

    module, signatures = model.export_signatures()
    result = export_model(module, signatures, base_dir=tmp_path, name="radialgan")
    assert set(result.onnx_files) == set(signatures)
    assert max(result.onnx_max_abs_diff.values()) <= 1e-4
    read = read_signatures(result.path)
    for i, d in enumerate(counts):
        assert read[f"encode_{i}"]["inputs"]["x"]["shape"] == [None, d]
        assert set(read[f"encode_{i}"]["outputs"]) == {"z"}
        assert read[f"decode_{i}"]["inputs"]["z"]["shape"] == [None, TINY["latent_dim"]]
        assert read[f"decode_{i}"]["outputs"]["features"]["shape"] == [None, d]
    assert set(read["serving_default"]["inputs"]) == {"x", "label"}
    assert set(read["translate_1_to_0"]["outputs"]) == {"features", "label_probabilities"}

    # rows in domain A's ORIGINAL units; the model itself works on standardized rows
    x = (means[0] + stds[0] * rng.standard_normal((6, 3))).astype(np.float32)
    label = np.array([0, 1, 1, 0, 1, 0], np.int32)
    features, probabilities = model.translate(domains[0].standardize(x), label, 0, 1)
    expected = domains[1].to_original(features)
    loaded, _, _ = load_export(result.path)
    served = loaded.signatures["translate_0_to_1"](x=tf.constant(x), label=tf.constant(label))
    np.testing.assert_allclose(served["features"], expected, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(served["label_probabilities"], probabilities, atol=1e-5)
    default = loaded.signatures["serving_default"](x=tf.constant(x), label=tf.constant(label))
    np.testing.assert_allclose(default["features"], served["features"], atol=0)
    z = loaded.signatures["encode_0"](x=tf.constant(x), label=tf.constant(label))["z"]
    decoded = loaded.signatures["decode_1"](z=z)
    np.testing.assert_allclose(decoded["features"], served["features"], rtol=1e-5, atol=1e-4)
    onnx_out = onnx_export.run_onnx(result.onnx_files["translate_0_to_1"],
                                    {"x": x, "label": label})
    np.testing.assert_allclose(onnx_out["features"], expected, rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(onnx_out["label_probabilities"], probabilities, atol=1e-4)

    # a label out of range: the SavedModel refuses it, for every signature with a label
    for bad in ([0, 2, 0, 0, 0, 0], [-1, 0, 0, 0, 0, 0]):
        for name in ("translate_0_to_1", "encode_0", "serving_default"):
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"label must be in \[0, 2\)"):
                loaded.signatures[name](x=tf.constant(x), label=tf.constant(bad, tf.int32))
    # ... the ONNX graph has no assertion (tf2onnx drops it): as documented, an
    # out-of-range label, -1 included, encodes as the all-zero one-hot vector
    bad = np.array([2, -1, 7, 0, 1, 0], np.int32)
    onnx_bad = onnx_export.run_onnx(result.onnx_files["translate_0_to_1"], {"x": x, "label": bad})
    sample = np.concatenate([domains[0].standardize(x), np.eye(2)[[0, 0, 0, 0, 1, 0]]], axis=1)
    sample[:3, 3:] = 0.0  # the three bad labels: no class
    zero_label = model.translate_samples(tf.constant(sample, tf.float32), 0, 1).numpy()
    np.testing.assert_allclose(onnx_bad["features"], domains[1].to_original(zero_label[:, :5]),
                               rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(onnx_bad["label_probabilities"], zero_label[:, 5:], atol=1e-4)
    assert np.abs(onnx_bad["features"][0] - onnx_out["features"][0]).max() > 1e-3
    # the Python API refuses it in one line
    with pytest.raises(GenzooError, match="label 2 is out of range: this radialgan model has 2"):
        model.translate(domains[0].standardize(x), bad, 0, 1)


def test_label_blind_encoders_ignore_the_label_in_the_model_and_its_export(tmp_path):
    counts = (3, 5)
    x = np.random.default_rng(5).standard_normal((6, 3)).astype(np.float32)
    zeros, ones = np.zeros(6, np.int32), np.ones(6, np.int32)
    outputs = {}
    for encode_label in (True, False):
        keras.utils.set_random_seed(2)
        model = RadialGAN({**TINY, "feature_counts": counts, "num_classes": 2,
                           "encode_label": encode_label}).prepare()
        outputs[encode_label] = [np.concatenate(model.translate(x, y, 0, 1), axis=1)
                                 for y in (zeros, ones)]
    # the same initial weights: the label moves the paper's translation, not a blind one
    assert np.abs(outputs[True][0] - outputs[True][1]).max() > 1e-3
    np.testing.assert_allclose(outputs[False][0], outputs[False][1], atol=1e-6)
    assert np.abs(outputs[False][0] - outputs[True][0]).max() > 1e-3

    # the label-blind model (the loop's last) exports with the label input kept
    # (checked, then ignored): the same signatures as every radialgan export
    module, signatures = model.export_signatures()
    result = export_model(module, signatures, base_dir=tmp_path, name="blind")
    assert set(read_signatures(result.path)["translate_0_to_1"]["inputs"]) == {"x", "label"}
    loaded, _, _ = load_export(result.path)
    for label in (zeros, ones):
        served = loaded.signatures["translate_0_to_1"](x=tf.constant(x), label=tf.constant(label))
        np.testing.assert_allclose(served["features"], outputs[False][0][:, :5],
                                   rtol=1e-5, atol=1e-4)
        onnx_out = onnx_export.run_onnx(result.onnx_files["translate_0_to_1"],
                                        {"x": x, "label": label})
        np.testing.assert_allclose(onnx_out["features"], outputs[False][0][:, :5],
                                   rtol=1e-5, atol=1e-3)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"label must be in \[0, 2\)"):
        loaded.signatures["translate_0_to_1"](x=tf.constant(x), label=tf.constant(ones * 2))


def test_export_fills_gaps_with_the_training_fill(tmp_path):
    counts = (3, 4)
    keras.utils.set_random_seed(5)
    model = RadialGAN({**TINY, "feature_counts": counts, "num_classes": 2}).prepare()
    rng = np.random.default_rng(6)
    means = [rng.uniform(-5, 5, d) for d in counts]
    stds = [rng.uniform(0.5, 3, d) for d in counts]
    fills = [m + s * rng.normal(size=len(m)) for m, s in zip(means, stds)]  # not the mean
    model.set_standardization(means, stds, fills)
    for variable, fill in zip(model.feature_fills, fills):
        np.testing.assert_allclose(variable.numpy(), fill, rtol=1e-6)
    assert {"feature_fill_0", "feature_fill_1"} <= set(model.state_variables())
    module, signatures = model.export_signatures()
    result = export_model(module, signatures, base_dir=tmp_path, name="radialgan")
    # the parity inputs have gaps, so the ONNX graphs fill them like TensorFlow
    assert any(np.isnan(v["x"]).any() for v in model.export_parity_inputs().values())
    assert max(result.onnx_max_abs_diff.values()) <= 1e-4
    x = (means[0] + stds[0] * rng.standard_normal((5, 3))).astype(np.float32)
    x[1, 0] = x[3, 2] = x[4, :] = np.nan
    by_hand = np.where(np.isnan(x), fills[0].astype(np.float32), x)
    label = np.array([0, 1, 0, 1, 1], np.int32)
    loaded, _, _ = load_export(result.path)
    served = loaded.signatures["translate_0_to_1"](x=tf.constant(x), label=tf.constant(label))
    filled = loaded.signatures["translate_0_to_1"](x=tf.constant(by_hand),
                                                   label=tf.constant(label))
    assert np.isfinite(served["features"].numpy()).all()
    np.testing.assert_allclose(served["features"], filled["features"], rtol=1e-6, atol=1e-6)
    onnx_out = onnx_export.run_onnx(result.onnx_files["encode_0"], {"x": x, "label": label})
    np.testing.assert_allclose(
        onnx_out["z"], loaded.signatures["encode_0"](x=tf.constant(by_hand),
                                                     label=tf.constant(label))["z"],
        rtol=1e-5, atol=1e-5)


def test_cli_trains_on_a_csv_with_gaps_and_a_domain_smaller_than_the_batch(tmp_path, capsys):
    import csv
    import json

    from zoo_cli.main import main

    rng = np.random.default_rng(0)
    rows = []
    for site, count in (("big", 80), ("small", 47)):  # small: 28 train rows
        for k in range(count):
            age, bp = rng.normal(50, 10), rng.normal(120, 15)
            rows.append([site, f"{age:.2f}", "" if k % 7 == 3 else f"{bp:.2f}",
                         "" if k % 9 == 4 else rng.choice(["a", "b"]),
                         "" if site == "small" or k % 2 else "1.5",
                         "yes" if age + bp / 3 > 90 else "no"])
    path = tmp_path / "gaps.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["site", "age", "bp", "kind", "rare", "outcome"])
        writer.writerows(rows)
    out = tmp_path / "run"
    code = main(["train", "radialgan", "--dataset", f"csv:{path}", "--domain-column", "site",
                 "--label-column", "outcome", "--preset", "csv", "--set", "latent_dim=6",
                 "--set", "hidden_units=16,16", "--steps", "4", "--batch-size", "32",
                 "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "domain big leaves out rare (50% empty)" not in printed  # 0.5 is not > 0.5
    assert "domain small leaves out rare (no value) in its 28 train rows" in printed
    statistics = json.loads((out / "data_statistics.json").read_text())
    small = statistics["domains"][1]
    assert small["name"] == "small" and small["train_rows"] == 28
    assert small["feature_names"] == ["age", "bp", "kind=a", "kind=b"]
    assert set(small["filled_columns"]) == {"bp", "kind"} and len(small["fill"]) == 4


# ---------------------------------------------------------------------------
# config


@pytest.mark.parametrize("overrides, fragment", [
    ({"feature_counts": (4,)}, "at least 2 domains"),
    ({"feature_counts": (4, 0)}, "every domain needs a feature"),
    ({"num_classes": 1}, "num_classes"),
    ({"latent_dim": 0}, "latent_dim"),
    ({"gp_weight": -1.0}, "gp_weight"),
    ({"num_domains": 1}, "num_domains"),
    ({"hidden_units": (16, 0)}, "hidden_units"),
    ({"adversarial_loss": "hinge"}, "adversarial_loss"),
    ({"overlap": 1.0}, "overlap"),
    ({"target_rows": 0}, "target_rows must be at least 1"),
    ({"source_domains": 0}, "source_domains"),
    ({"source_rows": 5}, "source_rows must be at least 10"),
    ({"target_domain": -1}, "target_domain"),
    ({"missing_threshold": 1.5}, "missing_threshold"),
])
def test_bad_config_is_a_config_error(overrides, fragment):
    with pytest.raises(ConfigError, match=fragment):
        RadialGAN({**UNEVEN, **overrides})


def test_mixed_precision_steps_stay_finite_in_float32_losses():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        keras.utils.set_random_seed(0)
        model = RadialGAN({"feature_counts": [3, 4], "latent_dim": 4, "hidden_units": [8]})
        model.compile(mixed_precision=True)
        model.prepare()
        rng = np.random.default_rng(0)
        batch = tuple((rng.normal(size=(8, d)).astype("f"), rng.integers(0, 2, 8).astype("i"))
                      for d in (3, 4))
        logs = model.train_step(batch)
        assert all(np.isfinite(float(v)) for v in logs.values())
        metrics = model.evaluation_metrics([(x, y) for x, y in batch])
        assert all(np.isfinite(v) for v in metrics.values())
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_held_out_scores_skip_domains_without_rows():
    """A tiny domain's validation split can be empty: its pairs are left out of the
    means (they were NaN, and made every val_* NaN); no rows at all: no scores."""
    model = _model()
    data = _random_domains(UNEVEN["feature_counts"], 3, 6)
    empty = (np.zeros((0, 5), np.float32), np.zeros((0,), np.int32))
    with_empty = model.evaluation_metrics((data[0], empty, data[2]))
    assert set(with_empty) == {"latent_cycle", "data_cycle_mse", "label_agreement"}
    assert all(np.isfinite(value) for value in with_empty.values())
    # the mean over the pairs 0 -> 1, 0 -> 2, 2 -> 0, 2 -> 1 alone
    both = model.evaluation_metrics(data)
    assert with_empty != both
    nothing = tuple((np.zeros((0, d), np.float32), np.zeros((0,), np.int32))
                    for d in UNEVEN["feature_counts"])
    assert model.evaluation_metrics(nothing) == {}


def test_every_preset_thins_the_epoch_ends():
    from keras_genzoo.models.radialgan.presets import PRESETS, SAMPLE_EVERY

    assert {name: preset.train.get("sample_every") for name, preset in PRESETS.items()} == {
        name: SAMPLE_EVERY for name in PRESETS}
