"""The Python API of docs/python-api.md: every snippet of the page runs, and the
Keras workflow behind it (from_preset, save / load_model, fit after loading)
gives what the page promises, without Keras' "not built" / "compile() was
skipped" warnings."""

from __future__ import annotations

import contextlib
import io
import logging
import pathlib
import re
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import TINY_DCGAN, require_two_logical_cpus
from keras_genzoo.errors import ConfigError, GenzooError
from keras_genzoo.models.adversarial import GANEngine
from keras_genzoo.models.base import GenzooModel
from keras_genzoo.models import DCGAN, VAE

DOC = pathlib.Path(__file__).resolve().parents[1] / "docs" / "python-api.md"
TINY_VAE = {"image_size": 16, "channels": 1, "filters": 8, "code_dim": 4}
#: what Keras says when a model is saved unbuilt, or loaded without its compile
#: (or when an optimizer's saved state is dropped on load)
KERAS_COMPLAINTS = re.compile(r"not yet been built|compile\(\)|Skipping variable loading",
                              re.IGNORECASE)


def doc_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", DOC.read_text(), re.MULTILINE | re.DOTALL)


def expected_prints(block: str) -> list[str | None]:
    """Per ``print(...)`` line of a block, the output its trailing comment shows (or None)."""
    expected = []
    for line in block.splitlines():
        if line.startswith("print("):
            comment = re.search(r"\)\s+#\s*(.+)$", line)
            expected.append(comment.group(1).strip() if comment else None)
    return expected


def test_every_snippet_of_the_page_runs_in_order(tmp_path, monkeypatch):
    require_two_logical_cpus()  # the strategy snippet must run on two replicas here
    monkeypatch.chdir(tmp_path)
    blocks = doc_blocks()
    assert len(blocks) >= 7, "the page lost its snippets"
    namespace: dict = {"__name__": "python_api_doc"}
    for index, block in enumerate(blocks):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(block, f"{DOC.name}, snippet {index + 1}", "exec"), namespace)
        lines = printed.getvalue().splitlines()
        expected = expected_prints(block)
        assert len(lines) == len(expected), (index, lines)
        for got, want in zip(lines, expected):
            if want is not None:  # the comment beside a print shows its output
                assert got == want, f"snippet {index + 1}: printed {got!r}, the page says {want!r}"

    # what the page claims happened
    assert len(namespace["generator_losses"]) == 2
    assert (tmp_path / "dcgan_history.csv").read_text().count("\n") == 3  # header + 2 epochs
    assert (tmp_path / "exports" / "dcgan" / "1" / "saved_model.pb").is_file()
    assert (tmp_path / "exports" / "models.config").is_file()
    assert namespace["strategy"].num_replicas_in_sync == 2
    assert namespace["distributed_gan"].steps_taken() == 2
    assert np.isfinite(namespace["fid"]) and np.isfinite(namespace["kid_mean"])
    assert set(namespace["scores"]) == {"precision", "recall", "density", "coverage"}


def test_from_preset_applies_the_preset_then_the_overrides():
    model = DCGAN.from_preset("mnist", base_filters="8", latent_dim=16)
    # image_size and channels from the preset, base_filters coerced like --set
    assert (model.config.image_size, model.config.channels) == (32, 1)
    assert model.config.base_filters == 8 and model.config.latent_dim == 16
    assert model.built
    assert model.sample(2).shape == (2, 32, 32, 1)
    # None: the model's default preset (vae: conv)
    assert VAE.from_preset(None, **TINY_VAE).config.architecture == "conv"
    assert VAE.from_preset("dense", **TINY_VAE).config.architecture == "dense"


def test_from_preset_errors_name_the_valid_choices():
    with pytest.raises(GenzooError, match="unknown preset 'celeba' for dcgan; valid presets: "
                                          "digits, mnist, celeba64"):
        DCGAN.from_preset("celeba")
    with pytest.raises(ConfigError, match="unknown config key 'base_filter'"):
        DCGAN.from_preset("digits", base_filter=8)
    for unregistered in (GenzooModel, GANEngine):
        with pytest.raises(GenzooError, match="has no presets.*DCGAN"):
            unregistered.from_preset("digits")


def test_from_preset_matches_the_registered_class_itself_not_its_name():
    class DCGAN(GANEngine):  # same name as the registered class, but not it
        pass

    with pytest.raises(GenzooError, match="DCGAN has no presets"):
        DCGAN.from_preset("digits")


def _images(count=16, size=16, seed=0):
    return np.random.default_rng(seed).random((count, size, size, 1), dtype=np.float32)


CASES = {
    "dcgan": (lambda: DCGAN(**TINY_DCGAN),
              lambda: {"generator": keras.optimizers.Adam(1e-4, beta_1=0.3),
                       "discriminator": keras.optimizers.Adam(3e-4, beta_1=0.0)}),
    "vae": (lambda: VAE(**TINY_VAE),
            lambda: {"autoencoder": keras.optimizers.Adam(5e-4, beta_2=0.99)}),
}


@contextlib.contextmanager
def no_keras_complaints(caplog):
    """Fail on the warnings Keras emits (warnings.warn, or its logger) for an unbuilt
    save or a load that skipped compile()."""
    caplog.clear()
    with caplog.at_level(logging.WARNING), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    complaints = [str(w.message) for w in caught if KERAS_COMPLAINTS.search(str(w.message))]
    complaints += [r.getMessage() for r in caplog.records if KERAS_COMPLAINTS.search(r.getMessage())]
    assert not complaints, complaints


@pytest.mark.parametrize("kind", sorted(CASES))
def test_keras_round_trip_restores_weights_and_optimizers_without_warnings(
        kind, tmp_path, caplog):
    make_model, make_optimizers = CASES[kind]
    model = make_model()
    model.compile(make_optimizers())
    assert model.built  # compile() builds the wrapper and every optimizer
    dataset = tf.data.Dataset.from_tensor_slices(_images()).batch(8)
    model.fit(dataset, epochs=1, verbose=0)

    path = tmp_path / f"{kind}.keras"
    with no_keras_complaints(caplog):
        model.save(path)
    with no_keras_complaints(caplog):
        restored = keras.models.load_model(path)

    assert type(restored) is type(model) and restored.built
    probe = _images(4, seed=1)
    np.testing.assert_allclose(restored.sample(8, seed=3), model.sample(8, seed=3), atol=1e-6)
    if kind == "vae":
        np.testing.assert_allclose(restored.reconstruct(probe), model.reconstruct(probe), atol=1e-6)
    assert list(restored.network_optimizers) == list(model.network_optimizers)
    for role, saved in model.network_optimizers.items():
        loaded = restored.network_optimizers[role]
        assert type(loaded) is type(saved)
        for key in ("learning_rate", "beta_1", "beta_2"):
            np.testing.assert_allclose(float(np.asarray(getattr(loaded, key))),
                                       float(np.asarray(getattr(saved, key))), rtol=1e-6)
        # the state too: step count and moments
        assert len(loaded.variables) == len(saved.variables) > 1
        for a, b in zip(loaded.variables, saved.variables):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)

    steps = int(restored.step)
    assert steps == int(model.step) == 2
    restored.fit(dataset, epochs=1, verbose=0)  # training goes on with the saved optimizers
    assert int(restored.step) == steps + 2
    assert all(int(o.iterations) == steps + 2 for o in restored.network_optimizers.values())


def test_an_uncompiled_model_saves_and_loads_without_warnings(tmp_path, caplog):
    model = DCGAN.from_preset("digits", **TINY_DCGAN)
    with no_keras_complaints(caplog):
        model.save(tmp_path / "fresh.keras")
    with no_keras_complaints(caplog):
        restored = keras.models.load_model(tmp_path / "fresh.keras")
    assert restored.built and not restored.network_optimizers
    np.testing.assert_allclose(restored.sample(4), model.sample(4), atol=1e-6)
