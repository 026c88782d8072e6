"""StyleGAN (Karras, Laine & Aila 2019, "A Style-Based Generator Architecture for
Generative Adversarial Networks", arXiv:1812.04948).

The generator is split in two (section 2, figure 1b):

* the **mapping network** f: 8 equalized dense layers (learning rate x 0.01)
  from the normalized latent ``z`` to an intermediate latent ``w``;
* the **synthesis network** g: starts from a learned 4x4 constant; after
  each convolution it adds per-pixel noise (scaled per channel, section
  3.2) and applies **AdaIN** with a style ``y = (y_s, y_b) = A(w)``, a learned
  affine map of ``w`` per layer: each channel is instance-normalized, scaled
  by ``y_s`` and shifted by ``y_b`` (eq. 1).

Every synthesis layer takes its own copy of ``w`` (``ws``: ``[batch,
num_layers, w_dim]``), which makes **style mixing** (section 3.1) a matter of
taking the first layers' copies from one latent and the rest from another;
training mixes two latents for 90% of the batch (``style_mixing``), with
the crossover layer drawn uniformly. The **truncation trick** (appendix B)
moves ``w`` towards the average ``w_avg`` that training tracks:
``w' = w_avg + psi (w - w_avg)`` for the first ``truncation_cutoff`` layers
(0: all).

Growth, fade-in, resuming mid-growth and the discriminator are ProGAN's
(:mod:`keras_genzoo.models.progan.model`), as in the paper; the loss is the
non-saturating logistic loss with R1 (gamma = 10, section 4 / appendix C).

Noise: training draws fresh noise for every example and layer from the
run's stateless streams. Sampling and export use fixed noise images stored
in the model (:class:`~keras_genzoo.layers.style.FixedNoise`, the released
code's "const" noise), so an exported graph has no random state and a given
``z`` always renders the same image.
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import tensorflow as tf

from keras_genzoo import config as config_lib
from keras_genzoo.errors import ConfigError, GenzooError
from keras_genzoo.layers.equalized import EqualizedConv2D, EqualizedDense
from keras_genzoo.layers.normalization import AdaIN, PixelNorm
from keras_genzoo.layers.style import FixedNoise, LearnedConstant, NoiseInjection
from keras_genzoo.models.adversarial import _GENERATOR_NOISE, AdversarialLossName
from keras_genzoo.models.progan.model import ProGAN
from keras_genzoo.models.progressive import START_SIZE, ProgressiveConfig

#: per convolution of a synthesis block, in this order
_CONV_PARTS = ("op", "noise", "fixed_noise", "style_scale", "style_bias", "adain")
# salts (added to the call's salt) of the extra training draws
_MIX_LATENT, _MIX_CHOICE, _MIX_CROSSOVER, _LAYER_NOISE = 10_000, 20_000, 30_000, 40_000


@dataclasses.dataclass(frozen=True)
class StyleGANConfig(ProgressiveConfig):
    # z and w both have latent_dim components
    mapping_layers: int = 8
    mapping_lr_multiplier: float = 0.01
    #: fraction of training samples generated from two mixed latents
    style_mixing: float = 0.9
    #: w_avg <- decay * w_avg + (1 - decay) * mean(w), at every generator update
    w_avg_decay: float = 0.995
    #: layers the truncation trick applies to (0: every layer)
    truncation_cutoff: int = 0
    #: the style affines (A) of the final resolution's two layers start with their kernels
    #: at this fraction of the paper's scale (1); their bias (y_s = 1, y_b = 0) is unchanged
    fine_style_init_scale: float = 1.0
    loss: AdversarialLossName = "non_saturating"
    r1_gamma: float = 10.0

    def validate(self):
        super().validate()
        config_lib.require_at_least(self, "mapping_layers", 1)
        config_lib.require_positive(self, "mapping_lr_multiplier", "fine_style_init_scale")
        if not 0.0 <= self.style_mixing <= 1.0:
            raise ConfigError(f"style_mixing is a probability in [0, 1], got {self.style_mixing}")
        config_lib.require_fraction(self, "w_avg_decay")
        if self.truncation_cutoff < 0:
            raise ConfigError(f"truncation_cutoff must be >= 0 (0: all layers), "
                              f"got {self.truncation_cutoff}")


def check_truncation(psi: float, force: bool = False) -> float:
    """psi in [0, 1] (beyond 1 extrapolates away from the average: only when forced)."""
    psi = float(psi)
    if not np.isfinite(psi) or (not force and not 0.0 <= psi <= 1.0):
        raise GenzooError(f"truncation psi must be in [0, 1], got {psi} (psi > 1 or < 0 "
                          "extrapolates; pass --force-truncation to allow it)")
    return psi


@dataclasses.dataclass
class _Parts:
    """The functional views of one generator (the trained one or its EMA); they share layers."""

    mapping: keras.Model  # z -> w
    synthesis: keras.Model  # ws -> images, fixed noise
    synthesis_with_noise: keras.Model  # [ws, noise_0, ...] -> images (training)


@keras.saving.register_keras_serializable("keras_genzoo")
class StyleGAN(ProGAN):
    """Style-based generator (mapping, AdaIN, noise, mixing, truncation) on ProGAN's growth."""

    config_class = StyleGANConfig
    registry_name = "stylegan"

    def __init__(self, config=None, **kwargs):
        super().__init__(config, **kwargs)
        self.w_avg = tf.Variable(tf.zeros([self.config.latent_dim]), trainable=False,
                                 name="w_avg",
                                 aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)

    def state_variables(self):
        return {**super().state_variables(), "w_avg": self.w_avg}

    # ------------------------------------------------------------- layers
    def num_style_layers(self, phase: int | None = None) -> int:
        return 2 * ((self.phase if phase is None else phase) + 1)

    def layer_resolutions(self, phase: int | None = None) -> list[int]:
        phase = self.phase if phase is None else phase
        return [START_SIZE * 2 ** stage for stage in range(phase + 1) for _ in range(2)]

    def make_phase_layers(self, phase: int, ema: bool) -> dict[str, list]:
        c = self.config
        prefix = "ema_" if ema else ""
        filters, size = c.filters(phase), START_SIZE * 2 ** phase
        layers = {}
        if ema:
            discriminator = {}
        else:
            discriminator = {role: value for role, value in
                             super().make_phase_layers(phase, ema=False).items()
                             if role.startswith("d_")}
        if phase == 0:
            layers["mapping"] = [PixelNorm(name=f"{prefix}map_norm")] + [
                EqualizedDense(c.latent_dim, lr_multiplier=c.mapping_lr_multiplier,
                               activation="lrelu", name=f"{prefix}map_dense{i}")
                for i in range(c.mapping_layers)]
        else:
            layers["mapping"] = []
        # random affines give every sample its own per-channel scale and shift; right
        # before to_rgb those show as texture inside the strokes, and equalized affines
        # barely move within a CPU budget (docs/benchmarks.md, quality notes)
        style_init = c.fine_style_init_scale if size == c.image_size else 1.0
        block = []
        for conv in range(2):
            tag = f"{phase}{'ab'[conv]}"
            if phase == 0 and conv == 0:
                # N(0, 1), not ones (the 2019 paper): AdaIN normalizes each channel
                # over its 4x4 positions, and a constant map has zero variance, whose
                # gradient through 1/sqrt(var + eps) is ~1e4 (StyleGAN2, Karras et al.
                # 2020, initializes it this way)
                op = LearnedConstant(START_SIZE, filters, initializer=keras.initializers.
                                     RandomNormal(stddev=1.0, seed=7), name=f"{prefix}g_const")
            else:
                op = EqualizedConv2D(filters, 3, name=f"{prefix}g_conv{tag}")
            block += [op, NoiseInjection(name=f"{prefix}g_noise{tag}"),
                      # the same buffers for G and its EMA: both render alike
                      FixedNoise(size, seed=1000 + 2 * phase + conv,
                                 name=f"{prefix}g_fixed_noise{tag}"),
                      # y_s starts at 1 and y_b at 0: AdaIN starts as plain normalization
                      EqualizedDense(filters, gain=1.0, bias_initializer_value=1.0,
                                     kernel_initializer_scale=style_init,
                                     name=f"{prefix}g_style_scale{tag}"),
                      EqualizedDense(filters, gain=1.0, kernel_initializer_scale=style_init,
                                     name=f"{prefix}g_style_bias{tag}"),
                      AdaIN(name=f"{prefix}g_adain{tag}")]
        layers["g_block"] = block
        layers["g_to_rgb"] = [EqualizedConv2D(c.channels, 1, gain=1.0,
                                              name=f"{prefix}g_to_rgb{phase}")]
        return {**layers, **discriminator}

    # ------------------------------------------------------------- wiring
    def _synthesis_graph(self, store, phase, ws, noises, name):
        """images from per-layer styles ``ws`` and per-layer ``noises`` (None: fixed)."""
        h = previous = None
        layer = 0
        for stage in range(phase + 1):
            previous = h
            for conv in range(2):
                parts = dict(zip(_CONV_PARTS, store["g_block"][stage][6 * conv:6 * conv + 6]))
                w = ws[:, layer]
                if stage == 0 and conv == 0:
                    h = parts["op"](w)
                else:
                    if conv == 0:
                        h = keras.layers.UpSampling2D(2, name=f"{name}_up{stage}")(h)
                    h = parts["op"](h)
                noise = parts["fixed_noise"](w) if noises is None else noises[layer]
                h = parts["noise"]([h, noise])
                h = keras.layers.LeakyReLU(0.2, name=f"{name}_act{stage}{conv}")(h)
                h = parts["adain"]([h, parts["style_scale"](w), parts["style_bias"](w)])
                layer += 1
        image = store["g_to_rgb"][phase][0](h)
        if phase > 0:
            old = store["g_to_rgb"][phase - 1][0](previous)
            old = keras.layers.UpSampling2D(2, name=f"{name}_old_up")(old)
            image = self._fade_layer(name, phase)([old, image])
        return image

    def wire_generator(self, store, phase, name):
        c = self.config
        layers = self.num_style_layers(phase)
        z = keras.Input((c.latent_dim,), name="z")
        w = z
        for layer in store["mapping"][0]:
            w = layer(w)
        mapping = keras.Model(z, w, name=f"{name}_mapping")

        ws = keras.Input((layers, c.latent_dim), name="ws")
        synthesis = keras.Model(ws, self._synthesis_graph(store, phase, ws, None, name),
                                name=f"{name}_synthesis")
        ws_in = keras.Input((layers, c.latent_dim), name="ws")
        noise_in = [keras.Input((r, r, 1), name=f"noise_{i}")
                    for i, r in enumerate(self.layer_resolutions(phase))]
        with_noise = keras.Model([ws_in, *noise_in],
                                 self._synthesis_graph(store, phase, ws_in, noise_in, name),
                                 name=f"{name}_synthesis_noise")
        z_all = keras.Input((c.latent_dim,), name="z")
        repeated = keras.ops.repeat(keras.ops.expand_dims(mapping(z_all), 1), layers, axis=1)
        generator = keras.Model(z_all, synthesis(repeated), name=name)
        if not hasattr(self, "_parts"):
            object.__setattr__(self, "_parts", {})
        self._parts[name] = _Parts(mapping, synthesis, with_noise)
        return generator

    def wired_models(self):
        return super().wired_models() + [parts.synthesis_with_noise
                                         for parts in self._parts.values()]

    def parts(self, generator=None) -> _Parts:
        ema = generator is not None and generator is self.generator_ema
        return self._parts["generator_ema" if ema else "generator"]

    # ------------------------------------------------------------- styles
    def broadcast(self, w, num_layers: int | None = None):
        layers = num_layers or self.num_style_layers()
        return tf.repeat(tf.expand_dims(w, 1), layers, axis=1)

    def truncate(self, ws, psi):
        """``w_avg + psi (w - w_avg)`` on the first truncation_cutoff layers (0: all)."""
        psi = tf.cast(psi, ws.dtype)
        truncated = self.w_avg + psi * (ws - self.w_avg)
        cutoff = self.config.truncation_cutoff
        if not cutoff:
            return truncated
        in_range = tf.range(tf.shape(ws)[1]) < cutoff
        return tf.where(in_range[None, :, None], truncated, ws)

    @staticmethod
    def mix_styles(ws_first, ws_second, crossover):
        """Layers ``< crossover`` from ``ws_first``, the rest from ``ws_second``
        (``crossover``: a scalar or one per example)."""
        crossover = tf.reshape(tf.cast(crossover, tf.int32), [-1, 1])
        later = tf.range(tf.shape(ws_first)[1])[None, :] >= crossover
        return tf.where(later[:, :, None], ws_second, ws_first)

    def _track_w_avg(self, w):
        """``w_avg <- decay w_avg + (1 - decay) mean(w)``, the mean over the GLOBAL batch."""
        mean = tf.reduce_mean(tf.stop_gradient(tf.cast(w, tf.float32)), axis=0)
        context = tf.distribute.get_replica_context()
        if context is not None:
            mean = context.all_reduce(tf.distribute.ReduceOp.MEAN, mean)
        decay = self.config.w_avg_decay
        self.w_avg.assign(decay * self.w_avg + (1.0 - decay) * mean)

    # --------------------------------------------------------- generation
    def generate_raw(self, z, labels=None, training=False, generator=None, salt=None,
                     truncation=1.0):
        """As :meth:`GAN.generate_raw`, plus the truncation psi (1: none; 0: every
        image is the average-w image), so ``sample(num, seed, truncation=psi)``
        and ``generate(z, truncation=psi)`` work through the base class."""
        parts = self.parts(generator)
        if not training:
            ws = self.broadcast(parts.mapping(z, training=False))
            if truncation != 1.0:
                ws = self.truncate(ws, truncation)
            return parts.synthesis(ws, training=False)
        c = self.config
        salt = _GENERATOR_NOISE if salt is None else salt
        batch = tf.shape(z)[0]
        w = parts.mapping(z, training=True)
        if salt == _GENERATOR_NOISE and c.w_avg_decay:
            self._track_w_avg(w)
        ws = self.broadcast(w)
        layers = self.num_style_layers()
        if c.style_mixing:
            z2 = self.replica_noise(batch, [c.latent_dim], salt=salt + _MIX_LATENT)
            ws2 = self.broadcast(parts.mapping(z2, training=True))
            mixed = self.replica_noise(batch, [], salt=salt + _MIX_CHOICE,
                                       distribution="uniform") < c.style_mixing
            # crossover uniform in 1 .. layers-1; unmixed examples cross over after the last
            draw = self.replica_noise(batch, [], salt=salt + _MIX_CROSSOVER,
                                      distribution="uniform")
            crossover = 1 + tf.cast(tf.floor(draw * (layers - 1)), tf.int32)
            crossover = tf.where(mixed, crossover, layers)
            ws = self.mix_styles(ws, ws2, crossover)
        noises = [self.replica_noise(batch, [r, r, 1], salt=salt + _LAYER_NOISE + i)
                  for i, r in enumerate(self.layer_resolutions())]
        return parts.synthesis_with_noise([ws, *noises], training=True)

    def render_styles(self, ws) -> np.ndarray:
        """Images (in [0, 1]) for per-layer styles ``ws`` ``[batch, layers, w_dim]``."""
        parts = self.parts(self.sampling_generator())
        return self.to_data_range(parts.synthesis(tf.convert_to_tensor(ws, tf.float32))).numpy()

    def mapped(self, num: int, seed: int, truncation: float = 1.0) -> tf.Tensor:
        """Per-layer styles ``[num, layers, w_dim]`` of the latents of ``seed``."""
        parts = self.parts(self.sampling_generator())
        ws = self.broadcast(parts.mapping(self.latent(num, seed)))
        return self.truncate(ws, truncation) if truncation != 1.0 else ws

    def style_mixing_grid(self, rows: int, columns: int, seed: int = 0,
                          crossover: int | None = None,
                          truncation: float = 1.0) -> tuple[np.ndarray, int]:
        """StyleGAN figure 3: the first row shows ``columns`` source images B, the
        first column ``rows`` source images A; cell (i, j) takes A_i's styles for
        the layers before ``crossover`` (coarse: pose, shape) and B_j's after
        (fine: stroke, texture). Returns (images, grid columns); the corner is blank."""
        layers = self.num_style_layers()
        crossover = layers // 2 if crossover is None else int(crossover)
        if not 0 < crossover < layers:
            raise GenzooError(f"crossover must be in [1, {layers - 1}], got {crossover}")
        ws = self.mapped(rows + columns, seed, truncation)
        sources_a, sources_b = ws[:rows], ws[rows:]
        images = [np.zeros_like(self.render_styles(sources_b[:1]))]
        images.append(self.render_styles(sources_b))
        for i in range(rows):
            images.append(self.render_styles(sources_a[i:i + 1]))
            first = tf.repeat(sources_a[i:i + 1], columns, axis=0)
            images.append(self.render_styles(self.mix_styles(first, sources_b, crossover)))
        return np.concatenate(images), columns + 1

    def interpolation(self, steps: int, seed: int = 0, truncation: float = 1.0) -> np.ndarray:
        """``steps`` images along the straight line in w between two latents of ``seed``."""
        ends = self.mapped(2, seed, truncation)
        t = tf.reshape(tf.linspace(0.0, 1.0, steps), [-1, 1, 1])
        return self.render_styles(ends[:1] + t * (ends[1:] - ends[:1]))

    # --------------------------------------------------------------- export
    def export_signatures(self):
        """``serving_default(z, truncation_psi) -> images``, ``mapping(z) -> w`` and
        ``synthesis(ws) -> images`` of the EMA generator at the current resolution,
        with the fixed noise images (no random state in the graph), and
        ``synthesis_noise(ws, noise_0, ..., noise_{L-1}) -> images`` taking the
        noise as inputs.

        ``truncation_psi`` is one value per example (``[batch]``), not a scalar:
        TF Serving's REST row format (``"instances"``) stacks every named input
        along a batch dimension, so a scalar input could only be sent in the
        columnar format; per example, each row of a request may also carry its
        own psi (Karras et al. 2019, section 3.2: the truncation trick)."""
        c = self.config
        parts = self.parts(self.sampling_generator())
        module = tf.Module()
        module.mapping, module.synthesis = parts.mapping, parts.synthesis
        module.w_avg = tf.Variable(self.w_avg.numpy(), trainable=False, name="w_avg")
        layers = self.num_style_layers()
        cutoff = c.truncation_cutoff
        to_data = self.to_data_range
        z_spec = tf.TensorSpec([None, c.latent_dim], tf.float32, name="z")
        psi_spec = tf.TensorSpec([None], tf.float32, name="truncation_psi")
        ws_spec = tf.TensorSpec([None, layers, c.latent_dim], tf.float32, name="ws")

        @tf.function(input_signature=[z_spec, psi_spec])
        def serving_default(z, truncation_psi):
            ws = tf.repeat(tf.expand_dims(module.mapping(z, training=False), 1), layers, axis=1)
            psi = tf.reshape(truncation_psi, [-1, 1, 1])
            truncated = module.w_avg + psi * (ws - module.w_avg)
            if cutoff:
                keep = tf.reshape(tf.cast(tf.range(layers) < cutoff, tf.float32), [1, -1, 1])
                truncated = keep * truncated + (1.0 - keep) * ws
            return {"images": to_data(module.synthesis(truncated, training=False))}

        @tf.function(input_signature=[z_spec])
        def mapping(z):
            return {"w": tf.cast(module.mapping(z, training=False), tf.float32)}

        @tf.function(input_signature=[ws_spec])
        def synthesis(ws):
            return {"images": to_data(module.synthesis(ws, training=False))}

        # the same synthesis with the noise images as inputs (one per layer): new noise
        # gives new stochastic detail (hair, strokes) for the same styles
        module.synthesis_with_noise = parts.synthesis_with_noise
        noise_specs = [tf.TensorSpec([None, r, r, 1], tf.float32, name=f"noise_{i}")
                       for i, r in enumerate(self.layer_resolutions())]

        @tf.function(input_signature=[ws_spec, *noise_specs])
        def synthesis_noise(ws, *noises):
            return {"images": to_data(module.synthesis_with_noise([ws, *noises],
                                                                  training=False))}

        return module, {"serving_default": serving_default, "mapping": mapping,
                        "synthesis": synthesis, "synthesis_noise": synthesis_noise}
