"""An export read back: its signatures behind the ``sample`` / ``reconstruct`` calls of a
trained model, so that ``genzoo sample`` and ``genzoo eval`` treat a run and its export
alike and a seed gives the same images from both."""

from __future__ import annotations

import numpy as np

from keras_genzoo.errors import ConfigError
from keras_genzoo.export.savedmodel import load_export, resolve_version_dir
from keras_genzoo.models.adain_style.model import check_image_batch, mix_style_features
from keras_genzoo.models.base import decoder_noise, latent_codes


class ExportedModel:
    """An export's signatures behind the same ``sample`` / ``reconstruct``
    calls as a trained model, fed the same latent codes: a GAN's
    ``serving_default(z[, label])``, a VAE's ``decode(code[, label])`` for
    prior samples, an autoencoder's ``serving_default(x[, label])``; a style-transfer
    export's ``encode`` / ``decode`` behind :meth:`stylize`."""

    def __init__(self, path):
        self.version_dir = resolve_version_dir(path)
        self.loaded, self.signatures, self.metadata = load_export(path)
        self.inputs = self.signatures["serving_default"]["inputs"]
        config = self.metadata.get("config", {})
        #: a style-transfer export (adain-style): stylize(content, style, alpha)
        self.stylizes = {"content", "style"} <= set(self.inputs)
        if self.stylizes:
            self.points = self.generative = self.reconstructs = False
            self.image_size, self.channels, self.num_classes = 0, 3, 0
            return
        if self.metadata.get("kind") == "radialgan" or "translate_0_to_1" in self.signatures:
            # its label input would be fed from a grid's cycling labels: refuse instead
            raise ConfigError(f"{path} is a radialgan export: it translates table rows and "
                              "draws no images; call its translate_<i>_to_<j> signatures "
                              "(docs/export.md), or use genzoo eval / genzoo radialgan "
                              "augment on its run")
        if self.metadata.get("kind") == "classifier" or not {"z", "x"} & set(self.inputs):
            raise ConfigError(f"{path} is a {self.metadata.get('model', 'model')} export: it "
                              "neither generates samples nor reconstructs images")
        self.points = "points" in self.signatures["serving_default"]["outputs"]
        self.image_size = int(config.get("image_size") or 0)
        self.channels = int(config.get("channels") or 1)
        if "x" in self.inputs and len(self.inputs["x"]["shape"]) == 4:
            _, size, _, channels = self.inputs["x"]["shape"]
            self.image_size, self.channels = int(size), int(channels)
        #: an autoencoder of points (input ``x`` of shape ``[batch, data_dim]``)
        self.points = self.points or ("x" in self.inputs and len(self.inputs["x"]["shape"]) == 2)
        # a conditional export without the metadata: MNIST-like, as cgan's default
        self.num_classes = int(config.get("num_classes") or (10 if "label" in self.inputs else 0))
        # a prior to sample: a GAN's latent input, or a VAE's decode(code)
        self.generative = "z" in self.inputs or (
            self.metadata.get("model") == "vae" and "decode" in self.signatures)
        self.reconstructs = "x" in self.inputs

    def sample(self, num, seed=0, truncation=1.0):
        """The samples a run gives for ``seed``: the same latent codes, labels cycling
        0..K-1 for conditional models, StyleGAN's ``truncation`` psi (1: none)."""
        if "z" in self.inputs:
            function, latent, output = self.loaded.signatures["serving_default"], "z", (
                "points" if self.points else "images")
        elif self.generative:
            function, latent, output = self.loaded.signatures["decode"], "code", "reconstruction"
        else:
            raise ConfigError("this export has no prior to sample from")
        inputs = self.signatures["serving_default" if latent == "z" else "decode"]["inputs"]
        z = latent_codes(num, int(inputs[latent]["shape"][-1]), seed).numpy()
        chunks = []
        for start in range(0, num, 1000):
            feeds = {latent: z[start:start + 1000]}
            if "truncation_psi" in inputs:  # per example; a scalar in exports before 2026-12
                psi_shape = [len(feeds[latent])] if inputs["truncation_psi"]["shape"] else []
                feeds["truncation_psi"] = np.full(psi_shape, truncation, np.float32)
            if "label" in inputs:  # the run's default: labels cycling 0..K-1
                feeds["label"] = (np.arange(start, start + len(feeds[latent]))
                                  % self.num_classes).astype(np.int32)
            chunks.append(np.asarray(function(**feeds)[output]))
        return np.concatenate(chunks)

    def stylize(self, content, styles, weights=None, alpha=1.0) -> np.ndarray:
        """What a style-transfer run's ``stylize`` gives (the same meaning, see
        :class:`~keras_genzoo.models.adain_style.model.AdaINStyle`): the export's
        ``encode`` of the content and of every style, the model's own
        :func:`mix_style_features` (several styles, alpha), then ``decode``."""
        if not self.stylizes:
            raise ConfigError(f"{self.version_dir} is not a style-transfer export: it has no "
                              "stylize signature")
        content = check_image_batch(content, "content")
        encode = self.loaded.signatures["encode"]
        features = [encode(image=np.asarray(style, np.float32))["features"] for style in styles]
        target = mix_style_features(encode(image=content)["features"], features, weights,
                                    np.broadcast_to(np.asarray(alpha, np.float32),
                                                    [len(content)]))
        return np.asarray(self.loaded.signatures["decode"](features=target)["image"])

    def reconstruct_stochastic(self, images, labels=None, seed: int = 0):
        """``x ~ p_decoder(x | h)`` at ``h = f(x)`` (the VAE: the posterior mean) through
        the ``decode_stochastic`` signature, fed the noise a run draws for ``seed``."""
        decoder = self.metadata.get("decoder")
        if "decode_stochastic" not in self.signatures or not decoder:
            raise ConfigError(f"--stochastic needs an export with a decode_stochastic "
                              f"signature; {self.version_dir} has none (a deterministic "
                              "decoder, or exported before it existed)")
        feeds = {"x": np.asarray(images, np.float32)}
        if "label" in self.inputs:
            feeds["label"] = np.asarray(labels, np.int32)
        codes = self.loaded.signatures["encode"](**feeds)
        code = np.asarray(codes["code"] if "code" in codes else codes["mean"])
        noise = decoder_noise(decoder["distribution"], feeds["x"].shape, seed).numpy()
        decode_feeds = {"code": code, "noise": noise}
        if "label" in feeds:
            decode_feeds["label"] = feeds["label"]
        return np.asarray(self.loaded.signatures["decode_stochastic"](**decode_feeds)
                          ["reconstruction"])

    def reconstruct(self, images, labels=None):
        feeds = {"x": np.asarray(images, np.float32)}
        if "label" in self.inputs:
            feeds["label"] = np.asarray(labels, np.int32)
        return np.asarray(self.loaded.signatures["serving_default"](**feeds)["reconstruction"])
