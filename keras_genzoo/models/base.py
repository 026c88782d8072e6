"""What every genzoo model shares (DESIGN.md sections 3 and 4).

:class:`GenzooModel` is a subclassed ``keras.Model`` that holds functional
sub-networks and owns the rules that make a model correct under
``tf.distribute``:

* losses are per-example and reduced with ``tf.nn.compute_average_loss`` over
  the GLOBAL batch (gradients are summed across replicas, so a plain mean would
  multiply the learning rate by the replica count);
* random noise is stateless, keyed by (run seed, salt, training step), and each
  replica takes its own slice of one global draw: replicas see different noise,
  a run on N devices sees exactly the noise a one-device run sees for the same
  global batch, and a resumed run replays the same noise;
* every optimizer and the wrapper model are built before training
  (:meth:`prepare`), inside the strategy scope the caller holds;
* mixed precision: every optimizer is wrapped in ``LossScaleOptimizer`` and the
  loss is scaled through :meth:`scaled_loss`.

:class:`AutoencoderBase` adds ``encode()`` / ``decode()`` / ``reconstruct()`` and
the export signatures of DESIGN.md 5; the GAN base class, with the training
step every GAN shares, is :class:`keras_genzoo.models.adversarial.GANEngine`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, Sequence

import keras
import numpy as np
import tensorflow as tf

from keras_genzoo import config as config_lib
from keras_genzoo import registry
from keras_genzoo.errors import GenzooError
from keras_genzoo.losses.reconstruction import reconstruction_quality


class GenzooModel(keras.Model):
    """Base class of every registered model.

    Subclasses set ``config_class`` (a dataclass of hyper-parameters),
    ``registry_name``, build their sub-networks in ``__init__`` and implement
    :meth:`networks`, :meth:`default_optimizers` and ``train_step``.
    """

    config_class: ClassVar[type]
    registry_name: ClassVar[str] = "model"
    kind: ClassVar[str] = "model"
    #: names of the scalar metrics train_step reports, in display order
    metric_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: Any = None, *, name: str | None = None, **overrides):
        if config is None or isinstance(config, dict):
            config = config_lib.build_config(self.config_class, config or {}, overrides)
        elif overrides:
            config = dataclasses.replace(config, **overrides)
        super().__init__(name=name or self.registry_name.replace("-", "_"))
        self.config = config
        #: the run's seed; the trainer sets it from ``--seed``
        self.seed = 0
        # an instance attribute: which metrics a model reports may depend on its config
        self.metric_names = tuple(self.reported_metric_names())
        self.trackers = {n: keras.metrics.Mean(name=n) for n in self.metric_names}
        self.network_optimizers: dict[str, keras.optimizers.Optimizer] = {}

    # ------------------------------------------------------------- contract
    def networks(self) -> dict[str, keras.Model]:
        """The functional sub-networks, by role (``generator``, ``encoder`` ...)."""
        raise NotImplementedError

    def default_optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        """One fresh optimizer per trained network, from the config."""
        raise NotImplementedError

    def export_signatures(self) -> tuple[tf.Module, dict[str, Any]]:
        """A ``tf.Module`` holding the networks and its serving ``tf.function``s."""
        raise NotImplementedError

    def export_metadata(self) -> dict[str, Any]:
        """Entries the export's metadata file gains for this model (default: none)."""
        return {}

    def export_parity_inputs(self) -> dict[str, dict[str, np.ndarray]]:
        """Inputs for the export's ONNX parity check, per signature, where random
        uniform [0, 1) values would not be representative (default: none)."""
        return {}

    def export_onnx_tolerances(self) -> dict[str, float]:
        """ONNX parity tolerances, per signature, where the default (1e-4 of
        ``max(1, |value|)``) is finer than float32 resolves the output (default: none)."""
        return {}

    def xla_unsupported_reason(self) -> str | None:
        """Why ``--xla`` must not be used with this model (None: it may)."""
        return None

    def mixed_precision_unsupported_reason(self) -> str | None:
        """Why ``--mixed-precision`` must not be used with this model (None: it may)."""
        return None

    #: the trainer's divergence guard stops a run whose losses or network weights exceed
    #: this in absolute value (far beyond any healthy run of the zoo's models, whose
    #: weights stay below ~100 and losses below ~1e4); None turns the guard off for a
    #: model whose values legitimately grow without bound. ``--divergence-bound`` overrides.
    divergence_bound: ClassVar[float | None] = 1e6
    #: whether the bound also applies to the logged losses (False for a model whose
    #: losses are sums whose scale grows with the data, e.g. a VAE's nats per image)
    bounded_logs: ClassVar[bool] = True

    #: True for models whose networks change during training (progressive growing):
    #: the trainer then calls :meth:`advance_schedule` before every step
    has_schedule: ClassVar[bool] = False

    def advance_schedule(self, images_seen: int) -> bool:
        """Move the training schedule to ``images_seen`` real images (global).

        Called by the trainer inside the strategy scope before each step of a
        model with ``has_schedule``. Returns True when the networks changed
        (new layers, new optimizers): the trainer then retraces its step
        function and rebuilds its checkpoint object.
        """
        return False

    def before_restore(self, checkpoint_path: str) -> None:
        """Rebuild whatever must match ``checkpoint_path`` before it is restored
        (a progressive model grows to the checkpoint's phase). Default: nothing."""

    def reported_metric_names(self) -> tuple[str, ...]:
        """The scalar metrics train_step reports (default: the class's ``metric_names``)."""
        return type(self).metric_names

    def real_batches_per_step(self) -> int:
        """How many batches of real data one ``train_step`` consumes.

        The trainer hands each step ``batch_size * real_batches_per_step()``
        examples; a GAN with ``d_steps = k`` splits them into k critic batches
        so that every critic update sees fresh data (WGAN Algorithm 1).
        """
        return 1

    def num_classes(self) -> int:
        """Classes a conditional model is conditioned on (0: unconditional)."""
        return 0

    def uses_labels(self) -> bool:
        """True when training needs class labels (conditional models)."""
        return self.num_classes() > 0

    def label_tensor(self, labels, batch):
        """int32 labels ``[batch]`` for a conditional model's networks (None for an
        unconditional one); without labels, zeros, which only serve to build them."""
        if not self.uses_labels():
            return None
        if labels is None:
            return tf.zeros([batch], tf.int32)
        return tf.reshape(tf.cast(labels, tf.int32), [-1])

    # ------------------------------------------- what the trainer and the commands ask
    #: what the model trains on: "images" (2-D points too, by the dataset) or
    #: "domains", the rows of several tabular domains (RadialGAN)
    data_kind: ClassVar[str] = "images"
    #: True for models that draw new examples: GANs, and autoencoders with a prior (VAE)
    generative: ClassVar[bool] = False
    #: True for models that reconstruct their input (autoencoders)
    reconstructs: ClassVar[bool] = False
    #: True for models whose ``evaluation_metrics`` the trainer logs on held-out data
    #: at every epoch end (as ``val_<name>``)
    evaluates_held_out: ClassVar[bool] = False
    #: True for models whose epochs are a few steps (RadialGAN: 3 at the default batch),
    #: where the epoch-end work (the epoch's checkpoint with its divergence check, the
    #: held-out scores) would take longer than the training: ``--sample-every N`` then
    #: does that work every N epochs and at the last (history rows every epoch)
    thins_epoch_ends: ClassVar[bool] = False
    #: True for models of 2-D points (toy2d), drawn as scatter plots, not image grids
    points: ClassVar[bool] = False
    #: False for a model whose ``train_step`` has no Python ``if``/``for`` on tensors:
    #: the trainer then traces it as plain Python, without autograph's conversion of
    #: every method it calls (1.3 s of the dense VAE's first step on 2 cores)
    train_step_needs_autograph: ClassVar[bool] = True

    def held_out_metrics(self, data, *, slow: bool = True) -> dict[str, float]:
        """The epoch end's ``val_<name>`` scores of a model with ``evaluates_held_out``:
        ``evaluation_metrics(images, labels)`` of ``data = (images, labels)``. With
        ``slow=False`` a model may leave out its costlier estimates (the VAE's
        importance-weighted bound); the trainer asks for them every ``--sample-every``
        epochs and at the last."""
        return self.evaluation_metrics(*data)

    def discriminator_probability(self, data) -> np.ndarray | None:
        """D(x) ``[N]`` as a probability for models with a logistic discriminator (the
        1-D figure draws it next to the optimal D*); None for every other model."""
        return None

    def adapt_to_source(self, source) -> None:
        """Take what the model needs from its training source before the first step
        (RadialGAN: each domain's standardization, which its exports undo). Default: nothing."""

    def preview(self, *, seed: int, count: int, held_out=None):
        """The epoch-end sample grid, ``(images, columns)``, or None for a model that
        draws no images. ``held_out``: ``(images, labels)`` of a few held-out examples
        (for models with ``evaluates_held_out``)."""
        return None

    def sample_grid(self, num: int, *, seed: int = 0, label: int | None = None,
                    prior: bool = False, held_out=None):
        """``genzoo sample``'s picture: ``(images or points, columns)``.

        ``held_out(num, seed) -> (images, labels)`` gives held-out examples to models
        that show reconstructions; ``prior`` asks an autoencoder with a prior for
        samples instead; ``label`` fixes a conditional model's class.
        """
        raise GenzooError(f"a {self.registry_name} model has nothing to sample")

    def prior_samples(self, num: int, *, seed: int = 0, label: int | None = None):
        """``(samples, columns)`` from the model's prior; without ``label`` a conditional
        model cycles through its classes, one per column of the grid."""
        if label is not None:
            return self.sample(num, seed=seed, label=label), None
        return self.sample(num, seed=seed), (self.num_classes() if self.uses_labels() else None)

    def checked_labels(self, labels, count: int) -> np.ndarray:
        """``labels`` (one int, or one per example) as int32 ``[count]``; a label
        outside ``[0, num_classes)`` is a one-line :class:`GenzooError`."""
        classes = self.num_classes()
        labels = np.broadcast_to(np.asarray(labels).reshape(-1), [count]).astype(np.int64)
        bad = labels[(labels < 0) | (labels >= classes)]
        if bad.size:
            raise GenzooError(f"label {int(bad[0])} is out of range: this model has "
                              f"{classes} classes (0 to {classes - 1})")
        return labels.astype(np.int32)

    def data_shape(self) -> list[int]:
        """One example's shape: ``[data_dim]`` for a model of points, else the image's."""
        c = self.config
        return [c.data_dim] if self.points else [c.image_size, c.image_size, c.channels]

    def example_input(self, batch_size: int = 2):
        """A batch shaped like the training data, used to build the wrapper."""
        return (tf.zeros([batch_size, *self.data_shape()], tf.float32),
                tf.zeros([batch_size], tf.int32))

    def probe_input(self, batch_size: int = 4):
        """A fixed batch shaped like :meth:`example_input`, its floats drawn uniformly
        from [0, 1) with a fixed seed: what :meth:`outputs_are_finite` runs."""
        def fill(tensor):
            if not tensor.dtype.is_floating:
                return tensor
            return tf.random.stateless_uniform(tf.shape(tensor), seed=[17, 0], dtype=tensor.dtype)

        return tf.nest.map_structure(fill, self.example_input(batch_size))

    def probe_outputs(self):
        """What the networks give on :meth:`probe_input` (default: one forward pass)."""
        return self.call(self.probe_input(), training=False)

    def outputs_are_finite(self) -> bool:
        """False when any network output on the fixed probe batch is NaN or Inf: a
        diverged model, which ``sample`` and ``export`` refuse."""
        return all(bool(tf.reduce_all(tf.math.is_finite(tf.cast(value, tf.float32))))
                   for value in tf.nest.flatten(self.probe_outputs())
                   if value.dtype.is_floating)

    # ------------------------------------------------------- config round trip
    def get_config(self):
        return {"name": self.name, "config": config_lib.to_dict(self.config)}

    @classmethod
    def from_config(cls, config):
        return cls(config=dict(config["config"]), name=config.get("name"))

    # --------------------------------------------------------------- training
    def compile(self, optimizers=None, *, mixed_precision: bool = False, **kwargs):
        """Attach one optimizer per network (defaults from the config).

        With ``mixed_precision`` EVERY optimizer is wrapped in
        ``LossScaleOptimizer`` (DESIGN.md 4.6); under bfloat16 the scale is
        harmless, under float16 it prevents gradient underflow.
        """
        optimizers = dict(optimizers or self.default_optimizers())
        missing = set(self.trained_network_names()) - set(optimizers)
        if missing:
            raise ValueError(f"{self.registry_name}: no optimizer for {sorted(missing)}")
        if mixed_precision:
            optimizers = {
                role: opt
                if isinstance(opt, keras.optimizers.LossScaleOptimizer)
                else keras.optimizers.LossScaleOptimizer(opt)
                for role, opt in optimizers.items()
            }
        self.network_optimizers = optimizers
        # Keras needs one `optimizer` for fit()'s bookkeeping; the primary one
        # steps exactly once per train_step, so its `iterations` is the step.
        super().compile(optimizer=optimizers[self.primary_network()], **kwargs)
        # Build the wrapper and every optimizer now, in the caller's strategy scope:
        # Keras' fit() would otherwise build the second optimizer lazily inside the
        # replica function, and save() would find an unbuilt model.
        self.prepare()

    # ------------------------------------------- Keras-native API (docs/python-api.md)
    @classmethod
    def from_preset(cls, preset: str | None = None, **overrides):
        """This model built from one of its registry presets, with ``overrides``
        (config keys) applied on top: ``DCGAN.from_preset("digits", latent_dim=64)``.

        Follows keras-hub's ``Model.from_preset(preset, **kwargs)`` convention; a
        preset here is an entry of :mod:`keras_genzoo.registry` (the same ones
        ``genzoo train --preset`` uses), ``None`` is the model's default preset,
        and the result is built, with fresh weights. Only the preset's model
        config applies: its training defaults (dataset, epochs) are the CLI's.
        """
        spec = cls._registry_spec()
        _, entry = spec.preset(preset)
        model = cls(dict(entry.config), **overrides)
        model.build()
        return model

    @classmethod
    def _registry_spec(cls) -> registry.ModelSpec:
        # Matched by the class the entry loads, not by module path or name, so a
        # moved or renamed module keeps working; the name only narrows which
        # modules are imported (two classes may share a name, e.g. Autoencoder).
        specs = registry.all_specs()
        candidates = [s for s in specs if s.target.rsplit(":", 1)[-1] == cls.__name__]
        for spec in candidates:
            if spec.load_class() is cls:
                return spec
        raise GenzooError(
            f"{cls.__name__} has no presets: from_preset is called on a registered model "
            "class, one of " + ", ".join(s.target.rsplit(":", 1)[-1] for s in specs))

    def build(self, input_shape=None):
        """Create every variable: the sub-networks exist from ``__init__``; one
        call of the wrapper builds anything else. Keras then marks the model
        built (``save()`` warns otherwise and ``summary()`` refuses)."""
        self.call(self.example_input(), training=False)

    def get_compile_config(self):
        """The optimizers, one per network, and whether they were wrapped for mixed
        precision; ``keras.models.load_model`` hands it to :meth:`compile_from_config`
        (Keras' own config cannot describe a compile that takes several optimizers)."""
        if not self.network_optimizers:
            return None
        mixed = any(isinstance(o, keras.optimizers.LossScaleOptimizer)
                    for o in self.network_optimizers.values())
        return {
            "optimizers": {
                role: keras.saving.serialize_keras_object(
                    o.inner_optimizer if isinstance(o, keras.optimizers.LossScaleOptimizer)
                    else o)
                for role, o in self.network_optimizers.items()},
            "mixed_precision": mixed,
        }

    def compile_from_config(self, config):
        """Recompile with the saved optimizers. They are built here (by
        :meth:`compile`) so that the load that follows restores their state:
        iterations, moments, learning rate."""
        optimizers = {role: keras.saving.deserialize_keras_object(entry)
                      for role, entry in config["optimizers"].items()}
        self.compile(optimizers, mixed_precision=bool(config.get("mixed_precision")))

    def trained_network_names(self) -> list[str]:
        return list(self.networks())

    def primary_network(self) -> str:
        return self.trained_network_names()[0]

    def prepare(self):
        """Build the wrapper and every optimizer; call inside ``strategy.scope()``.

        A lazily built optimizer creates its slot variables inside the replica
        function, which fails under MirroredStrategy (DESIGN.md 4.3 / 4.4).
        """
        if not self.network_optimizers:
            self.compile()  # which prepares
            return self
        if not self.built:
            # one forward pass creates every variable (calling the model instead would
            # build it and then run it a second time)
            self.build()
        for role, optimizer in self.network_optimizers.items():
            if not optimizer.built:
                optimizer.build(self.variables_trained_by(role))
        return self

    def variables_trained_by(self, role: str):
        """The variables that optimizer ``role`` updates."""
        return self.networks()[role].trainable_variables

    @property
    def step(self):
        """Training steps taken (the primary optimizer's iteration counter)."""
        return self.network_optimizers[self.primary_network()].iterations

    def steps_taken(self) -> int:
        """The step counter as a Python int (works for mirrored variables too)."""
        return int(np.asarray(tf.convert_to_tensor(self.step.value)))

    def state_variables(self) -> dict[str, tf.Variable]:
        """Training state outside the networks and optimizers (e.g. a growth phase),
        restored with the networks when a run is loaded. Default: none."""
        return {}

    def state_variables_optional(self) -> tuple[str, ...]:
        """Names among :meth:`state_variables` that checkpoints written before they
        existed lack: a resume does not require them to match (they keep the value
        :meth:`adapt_to_source` gave them), and :func:`keras_genzoo.runs.load_trained_model`
        hands the missing ones to :meth:`restore_missing_state`. Default: none."""
        return ()

    def restore_missing_state(self, names: Sequence[str], statistics: dict | None) -> None:
        """Set the optional state variables ``names`` that a loaded checkpoint lacks
        (an old run's), from the run's ``data_statistics.json`` (``statistics``; None
        when the run has none). Default: nothing."""

    def checkpoint_items(self) -> dict[str, Any]:
        """Everything a checkpoint must hold to resume exactly."""
        items: dict[str, Any] = {**self.networks(), **self.state_variables()}
        for role, optimizer in self.network_optimizers.items():
            items[f"{role}_optimizer"] = optimizer
        return items

    @property
    def metrics(self):
        return list(self.trackers.values())

    def record(self, values: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """Update the trackers and return their results (train_step's logs)."""
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    # ------------------------------------------------- distribution helpers
    @staticmethod
    def average_over_global_batch(per_example_loss):
        """Mean over the GLOBAL batch, so that the summed replica gradients are right."""
        per_example_loss = tf.cast(per_example_loss, tf.float32)
        return tf.nn.compute_average_loss(per_example_loss)

    @staticmethod
    def scaled_loss(optimizer, loss):
        if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            return optimizer.scale_loss(loss)
        return loss

    def apply_gradients(self, role: str, tape: tf.GradientTape, loss):
        """Differentiate ``loss`` w.r.t. network ``role`` and step its optimizer."""
        optimizer = self.network_optimizers[role]
        variables = self.variables_trained_by(role)
        gradients = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(gradients, variables))
        return gradients

    def replica_noise(self, local_batch_size, shape, salt: int, distribution: str = "normal"):
        """Noise ``[local_batch_size, *shape]`` for this replica: standard normal,
        or ``U[0, 1)`` with ``distribution="uniform"``.

        One global batch of noise is drawn from a stateless seed
        (run seed, salt, step) and each replica takes its own slice, so noise
        differs between replicas but does not depend on how many there are.
        """
        draw = {"normal": tf.random.stateless_normal,
                "uniform": tf.random.stateless_uniform}[distribution]
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        context = tf.distribute.get_replica_context()
        replica_id = 0 if context is None else context.replica_id_in_sync_group
        seed = tf.stack(
            [
                tf.constant(self.seed * 1_000_003 + salt, tf.int64),
                tf.cast(self.step, tf.int64),
            ]
        )
        full = draw(
            tf.concat([[local_batch_size * replicas], tf.constant(shape, tf.int32)], 0), seed=seed
        )
        start = tf.cast(replica_id, tf.int32) * local_batch_size
        return full[start : start + local_batch_size]

    @staticmethod
    def unpack(data):
        """Training batches are ``(images, labels)`` (or just images for fit users)."""
        if isinstance(data, (tuple, list)):
            images = data[0]
            labels = data[1] if len(data) > 1 else None
        else:
            images, labels = data, None
        return tf.cast(images, tf.float32), labels


class AutoencoderBase(GenzooModel):
    """Shared parts of every autoencoder: encode / decode / reconstruct, export.

    ``encoder: x -> h`` and ``decoder: h -> r``; images are in [0, 1] on both
    sides (decoders end in a sigmoid). Families whose config has ``data_dim > 0``
    work on points ``[data_dim]`` (toy2d, toy1d) instead of images.

    The decoder read as a distribution ``p_decoder(x | h)`` (Goodfellow, Bengio &
    Courville 2016, Deep Learning, 14.4): :meth:`decoder_distribution` names it
    (``"bernoulli"`` with mean ``g(h)``, ``"gaussian"`` ``N(g(h), std^2 I)``, or
    None for a deterministic decoder) and :meth:`draw_from_decoder` samples it.
    """

    kind = "autoencoder"
    reconstructs = True
    evaluates_held_out = True

    @property
    def points(self) -> bool:
        """True for an autoencoder of points (``data_dim > 0``) rather than images."""
        return getattr(self.config, "data_dim", 0) > 0

    def preview(self, *, seed, count, held_out=None):
        """Held-out inputs, each row above its reconstructions."""
        images, labels = held_out
        return interleave_rows(images, self.reconstruct(images, labels)), GRID_ROW

    def sample_grid(self, num, *, seed=0, label=None, prior=False, held_out=None,
                    stochastic=False):
        """Reconstructions of held-out inputs (``prior``: samples of a generative model);
        ``stochastic`` draws ``x ~ p_decoder(x | h)`` instead of showing its mean."""
        if stochastic:
            self.require_stochastic_decoder()
        if prior:
            if not self.generative:
                raise GenzooError(f"--prior needs a generative model (e.g. vae); "
                                  f"{self.registry_name} has no prior to sample")
            means, columns = self.prior_samples(num, seed=seed, label=label)
            if stochastic:
                means = np.clip(self.draw_from_decoder(means, seed), 0.0, 1.0)
            return means, columns
        images, labels = held_out(num, seed)
        outputs = self.reconstruct(images, labels)
        if stochastic:
            # Gaussian draws may leave [0, 1]: clipped for the picture only
            outputs = np.clip(self.draw_from_decoder(outputs, seed), 0.0, 1.0)
        return interleave_rows(images, outputs), GRID_ROW

    # --------------------------------------------------- the decoder as a distribution
    def decoder_distribution(self) -> str | None:
        """``"bernoulli"``, ``"gaussian"`` or None (a deterministic decoder)."""
        return None

    def decoder_std(self) -> float:
        """The standard deviation of a Gaussian ``p_decoder`` (data units)."""
        return float(self.config.gaussian_std)

    def require_stochastic_decoder(self) -> str:
        """The decoder's distribution; a one-line error for a deterministic decoder."""
        distribution = self.decoder_distribution()
        if distribution is None:
            raise GenzooError(f"--stochastic needs a probabilistic decoder (vae, or an "
                              f"autoencoder trained with mse or with bce and a sigmoid "
                              f"output); this {self.registry_name} model's decoder is "
                              "deterministic")
        return distribution

    def decoder_noise(self, shape, seed: int) -> tf.Tensor:
        """The noise of one draw of ``p_decoder`` (see :func:`decoder_noise`)."""
        return decoder_noise(self.require_stochastic_decoder(), shape, seed)

    def export_metadata(self) -> dict[str, Any]:
        """``{"decoder": {"distribution", "std"}}`` for a probabilistic decoder: what a
        client of ``decode_stochastic`` needs to know to draw its noise."""
        distribution = self.decoder_distribution()
        if distribution is None:
            return {}
        std = self.decoder_std() if distribution == "gaussian" else None
        return {"decoder": {"distribution": distribution, "std": std}}

    def decoder_draw(self, means, noise):
        """``x ~ p_decoder(x | h)`` from the decoder's mean and :meth:`decoder_noise`:
        Bernoulli ``1[u < g(h)]``, Gaussian ``g(h) + std * eps`` (float32 tensors; the
        export's ``decode_stochastic`` graph is this function)."""
        means = tf.cast(means, tf.float32)
        if self.decoder_distribution() == "bernoulli":
            return tf.cast(noise < means, tf.float32)
        return means + tf.constant(self.decoder_std(), tf.float32) * noise

    def draw_from_decoder(self, means, seed: int = 0) -> np.ndarray:
        """One draw of ``p_decoder`` per row of decoder ``means`` (NumPy)."""
        means = tf.convert_to_tensor(np.asarray(means, np.float32))
        return self.decoder_draw(means, self.decoder_noise(tf.shape(means), seed)).numpy()

    def decode_stochastic(self, codes, seed: int = 0, labels=None) -> np.ndarray:
        """``x ~ p_decoder(x | h)`` for ``codes`` (Deep Learning 14.4), not the mean."""
        self.require_stochastic_decoder()
        return self.draw_from_decoder(self.decode(codes, labels), seed)

    # ------------------------------------------------------------ points
    def reconstruction_field(self, points) -> np.ndarray:
        """``g(f(x)) - x`` at ``points``: for a denoising AE, an estimate of
        ``sigma^2 * grad log p(x)`` pointing towards the data (Alain & Bengio 2014,
        section 3; Deep Learning 14.5.1)."""
        points = np.asarray(points, np.float32)
        return self.reconstruct(points) - points

    def call(self, inputs, training=False):
        images, _ = self.unpack(inputs)
        return self.decoder(self.encoder(images, training=training), training=training)

    def networks(self):
        return {"encoder": self.encoder, "decoder": self.decoder}

    def trained_network_names(self):
        # One optimizer updates encoder and decoder together.
        return ["autoencoder"]

    def variables_trained_by(self, role):
        return self.encoder.trainable_variables + self.decoder.trainable_variables

    def evaluation_metrics(self, images, labels=None) -> dict[str, float]:
        """Held-out metrics the trainer logs at each epoch end (as ``val_<name>``).

        The base reports reconstruction MSE and PSNR (images in [0, 1], so
        PSNR = 10 log10(1 / MSE) per image, averaged); variants add their own
        (sparsity, Jacobian norm, ELBO terms) by extending the dict.
        """
        images = np.asarray(images, np.float32)
        return reconstruction_quality(images, self.reconstruct(images, labels))

    # ``labels`` is accepted everywhere so that callers can treat every
    # autoencoder alike; only conditional models use it.
    def encode(self, images, labels=None) -> np.ndarray:
        return np.asarray(self.encoder(tf.convert_to_tensor(images, tf.float32), training=False))

    def decode(self, codes, labels=None) -> np.ndarray:
        return np.asarray(self.decoder(tf.convert_to_tensor(codes, tf.float32), training=False))

    def reconstruct(self, images, labels=None) -> np.ndarray:
        return self.decode(self.encode(images, labels), labels)

    def export_signatures(self):
        """DESIGN.md 5, plus ``decode_stochastic(code, noise)`` for a probabilistic
        decoder (see :meth:`stochastic_signature`)."""
        module = tf.Module()
        module.encoder = self.encoder
        module.decoder = self.decoder
        image_spec = tf.TensorSpec([None, *self.data_shape()], tf.float32, name="x")
        code_spec = tf.TensorSpec([None, *self.encoder.output_shape[1:]], tf.float32, name="code")

        @tf.function(input_signature=[image_spec])
        def serving_default(x):
            code = module.encoder(x, training=False)
            return {"reconstruction": tf.cast(module.decoder(code, training=False), tf.float32)}

        @tf.function(input_signature=[image_spec])
        def encode(x):
            return {"code": tf.cast(module.encoder(x, training=False), tf.float32)}

        @tf.function(input_signature=[code_spec])
        def decode(code):
            return {"reconstruction": tf.cast(module.decoder(code, training=False), tf.float32)}

        signatures = {"serving_default": serving_default, "encode": encode, "decode": decode}
        signatures.update(self.stochastic_signature(
            code_spec, lambda code: module.decoder(code, training=False)))
        return module, signatures

    def stochastic_signature(self, code_spec, decode_mean, extra=()):
        """``{"decode_stochastic": fn}`` for a probabilistic decoder (else ``{}``):
        ``decode_stochastic(code, noise[, label]) -> {"reconstruction"}``, one draw of
        ``p_decoder(x | h)`` from caller-supplied ``noise`` (U[0, 1) for a Bernoulli
        decoder, N(0, 1) for a Gaussian one, shaped like the output), so the graph
        holds no random state (DESIGN.md 5) and a seed reproduces a draw anywhere.
        ``decode_mean(code, *label)`` is the decoder's mean."""
        if self.decoder_distribution() is None:
            return {}
        noise_spec = tf.TensorSpec([None, *self.data_shape()], tf.float32, name="noise")

        @tf.function(input_signature=[code_spec, noise_spec, *extra])
        def decode_stochastic(code, noise, *label):
            return {"reconstruction": self.decoder_draw(decode_mean(code, *label), noise)}

        return {"decode_stochastic": decode_stochastic}


#: the stateless-seed salt of the decoder's noise (stochastic decoding)
DECODER_NOISE_SALT = 14_004


def decoder_noise(distribution: str, shape, seed: int) -> tf.Tensor:
    """The noise one draw of a ``distribution`` decoder consumes: U[0, 1) for
    ``bernoulli``, N(0, 1) for ``gaussian``. Stateless, so a seed gives the same draw
    from a run and from its export's ``decode_stochastic``."""
    draw = tf.random.stateless_uniform if distribution == "bernoulli" else tf.random.stateless_normal
    return draw(shape, seed=[int(seed), DECODER_NOISE_SALT])


#: images per row of a reconstruction grid: a row of inputs, then the row of outputs
GRID_ROW = 8


def interleave_rows(inputs: np.ndarray, outputs: np.ndarray, row: int = GRID_ROW) -> np.ndarray:
    """Rows of ``row`` inputs, each followed by the row of their outputs."""
    parts = []
    for start in range(0, len(inputs), row):
        parts += [inputs[start : start + row], outputs[start : start + row]]
    return np.concatenate(parts)


def latent_codes(num: int, latent_dim: int, seed: int) -> tf.Tensor:
    """The latent batch that ``seed`` stands for: ``num`` draws from N(0, I).

    A stateless draw, so the same seed gives the same codes in a run, in its export
    (:class:`keras_genzoo.export.exported.ExportedModel` feeds these to the signatures)
    and in every process; GANs' ``latent`` and the VAE's prior samples use it.
    """
    return tf.random.stateless_normal([int(num), int(latent_dim)], seed=[int(seed), 0])
