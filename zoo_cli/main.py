"""``genzoo``: train, sample, export and inspect the models of keras-genzoo.

TensorFlow is imported only inside the commands that need it, so
``genzoo --help`` and ``genzoo list`` answer in well under a second.

Every user mistake is one line on stderr and exit status 2; nothing is left
half-written (DESIGN.md, and the README's promise).
"""

from __future__ import annotations

import argparse
import math
import os
import sys

from keras_genzoo import __version__
from keras_genzoo.errors import GenzooError

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors in genzoo's one-line style (exit 2)."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"genzoo: error: {message} (see '{self.prog} --help')\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got '{text}'") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _positive_minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number of minutes, got '{text}'") \
            from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of minutes, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="genzoo",
        description="Autoencoders and GANs for TensorFlow/Keras: train, sample, export, inspect.",
        epilog="Quick start: genzoo train dcgan  (embedded digits, offline, a few minutes on CPU)",
    )
    parser.add_argument("--version", action="version", version=f"keras-genzoo {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    listing = commands.add_parser("list", help="models, presets and dataset sources; "
                                  "with MODEL, its config keys")
    listing.add_argument("model", nargs="?", help="show this model's presets and config keys")

    train = commands.add_parser("train", help="train a model (resumes an existing run directory)")
    train.add_argument("model", help="model name, e.g. dcgan, ae (see `genzoo list`)")
    train.add_argument("--dataset", help="dataset source (default: the preset's, usually digits)")
    length = train.add_mutually_exclusive_group()
    length.add_argument("--epochs", type=_positive_int, help="epochs to train (default: preset)")
    length.add_argument("--steps", type=_positive_int, help="train steps instead of epochs")
    train.add_argument("--minutes", type=_positive_minutes, metavar="M",
                       help="wall-clock budget: stop cleanly (checkpoint, samples) after M "
                       "minutes; with --epochs/--steps whichever comes first, alone the only "
                       "bound; a resumed run gets M more minutes")
    train.add_argument("--batch-size", type=_positive_int, help="GLOBAL batch size (all replicas)")
    train.add_argument("--preset", help="named preset of the model (see `genzoo list`)")
    train.add_argument("--config", metavar="FILE", help="YAML or JSON file of config overrides")
    train.add_argument("--set", metavar="KEY=VALUE", action="append", default=[],
                       help="override one config value (repeatable)")
    train.add_argument("--image-size", type=_positive_int,
                       help="train at this image size (sets config image_size; dcgan: a power "
                       "of two >= 8, ae: a multiple of 4)")
    train.add_argument("--out", metavar="DIR", help="run directory (default: runs/<model>)")
    train.add_argument("--seed", type=int, help="random seed (default 0)")
    train.add_argument("--strategy", choices=["default", "mirrored", "multiworker", "auto", "tpu"],
                       help="tf.distribute strategy: default (one device), mirrored (all local "
                       "GPUs, else the logical CPUs), multiworker (TF_CONFIG), auto (mirrored "
                       "when there are several GPUs), tpu")
    train.add_argument("--xla", action="store_true", default=None,
                       help="compile the train step with XLA (jit_compile=True)")
    train.add_argument("--mixed-precision", action="store_true", default=None,
                       help="mixed_float16 on GPU, mixed_bfloat16 on CPU/TPU")
    train.add_argument("--data-dir", help="tensorflow-datasets data directory")
    train.add_argument("--manual-dir", help="tensorflow-datasets manual download directory")
    train.add_argument("--checkpoint-every", type=_positive_int, metavar="STEPS",
                       help="also checkpoint every N steps (default: each epoch end)")
    train.add_argument("--sample-every", type=_positive_int, metavar="EPOCHS",
                       help="write the sample grid (2-D data: the scatter plot) every N epochs "
                       "and at the last one (default 1, every epoch; the toy2d presets: 3 or 21)")
    train.add_argument("--domain-column", metavar="COLUMN",
                       help="csv: datasets (radialgan): the column naming each row's domain")
    train.add_argument("--label-column", metavar="COLUMN",
                       help="csv: datasets (radialgan): the column holding each row's label")
    train.add_argument("--eval-every", type=_positive_int, metavar="EPOCHS",
                       help="every N epochs, add genzoo eval's metrics to history.csv and "
                       "TensorBoard (as eval_<metric>)")
    train.add_argument("--eval-metrics", help="with --eval-every: metrics, as genzoo eval "
                       "--metrics (default fid,kid,prdc; autoencoders recon)")
    train.add_argument("--eval-features", help="with --eval-every: feature extractor, as "
                       "genzoo eval --features (default inception)")
    train.add_argument("--eval-num", type=_positive_int,
                       help="with --eval-every: samples and reference images (1000)")
    train.add_argument("--inception-weights", metavar="PATH",
                       help="with --eval-every and inception features: the weights file")
    train.add_argument("--export", metavar="DIR", help="export to DIR when training ends")
    train.add_argument("--no-onnx", action="store_true", help="with --export: skip the ONNX files")

    sample = commands.add_parser("sample", help="write a PNG grid from a run or an export")
    sample.add_argument("path", metavar="RUN_OR_EXPORT",
                        help="a run directory, or an export (model dir or version dir)")
    sample.add_argument("--num", type=_positive_int, default=64,
                        help="number of images (64); autoencoders show NUM inputs, each row "
                        "above its reconstructions")
    sample.add_argument("--out", default="samples.png", help="PNG file to write (samples.png)")
    sample.add_argument("--prior", action="store_true",
                        help="generative autoencoders (vae): decode samples from the prior "
                        "instead of showing reconstructions")
    sample.add_argument("--label", type=int,
                        help="conditional models: draw every sample of this class")
    sample.add_argument("--seed", type=int, default=0,
                        help="GANs: latent seed; autoencoders: 0 takes the first held-out "
                        "images, other seeds a random choice (0)")
    sample.add_argument("--truncation", type=float, metavar="PSI",
                        help="stylegan: the truncation trick, w = w_avg + PSI (w - w_avg), "
                        "PSI in [0, 1] (1: none; 0: the average image)")
    sample.add_argument("--force-truncation", action="store_true",
                        help="allow PSI outside [0, 1] (extrapolation)")
    sample.add_argument("--style-mix", action="store_true",
                        help=f"stylegan: a style-mixing grid, {4} row sources x {6} column "
                        "sources (coarse styles from the row, fine from the column)")
    sample.add_argument("--crossover", type=_positive_int, metavar="LAYER",
                        help="with --style-mix: the first layer taking the column's style "
                        "(default: half of the layers)")
    sample.add_argument("--interpolate", type=int, metavar="STEPS",
                        help="stylegan: a strip of STEPS images along a line in w between "
                        "two latents")

    export = commands.add_parser("export", help="SavedModel (TF Serving layout) + ONNX of a run")
    export.add_argument("run", metavar="RUN", help="a run directory (runs/<model>)")
    export.add_argument("--to", default="exports", metavar="DIR",
                        help="TF Serving model base directory (default: exports)")
    export.add_argument("--name", help="model name under DIR (default: the model's name)")
    export.add_argument("--version", type=_positive_int, help="version number (default: next)")
    export.add_argument("--no-onnx", action="store_true", help="skip the ONNX files")
    export.add_argument("--opset", type=_positive_int, default=17, help="ONNX opset (17)")

    evaluate = commands.add_parser(
        "eval", help="FID, KID, IS, precision/recall, density/coverage of a run or an export")
    evaluate.add_argument("path", metavar="RUN_OR_EXPORT",
                          help="a run directory, or an export (model dir or version dir)")
    evaluate.add_argument("--metrics", help="comma-separated, among fid, kid, is, prdc, recon, "
                          "modes (default: fid,kid,prdc; autoencoders: recon; 2-D models: modes)")
    evaluate.add_argument("--features", default="inception",
                          help="feature extractor: inception (InceptionV3 pool3; the default), "
                          "classifier:RUN (a `genzoo train classifier` run), random")
    evaluate.add_argument("--num", type=_positive_int,
                          help="samples to generate, and reference images to compare with "
                          "(10000; fewer references when the split is smaller; 2-D models: "
                          "2500)")
    evaluate.add_argument("--dataset", help="reference dataset (default: the run's)")
    evaluate.add_argument("--split", help="reference split (default: test, else train)")
    evaluate.add_argument("--seed", type=int, default=0, help="latent seed of the samples (0)")
    evaluate.add_argument("--inception-weights", metavar="PATH",
                          help="InceptionV3 weights file (.h5), for machines without internet")
    evaluate.add_argument("--out", metavar="FILE",
                          help="JSON file to update (default: eval.json in the run or export)")
    evaluate.add_argument("--cache-dir", metavar="DIR",
                          help="reference-feature cache (default: $GENZOO_CACHE or "
                          "~/.cache/keras_genzoo)")
    evaluate.add_argument("--data-dir", help="tensorflow-datasets data directory")
    evaluate.add_argument("--manual-dir", help="tensorflow-datasets manual download directory")

    manifold = commands.add_parser(
        "manifold", help="tangent directions of an autoencoder's learned manifold, as a PNG")
    manifold.add_argument("run", metavar="RUN", help="an autoencoder run directory")
    manifold.add_argument("--out", default="manifold.png", help="PNG file to write (manifold.png)")
    manifold.add_argument("--num", type=_positive_int, default=4, help="held-out inputs (4)")
    manifold.add_argument("--directions", type=_positive_int, default=3,
                          help="leading singular directions of the decoder Jacobian (3)")
    manifold.add_argument("--seed", type=int, default=0,
                          help="0: the first held-out images; other seeds: a random choice")

    encode = commands.add_parser(
        "encode", help="codes of a dataset under an autoencoder (dimensionality reduction)")
    encode.add_argument("run", metavar="RUN", help="an autoencoder run directory")
    encode.add_argument("--dataset", help="dataset source (default: the run's)")
    encode.add_argument("--split", default="test", help="split to encode (test)")
    encode.add_argument("--out", default="codes.npz", help=".npz file to write (codes.npz)")
    encode.add_argument("--limit", type=_positive_int, help="encode at most N images")
    encode.add_argument("--data-dir", help="tensorflow-datasets data directory")
    encode.add_argument("--manual-dir", help="tensorflow-datasets manual download directory")

    radial = commands.add_parser("radialgan", help="radialgan tools: augment a domain's "
                                 "data with the others translated into it")
    radial_commands = radial.add_subparsers(dest="radialgan_command", metavar="TOOL",
                                            parser_class=_Parser)
    radial_commands.required = True
    augment = radial_commands.add_parser(
        "augment", help="every other domain's rows translated into domain TARGET's features "
        "(original units, labels carried), as CSV")
    augment.add_argument("run", metavar="RUN", help="a radialgan run directory")
    augment.add_argument("--target", type=int, required=True,
                         help="index of the target domain (0 .. M-1, in the run's domain order)")
    augment.add_argument("--out", required=True, metavar="FILE.csv", help="CSV file to write")
    augment.add_argument("--split", default="train",
                         help="which rows of the other domains to translate (train)")

    info = commands.add_parser("info", help="signatures of an export, or a run's summary")
    info.add_argument("path", metavar="PATH",
                      help="SavedModel version dir, model dir (latest version) or run dir")
    return parser


# ----------------------------------------------------------------- commands
def cmd_list(args) -> int:
    from keras_genzoo import registry
    from keras_genzoo.data.catalog import DATASET_SOURCES

    if args.model:
        return _list_model(registry.get(args.model))
    width = 24
    print("Models (genzoo train MODEL [--preset PRESET]; genzoo list MODEL for config keys):")
    for spec in registry.all_specs():
        print(f"  {spec.name:<{width}} {spec.description}")
        print(f"  {'':<{width}} [{spec.kind}] {spec.reference}")
        for name, preset in spec.presets.items():
            mark = "*" if name == spec.default_preset else " "
            print(f"  {'':<{width}} {mark} preset {name:<10} {preset.description}")
    print("\nDataset sources (--dataset):")
    for source, description in DATASET_SOURCES:
        print(f"  {source:<{width}} {description}")
    print("\n* = default preset. Model names accept underscores for hyphens.")
    return 0


def _list_model(spec) -> int:
    """A model's presets and every config key with its type and default."""
    import dataclasses
    import typing

    from keras_genzoo.config import field_types

    config_class = spec.load_class().config_class
    print(f"{spec.name}: {spec.description}\n  [{spec.kind}] {spec.reference}\n")
    print("Presets (--preset):")
    for name, preset in spec.presets.items():
        mark = "*" if name == spec.default_preset else " "
        print(f"  {mark} {name:<10} {preset.description}")
        if preset.config:
            print(f"    {'':<10} config: " + ", ".join(f"{k}={v}" for k, v in preset.config.items()))
        if preset.train:
            print(f"    {'':<10} train:  " + ", ".join(f"{k}={v}" for k, v in preset.train.items()))
    print("\nConfig keys (--set KEY=VALUE, or a --config YAML/JSON file):")
    types = field_types(config_class)
    for field in dataclasses.fields(config_class):
        kind = types[field.name]
        if typing.get_origin(kind) is typing.Literal:
            kind_name = "|".join(map(str, typing.get_args(kind)))
        elif typing.get_origin(kind) in (tuple, list):
            kind_name = "list of " + typing.get_args(kind)[0].__name__
        else:
            kind_name = getattr(kind, "__name__", str(kind))
        default = field.default
        if isinstance(default, tuple):
            default = ",".join(map(str, default))
        print(f"  {field.name:<22} {kind_name:<14} default {default}")
    return 0


def cmd_train(args) -> int:
    from keras_genzoo.config import parse_set_arguments
    from keras_genzoo.training import run as run_lib

    plan = run_lib.resolve_plan(
        args.model,
        preset=args.preset,
        config_file=args.config,
        overrides=parse_set_arguments(args.set),
        image_size=args.image_size,
        out_dir=args.out,
        dataset=args.dataset,
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
        domain_column=args.domain_column,
        label_column=args.label_column,
        eval_every=args.eval_every,
        eval_metrics=args.eval_metrics,
        eval_features=args.eval_features,
        eval_num=args.eval_num,
        inception_weights=args.inception_weights,
    )
    if args.export:
        run_lib.check_writable(__import__("pathlib").Path(args.export))
        if not args.no_onnx:
            from keras_genzoo.export.onnx import require_onnx_extra

            require_onnx_extra()  # fail now, not after training
    from keras_genzoo.training import trainer

    try:
        result = trainer.train(plan)
    except trainer.Interrupted as stop:
        print(f"\ngenzoo: interrupted; checkpoint saved at step {stop.step}. "
              f"Run the same command to resume.", file=sys.stderr)
        return EXIT_INTERRUPTED
    if result.epochs_run == 0:
        print(f"genzoo: {plan.out_dir} is already trained to step {result.steps}; "
              "pass a larger --epochs or --steps, or --minutes, to train further")
        return _export(plan.out_dir, args.export, None, None, onnx=not args.no_onnx,
                       opset=17) if args.export else 0
    last = result.history[-1] if result.history else {}
    metrics = ", ".join(f"{k} {v}" if isinstance(v, int) else f"{k} {float(v):.4f}"
                        for k, v in last.items() if k not in ("epoch", "step", "seconds"))
    unit = ("points" if "modes_covered" in last
            else "rows (per domain)" if "data_cycle" in last else "images")
    budget = (f"; the {plan.settings.minutes:g}-minute budget ran out, resume with "
              "--minutes to train further" if result.out_of_time else "")
    print(f"genzoo: trained to step {result.steps} ({result.images_per_second:.0f} {unit}/s"
          f"{budget}). {metrics}")
    if not result.chief:
        return 0  # only the chief writes artifacts and exports (DESIGN.md 4.5)
    samples = sorted((plan.out_dir / "samples").glob("*.png"))
    if samples:
        print(f"genzoo: samples: {samples[-1]}   loss curves: {plan.out_dir / 'loss_curves.png'}")
    if args.export:
        return _export(plan.out_dir, args.export, None, None, onnx=not args.no_onnx, opset=17)
    return 0


def _export(run_dir, to, name, version, *, onnx, opset) -> int:
    from keras_genzoo.export.from_run import export_run

    result = export_run(run_dir, to, name=name, version=version, onnx=onnx, opset=opset)
    print(f"genzoo: exported {result.name} version {result.version} to {result.path}")
    for signature, path in result.onnx_files.items():
        print(f"genzoo: onnx {signature}: {path} "
              f"(max abs diff vs TF {result.onnx_max_abs_diff[signature]:.1e})")
    return 0


def cmd_export(args) -> int:
    return _export(args.run, args.to, args.name, args.version, onnx=not args.no_onnx,
                   opset=args.opset)


def cmd_sample(args) -> int:
    from keras_genzoo.training.sampling import StyleOptions, sample_grid

    style = StyleOptions(truncation=args.truncation, force_truncation=args.force_truncation,
                         style_mix=args.style_mix, crossover=args.crossover,
                         interpolate=args.interpolate)
    out = sample_grid(args.path, num=args.num, out=args.out, seed=args.seed, prior=args.prior,
                      label=args.label, style=style)
    print(f"genzoo: wrote {out}")
    return 0


def cmd_info(args) -> int:
    import json
    import pathlib

    path = pathlib.Path(args.path)
    if not path.exists():
        raise GenzooError(f"no such file or directory: {path}")
    if (path / "config.json").is_file():
        from keras_genzoo.training.run import read_run_config

        saved = read_run_config(path)
        print(f"run {path}: {saved['model']} (preset {saved.get('preset')})")
        print(json.dumps({"config": saved["config"], "train": saved.get("train")}, indent=2))
        return 0
    from keras_genzoo.export.savedmodel import format_signatures

    print(format_signatures(path))
    return 0


def import_tensorflow_quietly() -> None:
    """Import TensorFlow with its C++ start-up log lines hidden.

    TF 2.21 writes absl log lines (oneDNN notice, "could not find cuda
    drivers", cuInit errors) to file descriptor 2 before its logging is
    initialised, ignoring TF_CPP_MIN_LOG_LEVEL, so they would bury genzoo's
    one-line messages. Set GENZOO_TF_LOGS=1 to see them.
    """
    if os.environ.get("GENZOO_TF_LOGS") or "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved_stderr, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import tensorflow as tf

        tf.config.list_physical_devices("GPU")  # CUDA initialisation logs here
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        os.close(devnull)


def cmd_eval(args) -> int:
    from keras_genzoo.metrics.evaluate import EvalSettings, evaluate_path, format_report

    settings = EvalSettings(metrics=args.metrics, features=args.features, num=args.num,
                            dataset=args.dataset, split=args.split, seed=args.seed,
                            inception_weights=args.inception_weights, data_dir=args.data_dir,
                            manual_dir=args.manual_dir, cache_dir=args.cache_dir)
    report = evaluate_path(args.path, settings, out=args.out)
    print(format_report(report))
    print(f"genzoo: wrote {report.out} ({report.seconds:.1f} s)")
    return 0


def cmd_manifold(args) -> int:
    from keras_genzoo.metrics.manifold import write_tangent_figure

    out = write_tangent_figure(args.run, args.out, num_inputs=args.num,
                               num_directions=args.directions, seed=args.seed)
    print(f"genzoo: wrote {out}")
    return 0


def cmd_encode(args) -> int:
    from keras_genzoo.metrics.codes import encode_dataset

    out = encode_dataset(args.run, args.dataset, split=args.split, out=args.out, limit=args.limit,
                         data_dir=args.data_dir, manual_dir=args.manual_dir)
    print(f"genzoo: wrote {out}")
    return 0


def cmd_radialgan(args) -> int:
    from keras_genzoo.training.augment import augment_domain

    result = augment_domain(args.run, target=args.target, out=args.out, split=args.split)
    print(f"genzoo: wrote {result.path}: {result.rows} rows translated into domain "
          f"{result.target_name} from {', '.join(result.sources)}")
    return 0


COMMANDS = {"list": cmd_list, "train": cmd_train, "sample": cmd_sample, "export": cmd_export,
            "eval": cmd_eval, "radialgan": cmd_radialgan, "info": cmd_info, "manifold": cmd_manifold, "encode": cmd_encode}


def main(argv: list[str] | None = None) -> int:
    # TensorFlow's C++ start-up chatter buries genzoo's own output.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = build_parser().parse_args(argv)
    try:
        if args.command != "list" or getattr(args, "model", None):
            import_tensorflow_quietly()
        return COMMANDS[args.command](args)
    except GenzooError as error:
        print(f"genzoo: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\ngenzoo: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `genzoo list | head`: the reader left, not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
