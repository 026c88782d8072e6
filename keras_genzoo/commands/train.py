"""``genzoo train MODEL``: resolve the request, train (or resume), optionally export."""

from __future__ import annotations

import sys

from keras_genzoo import runs
from keras_genzoo.commands.export import check_serving_request, export_and_report
from keras_genzoo.config import parse_set_arguments
from keras_genzoo.errors import EXIT_INTERRUPTED, GenzooError
from keras_genzoo.export.onnx import require_onnx_extra
from keras_genzoo.training import plan as plan_lib
from keras_genzoo.training import trainer


def run(args) -> int:
    if args.no_onnx and not args.export:
        raise GenzooError("--no-onnx goes with --export (it skips the export's ONNX files)")
    for flag, given in (("--no-warmup", args.no_warmup),
                        ("--version-policy", args.version_policy is not None)):
        if given and not args.export:
            raise GenzooError(f"{flag} goes with --export (it sets how the export is served)")
    if args.verbose and not args.export:
        raise GenzooError("--verbose goes with --export (it shows tf2onnx's log output)")
    plan = plan_lib.resolve_plan(
        args.model,
        preset=args.preset,
        config_file=args.config,
        overrides=parse_set_arguments(args.set),
        image_size=args.image_size,
        vgg_weights=args.vgg_weights,
        out_dir=args.out,
        dataset=args.dataset,
        style_dataset=args.style_dataset,
        epochs=args.epochs,
        steps=args.steps,
        minutes=args.minutes,
        batch_size=args.batch_size,
        seed=args.seed,
        strategy=args.strategy,
        xla=args.xla,
        mixed_precision=args.mixed_precision,
        data_dir=args.data_dir,
        manual_dir=args.manual_dir,
        checkpoint_every=args.checkpoint_every,
        sample_every=args.sample_every,
        steps_per_execution=args.steps_per_execution,
        thin_epoch_ends=args.thin_epoch_ends,
        domain_column=args.domain_column,
        label_column=args.label_column,
        eval_every=args.eval_every,
        eval_metrics=args.eval_metrics,
        eval_features=args.eval_features,
        eval_num=args.eval_num,
        inception_weights=args.inception_weights,
        divergence_bound=args.divergence_bound,
    )
    if args.export:  # fail now, not after training
        runs.check_writable(args.export)
        if not args.no_onnx:
            require_onnx_extra()
        check_serving_request(warmup=not args.no_warmup, version_policy=args.version_policy)
    try:
        result = trainer.train(plan)
    except trainer.Interrupted as stop:
        print(f"\ngenzoo: interrupted; checkpoint saved at step {stop.step}. "
              f"Run the same command to resume.", file=sys.stderr)
        return EXIT_INTERRUPTED
    if result.epochs_run == 0:
        print(f"genzoo: {plan.out_dir} is already trained to step {result.steps}; "
              "pass a larger --epochs or --steps, or --minutes, to train further")
    else:
        print(summary(plan, result))
    if not result.chief:
        return 0  # only the chief writes artifacts and exports (DESIGN.md 4.5)
    samples = sorted((plan.out_dir / runs.SAMPLES_DIR).glob("*.png"))
    if samples and result.epochs_run:
        print(f"genzoo: samples: {samples[-1]}   loss curves: "
              f"{plan.out_dir / runs.LOSS_CURVES_FILE}")
    if args.export:
        return export_and_report(plan.out_dir, args.export, onnx=not args.no_onnx,
                                 warmup=not args.no_warmup,
                                 version_policy=args.version_policy, verbose=args.verbose)
    return 0


def summary(plan, result) -> str:
    """The line after training: step, throughput, the last epoch's values."""
    last = result.history[-1] if result.history else {}
    metrics = ", ".join(f"{k} {v}" if isinstance(v, int) else f"{k} {float(v):.4f}"
                        for k, v in last.items() if k not in ("epoch", "step", "seconds"))
    unit = "rows (per domain)" if result.unit == "rows" else result.unit
    budget = (f"; the {plan.settings.minutes:g}-minute budget ran out, resume with "
              "--minutes to train further" if result.out_of_time else "")
    return (f"genzoo: trained to step {result.steps} ({result.images_per_second:.0f} {unit}/s"
            f"{budget}). {metrics}")
