"""``genzoo``: train, sample, export and inspect the models of keras-genzoo.

This package only parses arguments: each verb is a module of
:mod:`keras_genzoo.commands`, imported when that verb runs, so ``genzoo --help``
and ``genzoo list`` answer without loading TensorFlow.

Every user mistake is one line on stderr and exit status 2; nothing is left
half-written (DESIGN.md, and the README's promise).
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import sys

from keras_genzoo import __version__
from keras_genzoo import config as limits
from keras_genzoo.commands import VERBS
from keras_genzoo.errors import EXIT_INTERRUPTED, EXIT_USAGE, GenzooError


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors in genzoo's one-line style (exit 2)."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"genzoo: error: {message} (see '{self.prog} --help')\n")


def _count(maximum: int, minimum: int = 1):
    """An argparse type: an integer in ``[minimum, maximum]`` (the bounds of
    :mod:`keras_genzoo.config`, docs/cli.md "Ranges")."""
    kind = {0: "a non-negative integer", 1: "a positive integer"}.get(
        minimum, f"an integer >= {minimum}")

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {kind} up to {maximum}, got '{text}'") \
                from None
        if not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"expected {kind} up to {maximum}, got {value}")
        return value

    return parse


_positive_int = _count(2**63 - 1)
_seed = _count(limits.MAX_SEED, minimum=0)


def _positive_minutes(text: str) -> float:
    expected = f"expected a positive number of minutes up to {limits.MAX_MINUTES}"
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{expected}, got '{text}'") from None
    if not math.isfinite(value) or not 0 < value <= limits.MAX_MINUTES:
        raise argparse.ArgumentTypeError(f"{expected}, got {text}")
    return value


def _non_negative_float(text: str) -> float:
    value = _finite_float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text}")
    return value


def _finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got '{text}'") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text}")
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
    listing.add_argument("--markdown", action="store_true",
                         help="print the model catalogue as a Markdown table (the README's)")

    train = commands.add_parser("train", help="train a model (resumes an existing run directory)")
    train.add_argument("model", help="model name, e.g. dcgan, ae (see `genzoo list`)")
    train.add_argument("--dataset", help="dataset source (default: the preset's, usually digits; "
                       "style transfer: the content images)")
    train.add_argument("--style-dataset", metavar="SPEC",
                       help="style-transfer models (adain-style): the style images, any dataset "
                       "source (default: the preset's, samples:styles)")
    train.add_argument("--vgg-weights", metavar="PATH",
                       help="style-transfer models: Keras' VGG-19 notop weights file (.h5); sets "
                       "config vgg_weights")
    length = train.add_mutually_exclusive_group()
    length.add_argument("--epochs", type=_count(limits.MAX_EPOCHS),
                        help="epochs to train (default: preset)")
    length.add_argument("--steps", type=_count(limits.MAX_STEPS),
                        help="train steps instead of epochs")
    train.add_argument("--minutes", type=_positive_minutes, metavar="M",
                       help="wall-clock budget: stop cleanly (checkpoint, samples) after M "
                       "minutes; with --epochs/--steps whichever comes first, alone the only "
                       "bound; a resumed run gets M more minutes")
    train.add_argument("--batch-size", type=_count(limits.MAX_BATCH_SIZE),
                       help="GLOBAL batch size (all replicas)")
    train.add_argument("--preset", help="named preset of the model (see `genzoo list`)")
    train.add_argument("--config", metavar="FILE", help="YAML or JSON file of config overrides")
    train.add_argument("--set", metavar="KEY=VALUE", action="append", default=[],
                       help="override one config value (repeatable)")
    train.add_argument("--image-size", type=_count(limits.MAX_IMAGE_SIZE),
                       help="train at this image size (sets config image_size; dcgan: a power "
                       "of two >= 8, ae: a multiple of 4)")
    train.add_argument("--out", metavar="DIR", help="run directory (default: runs/<model>)")
    train.add_argument("--seed", type=_seed, help="random seed, 0 to 2**32-1 (default 0)")
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
    train.add_argument("--checkpoint-every", type=_count(limits.MAX_STEPS), metavar="STEPS",
                       help="also checkpoint every N steps (default: each epoch end)")
    train.add_argument("--sample-every", type=_count(limits.MAX_EPOCHS), metavar="EPOCHS",
                       help="write the sample grid (2-D data: the scatter plot, 1-D: the density "
                       "figure) and compute the slower held-out estimates (the VAE's "
                       "importance-weighted bound) every N epochs and at the last one "
                       "(default 1, every epoch; the toy2d presets: 3 or 21, the toy1d ones: "
                       "2, vae's dense preset: 5)")
    train.add_argument("--steps-per-execution", type=_count(limits.MAX_STEPS), metavar="STEPS",
                       help="run N training steps per call into TensorFlow, as one graph loop "
                       "(default 1; vae's dense preset: 16): faster where a step takes a few "
                       "milliseconds; --minutes, the progress bar and interrupts act between "
                       "calls; ignored by progressive models, which may grow at any step")
    train.add_argument("--thin-epoch-ends", action=argparse.BooleanOptionalAction, default=None,
                       help="checkpoint and score held-out data only every --sample-every "
                       "epochs and at the last, for epochs so short that this work weighs "
                       "(default: radialgan and vae's dense preset on, the others off)")
    train.add_argument("--domain-column", metavar="COLUMN",
                       help="csv: datasets (radialgan): the column naming each row's domain")
    train.add_argument("--label-column", metavar="COLUMN",
                       help="csv: datasets (radialgan): the column holding each row's label")
    train.add_argument("--eval-every", type=_count(limits.MAX_EPOCHS), metavar="EPOCHS",
                       help="every N epochs, add genzoo eval's metrics to history.csv and "
                       "TensorBoard (as eval_<metric>)")
    train.add_argument("--eval-metrics", help="with --eval-every: metrics, as genzoo eval "
                       "--metrics (default fid,kid,prdc; autoencoders recon)")
    train.add_argument("--eval-features", help="with --eval-every: feature extractor, as "
                       "genzoo eval --features (default inception)")
    train.add_argument("--eval-num", type=_count(limits.MAX_EVAL_NUM),
                       help="with --eval-every: samples and reference images (1000)")
    train.add_argument("--inception-weights", metavar="PATH",
                       help="with --eval-every and inception features: the weights file")
    train.add_argument("--export", metavar="DIR", help="export to DIR when training ends")
    train.add_argument("--no-onnx", action="store_true", help="with --export: skip the ONNX files")
    train.add_argument("--no-warmup", action="store_true",
                       help="with --export: skip TF Serving's warmup file")
    train.add_argument("--version-policy", metavar="POLICY",
                       help="with --export: the model's version policy in models.config "
                       "(as genzoo export --version-policy)")
    train.add_argument("--divergence-bound", type=_non_negative_float, metavar="B",
                       help="stop (without saving) when a loss or a network weight exceeds B "
                       "in absolute value (default: the model's, 1e6; 0: only NaN/Inf stop)")
    train.add_argument("--verbose", action="store_true",
                       help="with --export: show tf2onnx's own log output")

    sample = commands.add_parser("sample", help="write a PNG grid from a run or an export")
    sample.add_argument("path", metavar="RUN_OR_EXPORT",
                        help="a run directory, or an export (model dir or version dir)")
    sample.add_argument("--num", type=_count(limits.MAX_GRID_IMAGES),
                        help="number of images (64); autoencoders show NUM inputs, each row "
                        "above its reconstructions")
    sample.add_argument("--out", default="samples.png", help="PNG file to write (samples.png)")
    sample.add_argument("--prior", action="store_true",
                        help="generative autoencoders (vae): decode samples from the prior "
                        "instead of showing reconstructions")
    sample.add_argument("--stochastic", action="store_true",
                        help="autoencoders with a probabilistic decoder (vae; ae family with "
                             "mse or bce): draw x ~ p_decoder(x|h) instead of its mean")
    sample.add_argument("--label", type=int,
                        help="conditional models: draw every sample of this class")
    sample.add_argument("--seed", type=_seed, default=0,
                        help="GANs: latent seed; autoencoders: 0 takes the first held-out "
                        "images, other seeds a random choice (0)")
    sample.add_argument("--truncation", type=_finite_float, metavar="PSI",
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
    export.add_argument("--no-warmup", action="store_true",
                        help="skip TF Serving's warmup file (assets.extra/"
                        "tf_serving_warmup_requests, which needs tensorflow-serving-api)")
    export.add_argument("--version-policy", metavar="POLICY",
                        help="the model's version policy in models.config: latest (default), "
                        "latest:N, all, or specific:V1,V2,...; kept by later exports")
    export.add_argument("--verbose", action="store_true",
                        help="show tf2onnx's and onnxruntime's own log output")
    export.add_argument("--opset", type=_positive_int,
                        help="ONNX opset, one that the installed tf2onnx writes (14 to 18 "
                        "for tf2onnx 1.17; 17)")

    evaluate = commands.add_parser(
        "eval", help="FID, KID, IS, precision/recall, density/coverage of a run or an export")
    evaluate.add_argument("path", metavar="RUN_OR_EXPORT",
                          help="a run directory, or an export (model dir or version dir)")
    evaluate.add_argument("--metrics", help="comma-separated, among fid, kid, is, prdc, recon, "
                          "modes (default: fid,kid,prdc; autoencoders: recon; 2-D models: modes)")
    evaluate.add_argument("--features", default="inception",
                          help="feature extractor: inception (InceptionV3 pool3; the default), "
                          "classifier:RUN (a `genzoo train classifier` run), random")
    evaluate.add_argument("--num", type=_count(limits.MAX_EVAL_NUM),
                          help="samples to generate, and reference images to compare with "
                          "(10000; fewer references when the split is smaller; 2-D models: "
                          "2500)")
    evaluate.add_argument("--dataset", help="reference dataset (default: the run's)")
    evaluate.add_argument("--split", help="reference split (default: test, else train)")
    evaluate.add_argument("--seed", type=_seed, default=0, help="latent seed of the samples (0)")
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
    manifold.add_argument("--num", type=_count(limits.MAX_MANIFOLD_ROWS), default=4,
                          help="held-out inputs (4)")
    manifold.add_argument("--directions", type=_count(limits.MAX_MANIFOLD_ROWS), default=3,
                          help="leading singular directions of the decoder Jacobian (3)")
    manifold.add_argument("--seed", type=_seed, default=0,
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

    stylize = commands.add_parser(
        "stylize", help="a content image in the style of others: an adain-style run or "
        "export, or Gatys et al.'s optimisation (--method gatys)")
    stylize.add_argument("path", metavar="RUN_OR_EXPORT", nargs="?",
                         help="--method adain: an adain-style run directory or export")
    stylize.add_argument("--method", choices=["adain", "gatys"], default="adain",
                         help="adain: one pass through a trained adain-style network (the "
                         "default); gatys: optimise the image (Gatys et al. 2016), no RUN")
    stylize.add_argument("--content", required=True, metavar="IMG",
                         help="content image: a file, or samples:NAME (a bundled image)")
    stylize.add_argument("--style", action="append", required=True, metavar="IMG",
                         help="style image (a file or samples:NAME); adain: repeat to mix styles")
    stylize.add_argument("--out", required=True, metavar="OUT",
                         help="image to write; the extension picks the format (.png, .jpg ...)")
    stylize.add_argument("--size", type=_count(limits.MAX_IMAGE_SIZE), metavar="N",
                         help="resize the content so that its shorter side is N pixels (styles "
                         "follow: their shorter side is always made the content's)")
    stylize.add_argument("--preserve-color", action="store_true",
                         help="keep the content's colours: give each style image the "
                         "content's RGB mean and covariance first (Gatys et al. 2016b)")
    stylize.add_argument("--luminance-only", action="store_true",
                         help="keep the content's colours: transfer the luminance only and "
                         "give the result the content's colour channels (Gatys et al. 2016b)")
    stylize.add_argument("--weights", metavar="W1,W2,...",
                         help="adain: one weight per --style, >= 0, summing to 1 (default: equal)")
    stylize.add_argument("--alpha", type=_finite_float, metavar="A",
                         help="adain: content-style trade-off in [0, 1] (1: full style, the "
                         "default; 0: the content through the decoder)")
    stylize.add_argument("--alpha-grid", nargs="?", metavar="A,B,...",
                         const=",".join(f"{alpha:g}" for alpha in limits.STYLIZE_ALPHA_GRID),
                         help="adain: one row, the content and style images then the output at "
                         "each alpha (default " +
                         ",".join(f"{alpha:g}" for alpha in limits.STYLIZE_ALPHA_GRID) + ")")
    stylize.add_argument("--steps", type=_count(limits.MAX_STEPS),
                         help="gatys: optimisation steps (200)")
    stylize.add_argument("--optimizer", choices=["lbfgs", "adam"],
                         help="gatys: L-BFGS-B (scipy; the default) or Adam")
    stylize.add_argument("--style-weight", type=_non_negative_float, metavar="W",
                         help="gatys: weight of the Gram style loss (10)")
    stylize.add_argument("--content-weight", type=_non_negative_float, metavar="W",
                         help="gatys: weight of the relu4_2 content loss (1)")
    stylize.add_argument("--tv-weight", type=_non_negative_float, metavar="W",
                         help="gatys: weight of the total-variation term (1)")
    stylize.add_argument("--vgg-weights", metavar="PATH",
                         help="gatys: the VGG-19 notop weights file (default: ImageNet from "
                         "the Keras cache, or a download)")
    stylize.add_argument("--set", metavar="KEY=VALUE", action="append", default=[],
                         help="gatys: any setting, e.g. vgg_weights=random, learning_rate=0.02 "
                         "(see docs/cli.md)")

    info = commands.add_parser("info", help="signatures of an export, or a run's summary")
    info.add_argument("path", metavar="PATH",
                      help="SavedModel version dir, model dir (latest version) or run dir")
    return parser


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


def main(argv: list[str] | None = None) -> int:
    # TensorFlow's C++ start-up chatter buries genzoo's own output.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = build_parser().parse_args(argv)
    try:
        if args.command != "list" or getattr(args, "model", None):
            import_tensorflow_quietly()
        verb = importlib.import_module(f"keras_genzoo.commands.{VERBS[args.command]}")
        return verb.run(args)
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
    except OSError as error:
        # The file system said no (a full disk, permissions, an immutable file) where no
        # command anticipated it: the user's environment, not a bug, so one line.
        where = f": {error.filename}" if error.filename else ""
        print(f"genzoo: error: {error.strerror or error}{where}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
