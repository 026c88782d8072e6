"""What the progressive GANs share: growth by expansion, fade-in, the schedule
(Karras, Aila, Laine & Lehtinen 2018, "Progressive Growing of GANs for Improved
Quality, Stability, and Variation", arXiv:1710.10196).


Training starts with a generator and a discriminator at 4x4. Each growth
step EXPANDS the live networks: a new block that doubles the resolution is
added to the generator's output side and to the discriminator's input side,
every existing layer (and its weights) is kept, and the new block is faded
in (section 2, figure 2):

    G:  out = (1 - alpha) * upsample(to_rgb_old(h)) + alpha * to_rgb_new(block_new(h))
    D:  h   = (1 - alpha) * from_rgb_old(downsample(x)) + alpha * block_new(from_rgb_new(x))

with ``alpha`` ramping from 0 to 1 over ``fade_images`` real images, then
``stable_images`` at ``alpha = 1``. The real images the discriminator sees
are blended the same way during the fade (section 2). Right after an
expansion (``alpha = 0``) the new networks compute exactly what the old ones
did at half the resolution, so growing never disturbs training.

The rest is the paper's recipe (section 4 and appendix A.1): WGAN-GP loss
(lambda = 10) with the drift term 0.001 * D(x)^2, Adam (1e-3, beta1 = 0,
beta2 = 0.99) whose state is reset when a fade-in starts and when it ends
(as the official code's ``reset_opt_for_new_lod`` does), minibatch standard
deviation before the discriminator's last block, pixel-wise feature
normalization in the generator, equalized learning rate everywhere, and an
EMA of the generator for sampling and export.

:class:`ProgressiveGAN` holds the machinery (schedule, expansion, resizing
of real data, resuming mid-growth); ``models/progan/model.py``'s :class:`ProGAN`
builds its networks and ``models/stylegan`` builds on ProGAN.
"""

from __future__ import annotations

import dataclasses
import math

import keras
import tensorflow as tf

from keras_genzoo import config as config_lib
from keras_genzoo.errors import ConfigError
from keras_genzoo.layers.fade import FadeIn
from keras_genzoo.models.adversarial import AdversarialConfig, GANEngine


#: the first resolution of every progressive model
START_SIZE = 4
#: the checkpoint entry holding the growth phase (read before restoring)
PHASE_KEY = "growth_phase"


@dataclasses.dataclass(frozen=True)
class ProgressiveConfig(AdversarialConfig):
    """The growth schedule, widths and training recipe shared by ProGAN and StyleGAN
    (Karras et al. 2018, appendix A.1; StyleGAN keeps them)."""

    latent_dim: int = 128
    minibatch_stddev: int = 4
    ema_decay: float = 0.999
    generator_lr: float = 1e-3
    discriminator_lr: float = 1e-3
    beta_1: float = 0.0
    beta_2: float = 0.99
    adam_epsilon: float = 1e-8
    #: channels at resolution r: min(max_filters, filter_base * 4 / r)
    filter_base: int = 256
    max_filters: int = 64
    #: real images shown while a new block fades in, then while it trains stabilized
    fade_images: int = 6_400
    stable_images: int = 6_400
    #: zero the optimizers' state when a fade-in ends, as when it starts (official code)
    reset_optimizers: bool = True

    def validate(self):
        super().validate()
        if self.data_dim:
            raise ConfigError("progressive GANs generate images, not points")
        # GAN options the progressive networks cannot take, each with its reason
        if self.minibatch_discrimination:
            raise ConfigError("minibatch_discrimination does not apply to progressive GANs: "
                              "their discriminator uses the minibatch standard deviation "
                              "(minibatch_stddev)")
        if self.historical_averaging:
            raise ConfigError("historical_averaging does not apply to progressive GANs: their "
                              "networks grow, so the parameters have no fixed set to average")
        if self.virtual_batch_norm:
            raise ConfigError("virtual_batch_norm does not apply to progressive GANs: their "
                              "generator uses pixel normalization, no batch normalization")
        config_lib.require_power_of_two(
            self, why=f" for progressive growing from {START_SIZE}x{START_SIZE}")
        config_lib.require_positive(self, "filter_base", "max_filters", "stable_images")
        config_lib.require_non_negative(self, "fade_images")

    @property
    def num_phases(self) -> int:
        """Resolutions from 4x4 to image_size: 4, 8, ..., image_size."""
        return int(math.log2(self.image_size)) - 1

    def filters(self, phase: int) -> int:
        return max(1, min(self.max_filters, self.filter_base // 2 ** phase))

    def phase_and_alpha(self, images_seen: int) -> tuple[int, float]:
        """Where the schedule is after ``images_seen`` real images.

        Phase 0 (4x4) trains ``stable_images``; each later phase fades its
        block in over ``fade_images``, then trains ``stable_images`` with
        alpha = 1. After the last phase training continues at full size.
        """
        seen = max(0, int(images_seen)) - self.stable_images
        phase = 0
        while seen >= 0 and phase + 1 < self.num_phases:
            phase += 1
            if seen < self.fade_images:
                return phase, seen / self.fade_images
            seen -= self.fade_images + self.stable_images
        return phase, 1.0

    def schedule_images(self) -> int:
        """Real images until the last phase is faded in and stabilized."""
        return self.stable_images + (self.num_phases - 1) * (self.fade_images + self.stable_images)


class ProgressiveGAN(GANEngine):
    """Growth machinery: subclasses build one phase's layers and wire them.

    The layers of every phase are kept in ``self.layers_by_role`` (lists
    indexed by phase), so an expansion only creates the new phase's layers
    and re-wires functional models around all of them: the existing weights
    are the same variables before and after.
    """

    has_schedule = True

    def __init__(self, config=None, **kwargs):
        super().__init__(config, **kwargs)
        self.phase_variable = tf.Variable(0, dtype=tf.int64, trainable=False, name=PHASE_KEY)
        # real images consumed, counted in train_step (one replica adds the global batch)
        self.images_seen = tf.Variable(
            0, dtype=tf.int64, trainable=False, name="images_seen",
            aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
        # The training step lives here, not in an optimizer's ``iterations``: the
        # optimizers are reset at every fade-in's start and end, the step is not.
        self.train_steps = tf.Variable(
            0, dtype=tf.int64, trainable=False, name="train_steps",
            aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)

    @property
    def step(self):
        """Training steps taken (the optimizers restart their counts at each reset)."""
        return self.train_steps

    def steps_taken(self) -> int:
        return int(self.train_steps.numpy())

    # ----------------------------------------------------------- subclasses
    def make_phase_layers(self, phase: int, ema: bool) -> dict[str, list]:
        """New layers of ``phase`` (generator side if ``ema``, both otherwise)."""
        raise NotImplementedError

    def wire_generator(self, store: dict[str, list], phase: int, name: str) -> keras.Model:
        raise NotImplementedError

    def wire_discriminator(self, store: dict[str, list], phase: int) -> keras.Model:
        raise NotImplementedError

    # ---------------------------------------------------------- build/grow
    def _add_phase_layers(self, phase: int):
        for role, layers in self.make_phase_layers(phase, ema=False).items():
            self.layer_store.setdefault(role, []).append(layers)
        if self.config.ema_decay:
            for role, layers in self.make_phase_layers(phase, ema=True).items():
                self.layer_store.setdefault("ema_" + role, []).append(layers)

    def build_networks(self):
        # Every layer ever created, by role and phase. A plain dict kept out of
        # Keras' attribute tracking: the checkpoint reaches the layers through
        # the wired networks, whose structure is fixed by the phase.
        object.__setattr__(self, "layer_store", {})
        self.phase = 0
        self._add_phase_layers(0)
        return (self.wire_generator(self._generator_store(ema=False), 0, "generator"),
                self.wire_discriminator(self.layer_store, 0))

    def _generator_store(self, ema: bool) -> dict[str, list]:
        if not ema:
            return self.layer_store
        return {role[4:]: layers for role, layers in self.layer_store.items()
                if role.startswith("ema_")}

    def build_ema_generator(self):
        ema = self.wire_generator(self._generator_store(ema=True), self.phase, "generator_ema")
        ema.set_weights(self.generator.get_weights())
        ema.trainable = False
        return ema

    def _fade_layer(self, name, phase) -> FadeIn:
        """One FadeIn per network and phase, however often it is wired (StyleGAN wires
        its synthesis twice, with fixed and with fresh noise; the noisy twin is not
        in the checkpoint, so a separate layer would come back with alpha 0)."""
        if not hasattr(self, "_fades"):
            object.__setattr__(self, "_fades", {})
        key = (name, phase)
        if key not in self._fades:
            self._fades[key] = FadeIn(name=f"{name}_fade{phase}")
        return self._fades[key]

    @property
    def current_size(self) -> int:
        return START_SIZE * 2 ** self.phase

    def wired_models(self) -> list[keras.Model]:
        """Every functional model of the current phase (they may nest)."""
        nets = [self.generator, self.discriminator]
        if self.generator_ema is not None:
            nets.append(self.generator_ema)
        return nets

    def fade_layers(self) -> list[FadeIn]:
        """The FadeIn layers of the current phase, nested models included."""
        found, stack = [], list(self.wired_models())
        while stack:
            for layer in stack.pop().layers:
                if isinstance(layer, keras.Model):
                    stack.append(layer)
                elif isinstance(layer, FadeIn) and layer not in found:
                    found.append(layer)
        return found

    def discriminator_fade(self) -> FadeIn | None:
        """The FadeIn of the discriminator's input (None at 4x4); it is in every
        checkpoint, so its alpha is the run's."""
        fades = [layer for layer in self.discriminator.layers if isinstance(layer, FadeIn)]
        return fades[0] if fades else None

    @property
    def alpha(self) -> float:
        """The current fade-in alpha (1 at 4x4, where nothing fades)."""
        fade = self.discriminator_fade()
        return fade.alpha_value if fade is not None else 1.0

    def set_alpha(self, value: float) -> None:
        for layer in self.fade_layers():
            layer.set_alpha(value)

    def grow(self) -> None:
        """Expand G, D (and the EMA G) by one resolution; new layers start faded out.

        Call inside the strategy scope. The optimizers are replaced by fresh
        ones over the new variable lists, moments and bias-correction count at
        zero (the paper resets Adam at each growth step); the training step
        (``train_steps``, which also keys the noise) carries over.
        """
        if self.phase + 1 >= self.config.num_phases:
            raise ValueError(f"already at the final resolution {self.current_size}")
        self.phase += 1
        self._add_phase_layers(self.phase)
        # Keras locks a built model's attributes; the networks are replaced on
        # purpose (the checkpoint and the optimizers reach them via networks())
        object.__setattr__(self, "generator", self.wire_generator(
            self._generator_store(ema=False), self.phase, "generator"))
        object.__setattr__(self, "discriminator",
                           self.wire_discriminator(self.layer_store, self.phase))
        if self.generator_ema is not None:
            # the EMA's existing layers keep their averages; its new ones start as G's
            ema = self.wire_generator(self._generator_store(ema=True), self.phase,
                                      "generator_ema")
            known = {id(v) for v in self.generator_ema.weights}
            for target, source in zip(ema.weights, self.generator.weights):
                if id(target) not in known:
                    target.assign(source)
            ema.trainable = False
            object.__setattr__(self, "generator_ema", ema)
        self.phase_variable.assign(self.phase)
        self.set_alpha(0.0)
        self._replace_optimizers()

    def _replace_optimizers(self):
        if not self.network_optimizers:
            return
        mixed = any(isinstance(o, keras.optimizers.LossScaleOptimizer)
                    for o in self.network_optimizers.values())
        # Fresh optimizers count their own iterations from 0: Keras' Adam corrects
        # its moments' bias with that count, so carrying the old count over would
        # leave the fresh second moment under-corrected and the first updates
        # several times the learning rate.
        self.compile(mixed_precision=mixed)
        for role, optimizer in self.network_optimizers.items():
            optimizer.build(self.variables_trained_by(role))
        self(self.example_input(), training=False)

    def reset_optimizer_state(self) -> None:
        """Zero every optimizer's moments and iteration count, keeping the optimizers
        (and so the traced step function): the reset at the end of a fade-in."""
        for optimizer in self.network_optimizers.values():
            # a loss-scale wrapper keeps its scale; the learning rate is a variable too
            if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
                optimizer = optimizer.inner_optimizer
            # read through NumPy: float() of a MirroredVariable fails under MirroredStrategy
            learning_rate = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
            for variable in optimizer.variables:
                variable.assign(tf.zeros_like(variable))
            optimizer.learning_rate = learning_rate

    def grow_to(self, phase: int) -> None:
        while self.phase < phase:
            self.grow()

    # ------------------------------------------------------------ schedule
    def advance_schedule(self, images_seen: int) -> bool:
        phase, alpha = self.config.phase_and_alpha(images_seen)
        grown = phase > self.phase
        self.grow_to(phase)
        if phase == self.phase:
            alpha = alpha if phase > 0 else 1.0
            # The fade has just ended (the alpha in use is read from the layer, which
            # the checkpoint holds, so a resumed run sees the same transition).
            if self.config.reset_optimizers and alpha == 1.0 and self.alpha < 1.0:
                self.reset_optimizer_state()
            self.set_alpha(alpha)
        return grown

    def train_step(self, data):
        logs = super().train_step(data)
        images, _ = self.unpack(data)
        self.images_seen.assign_add(tf.cast(tf.shape(images)[0] * self._replicas(), tf.int64))
        self.train_steps.assign_add(1)
        return logs

    def before_restore(self, checkpoint_path: str) -> None:
        reader = tf.train.load_checkpoint(checkpoint_path)
        key = f"{PHASE_KEY}/.ATTRIBUTES/VARIABLE_VALUE"
        if reader.has_tensor(key):
            self.grow_to(int(reader.get_tensor(key)))

    def state_variables(self):
        return {PHASE_KEY: self.phase_variable, "images_seen": self.images_seen,
                "train_steps": self.train_steps}

    # --------------------------------------------------------- real data
    def prepare_real(self, real):
        """Real images at the current resolution; during a fade, blended with their
        half-resolution version upsampled, as the generator's output is."""
        size = self.current_size
        full = self.config.image_size
        if full != size:
            real = tf.nn.avg_pool2d(real, full // size, full // size, "VALID")
        fade = self.discriminator_fade()
        if fade is None:
            return real
        alpha = tf.cast(fade.alpha, real.dtype)
        coarse = tf.nn.avg_pool2d(real, 2, 2, "VALID")
        coarse = tf.repeat(tf.repeat(coarse, 2, axis=1), 2, axis=2)
        return coarse + alpha * (real - coarse)
