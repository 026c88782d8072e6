"""Model registry: CLI name -> model class, description and presets.

The registry is plain data so that ``genzoo list`` and ``genzoo --help`` never
import TensorFlow; the model class is imported only when a command needs it.

Adding a model means one entry here (name, one-line description, the
``module:Class`` that implements it, presets) plus its file in ``models/``.

A preset is a named set of model-config overrides (``config``) together with
training defaults (``train``: dataset, epochs, batch size) that suit it. The
CLI applies, in order: the model's defaults, the preset, ``--config FILE``,
``--set key=value`` and the explicit flags such as ``--image-size``.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any

from keras_genzoo.errors import GenzooError


@dataclasses.dataclass(frozen=True)
class Preset:
    description: str
    config: dict[str, Any] = dataclasses.field(default_factory=dict)
    train: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    target: str  # "package.module:ClassName"
    kind: str  # "gan", "autoencoder" or "classifier"
    reference: str
    presets: dict[str, Preset]
    default_preset: str

    def load_class(self):
        module_name, class_name = self.target.split(":")
        return getattr(importlib.import_module(module_name), class_name)

    def preset(self, name: str | None) -> tuple[str, Preset]:
        name = name or self.default_preset
        key = name.replace("_", "-")
        if key not in self.presets:
            raise GenzooError(
                f"unknown preset '{name}' for {self.name}; valid presets: "
                + ", ".join(self.presets)
            )
        return key, self.presets[key]


_MODELS: dict[str, ModelSpec] = {}


def register(spec: ModelSpec) -> ModelSpec:
    if spec.name != spec.name.lower() or "_" in spec.name:
        raise ValueError(f"model names are lower-case with hyphens: {spec.name!r}")
    if spec.default_preset not in spec.presets:
        raise ValueError(f"{spec.name}: default preset {spec.default_preset!r} is not defined")
    _MODELS[spec.name] = spec
    return spec


def canonical_name(name: str) -> str:
    """Lower-case, hyphenated form of a model name (underscores are aliases)."""
    return name.strip().lower().replace("_", "-")


def get(name: str) -> ModelSpec:
    key = canonical_name(name)
    if key not in _MODELS:
        raise GenzooError(f"unknown model '{name}'; valid models: " + ", ".join(sorted(_MODELS)))
    return _MODELS[key]


def names() -> list[str]:
    return sorted(_MODELS)


def all_specs() -> list[ModelSpec]:
    return [_MODELS[name] for name in names()]


# --------------------------------------------------------------------------
# The zoo. Training defaults are sized so that each model's default preset
# finishes in a few minutes on 2 CPU cores on the embedded digits.
# --------------------------------------------------------------------------

register(
    ModelSpec(
        name="dcgan",
        description="Deep convolutional GAN: strided-conv D, transposed-conv G with BatchNorm, "
        "non-saturating loss",
        target="keras_genzoo.models.dcgan:DCGAN",
        kind="gan",
        reference="Radford, Metz & Chintala 2015, arXiv:1511.06434",
        presets={
            "digits": Preset(
                "32x32 grayscale, small widths: the CPU quick start on the embedded digits",
                config={"image_size": 32, "channels": 1, "base_filters": 32},
                train={"dataset": "digits", "epochs": 30, "batch_size": 64},
            ),
            "mnist": Preset(
                "32x32 grayscale MNIST (tfds)",
                config={"image_size": 32, "channels": 1, "base_filters": 64},
                train={"dataset": "mnist", "epochs": 10, "batch_size": 128},
            ),
            "celeba64": Preset(
                "64x64 RGB faces (tfds celeb_a) as in the paper, 64 base filters",
                config={"image_size": 64, "channels": 3, "base_filters": 64},
                train={"dataset": "celeb_a", "epochs": 5, "batch_size": 128},
            ),
        },
        default_preset="digits",
    )
)

#: The toy2d presets follow the mode-coverage benchmark (docs/benchmarks.md): 3 x 128
#: MLPs, a 2-D latent, samples from the EMA generator (decay 0.99), about 6,000
#: generator steps at batch 256. A batch of 256 holds each of the 25 grid modes about
#: 10 times (one of 64 lacks 1.8 of them on average), which minibatch discrimination
#: needs to notice a missing mode.
_TOY2D_NETWORKS = {"latent_dim": 2, "generator_units": [128, 128, 128],
                   "discriminator_units": [128, 128, 128], "dropout": 0.0, "ema_decay": 0.99}
_TOY2D_BATCH, _TOY2D_STEPS, _TOY2D_PICTURES = 256, 6000, 40
#: The papers' Adam rates are sized for 100,000-step toy runs; these budgets are ~6,000.
#: No momentum (beta_1 0): with DCGAN's 0.5 the benchmark's plain GAN collapsed onto
#: 0 or 1 of the 25 grid modes, with 0 it covered all of them.
_TOY2D_FAST_ADAM = {"generator_lr": 3e-3, "discriminator_lr": 1e-3, "beta_1": 0.0}


#: The WGAN papers' rates (RMSProp 5e-5, Adam 1e-4) are sized for 100,000+ generator
#: steps; the digits presets run 1,000 and a 10-minute CPU budget about 2,000, where
#: the papers' rates leave bars and blobs (benchmarks/quality.py, tuning notes).
_SHORT_RUN_LR = {"generator_lr": 1e-3, "discriminator_lr": 1e-3}


def _toy2d_preset(model: str, **config) -> Preset:
    critic_steps = 5 if model.startswith("wgan") else 1
    steps_per_epoch = 10_000 // (_TOY2D_BATCH * critic_steps)
    epochs = -(-_TOY2D_STEPS // steps_per_epoch)
    return Preset(
        f"{model} on the 25-Gaussian grid (toy2d:grid25; toy2d:ring8 works too): 3x128 MLPs, "
        f"{epochs * steps_per_epoch:,} generator steps, the modes covered at each epoch end "
        f"and a scatter plot every {max(1, epochs // _TOY2D_PICTURES)} epochs",
        config={**_TOY2D_NETWORKS, **config},
        # an epoch is only 39 steps (7 for wgan / wgan-gp): a scatter plot at each
        # would cost more than the training
        train={"dataset": "toy2d:grid25", "epochs": epochs, "batch_size": _TOY2D_BATCH,
               "sample_every": max(1, epochs // _TOY2D_PICTURES)},
    )


register(
    ModelSpec(
        name="gan",
        description="The original GAN: MLP generator and discriminator (Dropout in D), "
        "minimax or non-saturating loss",
        target="keras_genzoo.models.gan:VanillaGAN",
        kind="gan",
        reference="Goodfellow et al. 2014, arXiv:1406.2661",
        presets={
            "mlp": Preset(
                "MLPs on 32x32 digits with the non-saturating loss (the paper's practical choice)",
                config={"architecture": "mlp", "loss": "non_saturating"},
                train={"dataset": "digits", "epochs": 100, "batch_size": 64},
            ),
            "minimax": Preset(
                "the same MLPs with the minimax loss of eq. 1, as written (saturates early)",
                config={"architecture": "mlp", "loss": "minimax"},
                train={"dataset": "digits", "epochs": 100, "batch_size": 64},
            ),
            "conv": Preset(
                "DCGAN-style conv networks on 32x32 digits",
                config={"architecture": "conv", "dropout": 0.0},
                train={"dataset": "digits", "epochs": 100, "batch_size": 64},
            ),
            "toy2d": _toy2d_preset("gan", **_TOY2D_FAST_ADAM),
        },
        default_preset="mlp",
    )
)

register(
    ModelSpec(
        name="wgan",
        description="Wasserstein GAN: linear critic, weight clipping c=0.01, RMSProp, "
        "n_critic=5",
        target="keras_genzoo.models.gan:WGAN",
        kind="gan",
        reference="Arjovsky, Chintala & Bottou 2017, arXiv:1701.07875",
        presets={
            "conv": Preset(
                "DCGAN-style critic (BatchNorm) and generator on 32x32 digits, RMSProp 1e-3",
                config={"architecture": "conv", **_SHORT_RUN_LR},
                train={"dataset": "digits", "epochs": 200, "batch_size": 64},
            ),
            "mlp": Preset(
                "MLP critic and generator on 32x32 digits",
                config={"architecture": "mlp"},
                train={"dataset": "digits", "epochs": 200, "batch_size": 64},
            ),
            "toy2d": _toy2d_preset("wgan"),
        },
        default_preset="conv",
    )
)

register(
    ModelSpec(
        name="wgan-gp",
        description="WGAN with gradient penalty lambda=10 (nested GradientTape), Adam "
        "(1e-4, 0, 0.9), n_critic=5",
        target="keras_genzoo.models.gan:WGANGP",
        kind="gan",
        reference="Gulrajani et al. 2017, arXiv:1704.00028",
        presets={
            "conv": Preset(
                "conv critic with layer norm (no BatchNorm) on 32x32 digits, Adam 1e-3",
                config={"architecture": "conv", "normalization": "layer", **_SHORT_RUN_LR},
                train={"dataset": "digits", "epochs": 200, "batch_size": 64},
            ),
            "mlp": Preset(
                "MLP critic and generator on 32x32 digits",
                config={"architecture": "mlp"},
                train={"dataset": "digits", "epochs": 200, "batch_size": 64},
            ),
            # lambda 0.1: Gulrajani et al.'s own toy-data script uses it for 2-D data
            "toy2d": _toy2d_preset("wgan-gp", gp_weight=0.1, generator_lr=2e-3,
                                   discriminator_lr=2e-3),
        },
        default_preset="conv",
    )
)

register(
    ModelSpec(
        name="cgan",
        description="Conditional GAN: the class label steers G and D (concat or projection "
        "discriminator)",
        target="keras_genzoo.models.gan:CGAN",
        kind="gan",
        reference="Mirza & Osindero 2014, arXiv:1411.1784; projection: Miyato & Koyama 2018, "
        "arXiv:1802.05637",
        presets={
            "projection": Preset(
                "MLPs on 32x32 digits with the projection discriminator",
                config={"architecture": "mlp", "conditioning": "projection", "num_classes": 10},
                train={"dataset": "digits", "epochs": 100, "batch_size": 64},
            ),
            "mlp": Preset(
                "MLPs on 32x32 digits, label concatenated to both inputs (the 2014 recipe; "
                "on digits D learns to ignore the label, see docs/models/cgan.md)",
                config={"architecture": "mlp", "conditioning": "concat", "num_classes": 10},
                train={"dataset": "digits", "epochs": 100, "batch_size": 64},
            ),
            "conv": Preset(
                "DCGAN-style conv networks on 32x32 digits, label planes into D",
                config={"architecture": "conv", "dropout": 0.0, "num_classes": 10},
                train={"dataset": "digits", "epochs": 100, "batch_size": 64},
            ),
            "toy2d": _toy2d_preset("cgan", num_classes=25, **_TOY2D_FAST_ADAM),
        },
        default_preset="projection",
    )
)

def _progressive_presets(latent_dim_celeba: int, digits_config: dict | None = None,
                         **celeba_config) -> dict[str, Preset]:
    """The digits (CPU) and celeba presets of progan and stylegan."""
    return {
        "digits": Preset(
            "32x32 digits on CPU: 4 -> 8 -> 16 -> 32, 6,400 images per fade and per stable "
            "phase, at most 64 channels, 128-d latent",
            # an EMA half-life of ~70 steps: the papers' 0.999 (~700 steps) would still be
            # mostly the random initial weights at the end of this short run
            config={"image_size": 32, "channels": 1, "ema_decay": 0.99,
                    **(digits_config or {})},
            train={"dataset": "digits", "epochs": 36, "batch_size": 64},
        ),
        "celeba": Preset(
            f"128x128 RGB faces (tfds celeb_a): {latent_dim_celeba}-d latent, 256 channels, "
            "600k images per phase",
            config={"image_size": 128, "channels": 3, "latent_dim": latent_dim_celeba,
                    "filter_base": 4096, "max_filters": 256, "fade_images": 600_000,
                    "stable_images": 600_000, **celeba_config},
            train={"dataset": "celeb_a", "epochs": 40, "batch_size": 32},
        ),
    }


register(
    ModelSpec(
        name="progan",
        description="Progressive growing GAN: 4x4 up to --image-size by expanding the live "
        "networks, fade-in, WGAN-GP + drift, pixel norm, equalized lr, minibatch stddev, EMA",
        target="keras_genzoo.models.progan:ProGAN",
        kind="gan",
        reference="Karras, Aila, Laine & Lehtinen 2018, arXiv:1710.10196",
        presets=_progressive_presets(256),
        default_preset="digits",
    )
)

register(
    ModelSpec(
        name="stylegan",
        description="Style-based generator: mapping network, AdaIN styles, noise inputs, style "
        "mixing, truncation trick; progressive growing; non-saturating loss + R1 (digits preset: WGAN-GP)",
        target="keras_genzoo.models.stylegan:StyleGAN",
        kind="gan",
        reference="Karras, Laine & Aila 2019, arXiv:1812.04948",
        # digits: the paper's CelebA-HQ loss (WGAN-GP with the drift term, as ProGAN)
        # rather than its FFHQ one (non-saturating + R1), and StyleGAN2-ADA's 2-layer
        # mapping network for small images: the mapping learns at 0.01x the rate, so
        # in a CPU budget w stays where its random layers put it, and 8 of them squeeze
        # the latents together (the w of two latents at cosine 0.74 on average, 0.33
        # with 2 layers); docs/benchmarks.md, quality notes
        presets=_progressive_presets(512, digits_config={
            "loss": "wasserstein", "gp_weight": 10.0, "drift_weight": 0.001, "r1_gamma": 0.0,
            "mapping_layers": 2},
            truncation_cutoff=8),
        default_preset="digits",
    )
)

register(
    ModelSpec(
        name="radialgan",
        description="RadialGAN: one encoder, decoder and discriminator per tabular domain "
        "around a shared latent space; translates every domain into every other",
        target="keras_genzoo.models.radialgan:RadialGAN",
        kind="radialgan",
        reference="Yoon, Jordon & van der Schaar 2018, ICML, arXiv:1802.06403",
        presets={
            "breast-cancer": Preset(
                "scikit-learn's breast cancer table cut into 3 domains with different "
                "feature subsets (domains:breast_cancer; --set num_domains=M)",
                train={"dataset": "domains:breast_cancer", "epochs": 300, "batch_size": 32},
            ),
            "csv": Preset(
                "your own table: --dataset csv:PATH --domain-column C --label-column L",
                train={"epochs": 300, "batch_size": 32},
            ),
        },
        default_preset="breast-cancer",
    )
)

register(
    ModelSpec(
        name="ae",
        description="Undercomplete autoencoder (convolutional or dense) trained on reconstruction "
        "error",
        target="keras_genzoo.models.autoencoder:Autoencoder",
        kind="autoencoder",
        reference="Goodfellow, Bengio & Courville 2016, Deep Learning, ch. 14.1",
        presets={
            "conv": Preset(
                "strided-conv encoder to a 16-d code, transposed-conv decoder",
                config={"architecture": "conv", "code_dim": 16, "filters": 32},
                train={"dataset": "digits", "epochs": 20, "batch_size": 64},
            ),
            "dense": Preset(
                "MLP encoder 256 -> 16-d code, MLP decoder",
                config={"architecture": "dense", "code_dim": 16, "hidden_units": [256]},
                train={"dataset": "digits", "epochs": 20, "batch_size": 64},
            ),
            "linear": Preset(
                "no nonlinearity, MSE, native 8x8 digits: learns the PCA subspace",
                config={"architecture": "dense", "image_size": 8, "code_dim": 8,
                        "hidden_units": [], "activation": "linear",
                        "code_activation": "linear", "output_activation": "linear",
                        "learning_rate": 0.05, "lr_decay_steps": 3000},
                train={"dataset": "digits", "epochs": 120, "batch_size": 64},
            ),
            "overcomplete": Preset(
                "code (128) wider than the 8x8 input (64): without a regularizer it copies",
                config={"architecture": "dense", "image_size": 8, "code_dim": 128,
                        "hidden_units": [], "activation": "linear",
                        "code_activation": "linear", "output_activation": "sigmoid",
                        "learning_rate": 0.01},
                train={"dataset": "digits", "epochs": 40, "batch_size": 64},
            ),
        },
        default_preset="conv",
    )
)

_AE_TRAIN = {"dataset": "digits", "epochs": 30, "batch_size": 64}

register(
    ModelSpec(
        name="sparse-ae",
        description="Sparse autoencoder: reconstruction + a sparsity penalty on the code "
        "(L1 or KL to a target activation)",
        target="keras_genzoo.models.sparse_ae:SparseAE",
        kind="autoencoder",
        reference="Goodfellow, Bengio & Courville 2016, Deep Learning, ch. 14.2.1",
        presets={
            "l1": Preset(
                "lambda * sum|h| on a 64-d ReLU code (the Laplace-prior view)",
                config={"architecture": "dense", "hidden_units": [256], "code_dim": 64,
                        "code_activation": "relu", "penalty": "l1", "l1_lambda": 1e-4},
                train=_AE_TRAIN,
            ),
            "kl": Preset(
                "beta * KL(rho || mean activation) on a 64-d sigmoid code",
                config={"architecture": "dense", "hidden_units": [256], "code_dim": 64,
                        "code_activation": "sigmoid", "penalty": "kl"},
                train=_AE_TRAIN,
            ),
        },
        default_preset="l1",
    )
)

register(
    ModelSpec(
        name="denoising-ae",
        description="Denoising autoencoder: reconstructs x from a corrupted copy x~ ~ C(x~|x)",
        target="keras_genzoo.models.denoising_ae:DenoisingAE",
        kind="autoencoder",
        reference="Vincent et al. 2008; Goodfellow, Bengio & Courville 2016, ch. 14.2.2, 14.5",
        presets={
            "gaussian": Preset("additive Gaussian noise (sigma 0.3), conv networks",
                               config={"corruption": "gaussian"}, train=_AE_TRAIN),
            "masking": Preset("masking noise: each pixel dropped with probability 0.3",
                              config={"corruption": "masking"}, train=_AE_TRAIN),
            "salt-pepper": Preset("salt-and-pepper noise with probability 0.2",
                                  config={"corruption": "salt_pepper"}, train=_AE_TRAIN),
        },
        default_preset="gaussian",
    )
)

register(
    ModelSpec(
        name="contractive-ae",
        description="Contractive autoencoder: reconstruction + lambda * ||J_f(x)||_F^2",
        target="keras_genzoo.models.contractive_ae:ContractiveAE",
        kind="autoencoder",
        reference="Rifai et al. 2011; Goodfellow, Bengio & Courville 2016, ch. 14.2.3, 14.7",
        presets={
            "sigmoid": Preset(
                "one sigmoid dense encoder layer: the penalty in closed form",
                config={"architecture": "dense", "hidden_units": [], "code_dim": 64,
                        "code_activation": "sigmoid", "contractive_lambda": 0.01},
                train=_AE_TRAIN,
            ),
            "deep": Preset(
                "MLP encoder: the penalty by nested GradientTape (batch Jacobian)",
                config={"architecture": "dense", "hidden_units": [256], "code_dim": 32,
                        "code_activation": "sigmoid", "contractive_lambda": 0.001},
                train=_AE_TRAIN,
            ),
        },
        default_preset="sigmoid",
    )
)

register(
    ModelSpec(
        name="vae",
        description="Variational autoencoder: Gaussian encoder, reparameterization, "
        "Bernoulli or Gaussian decoder, beta, conditional mode",
        target="keras_genzoo.models.vae:VAE",
        kind="autoencoder",
        reference="Kingma & Welling 2014, arXiv:1312.6114; Goodfellow, Bengio & Courville "
        "2016, ch. 14.4, 20.10.3",
        presets={
            "conv": Preset("conv encoder/decoder, 16-d latent, Bernoulli decoder",
                           config={"architecture": "conv"}, train=_AE_TRAIN),
            "dense": Preset("MLP encoder/decoder (512), 16-d latent, Bernoulli decoder",
                            config={"architecture": "dense", "hidden_units": [512]},
                            train=_AE_TRAIN),
            "conditional": Preset("conv, conditioned on the class label (CVAE)",
                                  config={"architecture": "conv", "conditional": True},
                                  train=_AE_TRAIN),
        },
        default_preset="conv",
    )
)

register(
    ModelSpec(
        name="recirculation-ae",
        description="Recirculation: one hidden layer trained without backpropagation "
        "(visible -> hidden -> visible -> hidden)",
        target="keras_genzoo.models.recirculation_ae:RecirculationAE",
        kind="autoencoder",
        reference="Hinton & McClelland 1987, Learning representations by recirculation (NIPS)",
        presets={
            "digits8": Preset("native 8x8 digits, 16 logistic hidden units, lambda 0.75",
                              config={"image_size": 8, "code_dim": 16},
                              train={"dataset": "digits", "epochs": 50, "batch_size": 32}),
        },
        default_preset="digits8",
    )
)

register(
    ModelSpec(
        name="classifier",
        description="Small CNN classifier: its penultimate layer is the feature space of "
        "`genzoo eval --features classifier:RUN` (FID/KID/PRDC offline)",
        target="keras_genzoo.models.classifier:Classifier",
        kind="classifier",
        reference="Heusel et al. 2017, arXiv:1706.08500 (FID, here in a classifier's "
        "feature space)",
        presets={
            "digits": Preset("32x32 grayscale digits, 128-d features",
                             config={"image_size": 32, "channels": 1},
                             train={"dataset": "digits", "epochs": 15, "batch_size": 64}),
            "mnist": Preset("28x28 grayscale MNIST (tfds), 128-d features",
                            config={"image_size": 28, "channels": 1},
                            train={"dataset": "mnist", "epochs": 3, "batch_size": 128}),
        },
        default_preset="digits",
    )
)
