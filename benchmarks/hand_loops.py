"""Minimal hand-written training steps for every registered model: the overhead
reference of ``benchmarks/throughput.py`` (issue 8, item 6).

Each model family writes its step by hand in ``keras_genzoo/models/<family>/
reference_step.py`` and declares it in the registry (``ModelSpec.reference_step``);
see :mod:`keras_genzoo.models.hand_step` for what such a step is. This module
prepares a model as genzoo's trainer would and wraps the family's step in a
``@tf.function(jit_compile=xla)`` with its own fresh optimizers of the same class
and hyper-parameters, so the only difference from genzoo's trainer is what genzoo
adds around the mathematics: ``strategy.run``, stateless per-replica noise,
global-batch averaging, metric trackers and the loop's bookkeeping.

What a hand step leaves out, on purpose, because it does not change the
weights: metric trackers and diagnostics (``d_real``, ``g_grad_norm``, ...),
the progressive models' ``images_seen`` and ``train_steps`` counters and
real-image blending (the
growth schedule is finished and alpha is 1, where the blend is the identity),
and the step counter of ``recirculation-ae``'s placeholder optimizer.

    plan, model, source = prepare_benchmark_model("wgan-gp", batch_size=64, out_dir=tmp)
    step = make_hand_step(model, xla=plan.settings.xla)
    per_step = plan.settings.batch_size * model.real_batches_per_step()
    for batch in source.batches(per_step, epoch=0, seed=plan.settings.seed):
        losses = step(batch)          # {"d_loss": <tf.Tensor>, "g_loss": <tf.Tensor>}

Float32 only: mixed precision is genzoo's business, not the reference's.
"""

from __future__ import annotations

import pathlib

import keras
import tensorflow as tf

from keras_genzoo import registry, runs
from keras_genzoo.models.hand_step import Noise, Step, plain_noise, role_variables
from keras_genzoo.training import plan as plan_lib
from keras_genzoo.training import strategy as strategy_lib


# ============================================================== optimizers
def hand_optimizers(model) -> dict[str, keras.optimizers.Optimizer]:
    """Fresh, unbuilt optimizers: genzoo's own ``default_optimizers()`` (new
    instances of the same classes and hyper-parameters, by the same role names),
    so the two paths cannot drift apart. The recirculation AE gets none: it
    learns by its own rule (Hinton & McClelland 1987), and genzoo's SGD there
    only counts steps."""
    if model.registry_name == "recirculation-ae":
        return {}
    return dict(model.default_optimizers())


# ================================================================= public
def hand_written_models() -> tuple[str, ...]:
    """Registry names whose family declares a hand-written reference step."""
    return tuple(spec.name for spec in registry.all_specs() if spec.reference_step)


def make_hand_step(model, *, xla: bool, noise: Noise | None = None) -> Step:
    """A ``@tf.function(jit_compile=xla)`` doing one training step of ``model``'s
    networks with the same math as ``model.train_step``, written by hand.

    ``model`` is built, compiled and prepared by genzoo in float32 (progressive
    models grown to their final resolution, alpha 1: :func:`prepare_benchmark_model`).
    The step takes one batch as ``source.batches(batch_size *
    model.real_batches_per_step(), ...)`` yields it and returns its losses as a
    dict of scalar tensors. ``noise`` replaces the plain ``tf.random`` draws
    (tests replay genzoo's noise streams through it). Raises ``ValueError`` for a
    model without a hand loop, with ``xla`` for a model that cannot compile
    (``model.xla_unsupported_reason()``), and for a progressive model that is
    still growing.
    """
    spec = registry.get(model.registry_name)
    if not spec.reference_step:
        raise ValueError(f"no hand-written loop for {model.registry_name}; "
                         f"known: {', '.join(hand_written_models())}")
    reason = model.xla_unsupported_reason()
    if xla and reason:
        raise ValueError(reason)
    policy = keras.mixed_precision.global_policy().name
    if policy != "float32":
        raise ValueError(f"the hand-written loops are float32; the dtype policy is {policy}")
    if model.has_schedule:
        final = model.config.num_phases - 1
        if model.phase != final or model.alpha != 1.0:
            raise ValueError(f"{model.registry_name} is at phase {model.phase}, alpha "
                             f"{model.alpha}; grow it to phase {final}, alpha 1 first "
                             "(prepare_benchmark_model does)")
    optimizers = hand_optimizers(model)
    for role, optimizer in optimizers.items():
        # built before tracing, as genzoo's prepare() does: the step creates no variables
        optimizer.build(role_variables(model, role))
    step = spec.load_reference_step()(model, optimizers, noise or plain_noise)
    return tf.function(step, jit_compile=xla)


def prepare_benchmark_model(model_name: str, *, batch_size: int, xla: bool = False,
                            out_dir, overrides: dict[str, str] | None = None):
    """``(plan, model, source)`` as genzoo's trainer would set them up for a
    one-step run of ``model_name``'s default preset: plan resolved, float32
    policy, seeds, model built, compiled and prepared, its training source open,
    a RadialGAN's standardization set, and a progressive model grown through its
    whole schedule (final resolution, fade-in finished). ``out_dir`` is only
    recorded in the plan; nothing is written. ``overrides`` are ``--set`` values.
    """
    plan = plan_lib.resolve_plan(model_name, out_dir=str(pathlib.Path(out_dir)),
                                batch_size=batch_size, xla=xla, steps=1, overrides=overrides)
    settings = plan.settings
    keras.utils.set_random_seed(settings.seed)
    strategy_lib.set_precision(False)
    source = plan_lib.open_training_source(plan)  # the data genzoo's trainer trains on
    model = runs.build_model(plan.model, plan.config)
    model.seed = settings.seed
    model.compile()  # builds the model and every optimizer
    model.adapt_to_source(source)
    if model.has_schedule:
        # each call may grow (new networks, new optimizers); at the schedule's end
        # the last call changes nothing and leaves alpha at 1
        while model.advance_schedule(model.config.schedule_images()):
            pass
    return plan, model, source
