"""``genzoo stylize``: a content image in the style of one or more style images.

Two methods:

* ``adain`` (the default): a trained ``adain-style`` run or its export (Huang &
  Belongie 2017, arXiv:1703.06868): one forward pass; ``alpha`` trades content for
  style and several styles are mixed with ``weights`` (section 7.3), both inside the
  model's ``stylize``. ``--alpha-grid`` draws one output per alpha in a row, after the
  content and style images.
* ``gatys``: the optimisation of Gatys, Ecker & Bethge 2016
  (:mod:`keras_genzoo.models.gatys`), no trained model needed.

Images: a file (any format Pillow reads) or ``samples:NAME`` (the bundled images of
:mod:`keras_genzoo.data.samples`). ``size`` first resizes the content so that its
shorter side has that many pixels; every style image is then resized so that its
shorter side equals the content's, so a texture keeps the same scale relative to the
output whatever the files' resolutions. The AdaIN network needs sides that are
multiples of 8: the content is padded by reflection up to one and the output cropped
back (the written image has exactly the content's size); style images are
centre-cropped down to one (at most 7 pixels dropped, no invented pixels in their
statistics).

``preserve_color``: colour histogram matching, Gatys, Bethge, Hertzmann & Shechtman 2016
("Preserving Color in Neural Artistic Style Transfer", arXiv:1606.05897, section 2.1):
each style image's pixels go through the linear map that gives them the content's RGB
mean and covariance before the transfer (:func:`match_color_statistics`); the AdaIN
paper uses the same for its colour control (section 7.3). ``luminance_only`` is that
paper's other method (section 2.2): the transfer sees luminance only and the output
takes the content's colour channels (:func:`luminance_images`, :func:`with_chroma_of`).
"""

from __future__ import annotations

import dataclasses
import math
import pathlib
import sys
import time

import keras
import numpy as np
import scipy.linalg
import tensorflow as tf

from keras_genzoo import registry, runs
from keras_genzoo.commands.sample import check_output_file
from keras_genzoo.config import build_config, parse_set_arguments
from keras_genzoo.data.samples import load_sample_image
from keras_genzoo.errors import DataError, GenzooError
from keras_genzoo.export.exported import ExportedModel
from keras_genzoo.export.savedmodel import read_metadata, read_signatures
from keras_genzoo.models.gatys import LOSS_NAMES, GatysConfig, gatys_transfer
from keras_genzoo.training.images import image_grid

METHODS = ("adain", "gatys")
#: at most this many alphas in one grid
MAX_ALPHAS = 16
#: the AdaIN network halves the image three times (relu4_1)
SIDE_MULTIPLE = 8
#: the smallest side an image may have after --size (relu4_1 then has 2x2 positions)
MIN_SIDE = 16
#: the sum of --weights may differ from 1 by this much
WEIGHT_TOLERANCE = 1e-6
SAMPLES_PREFIX = "samples:"
#: GatysConfig key -> the flag that sets it (``--set KEY=VALUE`` sets any key)
GATYS_FLAGS = {"steps": "--steps", "optimizer": "--optimizer", "style_weight": "--style-weight",
               "content_weight": "--content-weight", "tv_weight": "--tv-weight",
               "vgg_weights": "--vgg-weights"}
#: white space between the tiles of --alpha-grid, in pixels
GRID_PADDING = 4


@dataclasses.dataclass(frozen=True)
class StylizeOptions:
    """What ``genzoo stylize`` was asked for, checked by :meth:`check` before any work."""

    content: str
    styles: tuple[str, ...]
    out: str
    method: str = "adain"
    path: str | None = None
    weights: tuple[float, ...] | None = None
    alpha: float | None = None
    alpha_grid: tuple[float, ...] | None = None
    preserve_color: bool = False
    luminance_only: bool = False
    size: int | None = None
    #: --method gatys: GatysConfig values from the flags (by key), then --set KEY=VALUE
    gatys: dict = dataclasses.field(default_factory=dict)
    gatys_set: tuple[str, ...] = ()

    def check(self) -> None:
        if self.method not in METHODS:
            raise GenzooError(f"--method must be one of {', '.join(METHODS)}, got {self.method}")
        if not self.styles:
            raise GenzooError("give at least one --style image")
        if self.method == "gatys":
            if self.path is not None:
                raise GenzooError("--method gatys optimises the image itself: give no "
                                  f"RUN_OR_EXPORT (got {self.path})")
            adain_only = (("--weights", self.weights), ("--alpha", self.alpha),
                          ("--alpha-grid", self.alpha_grid))
            used = [flag for flag, value in adain_only if value is not None]
            if used:
                raise GenzooError(f"{', '.join(used)} apply to --method adain; --method gatys "
                                  "weighs content and style with --content-weight/--style-weight")
            if len(self.styles) > 1:
                raise GenzooError(f"--method gatys takes one --style image, got {len(self.styles)}")
            self.gatys_config()
        else:
            if self.path is None:
                raise GenzooError("--method adain needs RUN_OR_EXPORT: an adain-style run "
                                  "directory or export (or use --method gatys)")
            flags = [GATYS_FLAGS[key] for key in self.gatys] + (["--set"] if self.gatys_set else [])
            if flags:
                raise GenzooError(f"{', '.join(flags)} apply to --method gatys")
            if self.alpha is not None and self.alpha_grid is not None:
                raise GenzooError("--alpha and --alpha-grid: pick one (the grid shows each alpha)")
            for alpha in self.alpha_grid or [self.alpha]:
                if alpha is not None:
                    check_alpha(alpha)
            if self.alpha_grid is not None and not 1 <= len(self.alpha_grid) <= MAX_ALPHAS:
                raise GenzooError(f"--alpha-grid takes 1 to {MAX_ALPHAS} values, "
                                  f"got {len(self.alpha_grid)}")
            style_weights(self.weights, len(self.styles))
        if self.preserve_color and self.luminance_only:
            raise GenzooError("--preserve-color and --luminance-only are two ways to keep the "
                              "content's colours: pick one")
        if self.size is not None and self.size < MIN_SIDE:
            raise GenzooError(f"--size must be at least {MIN_SIDE}, got {self.size}")
        image_format(self.out)
        check_output_file(pathlib.Path(self.out), "stylized.png")

    def gatys_config(self) -> GatysConfig:
        """The Gatys settings: defaults, then ``--set``, then the flags."""
        return build_config(GatysConfig, parse_set_arguments(list(self.gatys_set)), self.gatys)


def run(args) -> int:
    options = StylizeOptions(
        content=args.content, styles=tuple(args.style or ()), out=args.out, method=args.method,
        path=args.path, weights=parse_numbers(args.weights, "--weights"),
        alpha=args.alpha, alpha_grid=parse_numbers(args.alpha_grid, "--alpha-grid"),
        preserve_color=args.preserve_color, luminance_only=args.luminance_only, size=args.size,
        gatys={key: getattr(args, key) for key in GATYS_FLAGS if getattr(args, key) is not None},
        gatys_set=tuple(args.set or ()))
    started = time.perf_counter()
    out, shape, note = stylize_files(options)
    print(f"genzoo: wrote {out} ({shape[1]}x{shape[0]}, {time.perf_counter() - started:.1f} s"
          f"{note})")
    return 0


def stylize_files(options: StylizeOptions) -> tuple[pathlib.Path, tuple[int, int], str]:
    """Do what ``options`` ask and write the picture; returns ``(out, (height, width),
    note)``, the note being the final Gatys losses (empty for AdaIN)."""
    options.check()
    content = read_image(options.content)
    if options.size is not None:
        content = resize_shorter_side(content, options.size)
    check_side(content, options.content)
    styles = [resize_shorter_side(read_image(spec), min(content.shape[:2]))
              for spec in options.styles]
    if options.preserve_color:
        styles = [match_color_statistics(style, content) for style in styles]
    source = content
    if options.luminance_only:
        content, styles = luminance_images(content, styles)
    note = ""
    if options.method == "gatys":
        config = options.gatys_config()
        result = gatys_transfer(content, styles[0], config, progress=_progress_bar(config.steps))
        picture = result.image
        if options.luminance_only:
            picture = np.clip(with_chroma_of(picture, source), 0.0, 1.0)
        last = result.losses[-1]
        note = (f"; {len(result.losses) - 1} {config.optimizer} steps, loss "
                f"{result.losses[0]['total']:.4g} -> {last['total']:.4g} (content "
                f"{last['content']:.4g}, style {last['style']:.4g}, tv {last['tv']:.4g})")
    else:
        model = load_stylizer(options.path)
        weights = style_weights(options.weights, len(styles))
        alphas = options.alpha_grid or (1.0 if options.alpha is None else options.alpha,)
        outputs = stylize_images(model, content, styles, weights, alphas)
        if options.luminance_only:
            outputs = [np.clip(with_chroma_of(output, source), 0.0, 1.0) for output in outputs]
        if options.alpha_grid is None:
            picture = outputs[0]
        else:
            picture = alpha_grid_picture(source, styles, outputs)
    out = save_image(picture, options.out)
    return out, picture.shape[:2], note


def _progress_bar(steps: int):
    """A Keras progress bar of the Gatys losses on a terminal (none in a pipe or a log,
    where the final line says it all)."""
    if not sys.stdout.isatty():
        return None
    bar = keras.utils.Progbar(steps, stateful_metrics=LOSS_NAMES)
    return lambda step, losses: bar.update(step, list(losses.items()))


# ------------------------------------------------------------------ the user's values
def parse_numbers(text: str | None, flag: str) -> tuple[float, ...] | None:
    """``"0.7,0.3"`` -> ``(0.7, 0.3)``; None stays None; anything else: one line."""
    if text is None:
        return None
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise GenzooError(f"{flag} expects comma-separated numbers, got '{text}'") from None
    if not all(math.isfinite(value) for value in values):
        raise GenzooError(f"{flag} expects finite numbers, got '{text}'")
    return values


def check_alpha(alpha: float) -> float:
    if not 0.0 <= alpha <= 1.0:
        raise GenzooError(f"alpha must be in [0, 1] (0: the content, 1: full style), got {alpha}")
    return alpha


def style_weights(weights: tuple[float, ...] | None, count: int) -> list[float]:
    """One weight per style image, each >= 0, summing to 1 (default: equal weights)."""
    if weights is None:
        return [1.0 / count] * count
    if len(weights) != count:
        raise GenzooError(f"--weights has {len(weights)} values for {count} --style images")
    if min(weights) < 0:
        raise GenzooError(f"--weights must be >= 0, got {','.join(map(str, weights))}")
    if abs(sum(weights) - 1.0) > WEIGHT_TOLERANCE:
        raise GenzooError(f"--weights must sum to 1, got {','.join(map(str, weights))} "
                          f"(sum {sum(weights):g})")
    return list(weights)


def image_format(out) -> str:
    """Pillow's format name for ``out``'s extension; one line if there is none to write."""
    from PIL import Image

    Image.init()
    suffix = pathlib.Path(out).suffix.lower()
    name = Image.registered_extensions().get(suffix)
    if name is None or name not in Image.SAVE:
        raise GenzooError(f"--out {out}: not an image file name (use .png, .jpg, .bmp, .tif "
                          "or .webp)")
    return name


# ------------------------------------------------------------------ images in and out
def read_image(spec: str) -> np.ndarray:
    """``samples:NAME`` or an image file -> float32 ``[H, W, 3]`` in [0, 1] (grey images
    repeated over RGB, an alpha channel dropped, EXIF orientation applied)."""
    if spec.startswith(SAMPLES_PREFIX):
        return load_sample_image(spec[len(SAMPLES_PREFIX):])
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = pathlib.Path(spec).expanduser()
    if not path.is_file():
        raise DataError(f"no such image file: {path}" + (" (a directory)" if path.is_dir()
                                                         else ""))
    try:
        with Image.open(path) as picture:
            picture = ImageOps.exif_transpose(picture).convert("RGB")
            pixels = np.asarray(picture, np.float32) / 255.0
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DataError(f"cannot read image {path}: {reason}") from None
    return pixels


def check_side(image: np.ndarray, spec: str) -> None:
    height, width = image.shape[:2]
    if min(height, width) < MIN_SIDE:
        raise DataError(f"{spec} is {width}x{height}: genzoo stylize needs at least {MIN_SIDE} "
                        "pixels a side (--size enlarges it)")


def resize_shorter_side(image: np.ndarray, side: int) -> np.ndarray:
    """``image`` resized (antialiased bilinear) so that its shorter side is ``side``."""
    height, width = image.shape[:2]
    scale = side / min(height, width)
    if scale == 1.0:
        return image
    target = (max(1, round(height * scale)), max(1, round(width * scale)))
    return tf.image.resize(image, target, antialias=True).numpy().clip(0.0, 1.0)


def save_image(picture: np.ndarray, out) -> pathlib.Path:
    """Write ``picture`` (float in [0, 1], or uint8) in the format of ``out``'s extension,
    atomically (nothing at ``out`` if anything fails)."""
    from PIL import Image

    out = pathlib.Path(out)
    if picture.dtype != np.uint8:
        picture = (np.clip(picture, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    with runs.atomic_write(out, binary=True) as stream:
        Image.fromarray(picture, mode="RGB").save(stream, format=image_format(out))
    return out


# ------------------------------------------------------------------ colour
def match_color_statistics(style: np.ndarray, content: np.ndarray,
                           epsilon: float = 1e-8) -> np.ndarray:
    """Gatys, Bethge, Hertzmann & Shechtman 2016 (arXiv:1606.05897), section 2.1: the
    style's pixels ``p`` become ``A p + b`` with ``A = Sigma_c^(1/2) Sigma_s^(-1/2)`` and
    ``b = mu_c - A mu_s``, so that their RGB mean and covariance are the content's
    (the paper's "image analogies" variant of the transform). Not clipped to [0, 1]:
    clipping would undo the match; the networks take any values.

    ``epsilon`` (times the identity) keeps ``Sigma_s`` invertible for grey styles, whose
    covariance has rank one; only their luminance axis is then matched.
    """
    style_pixels = style.reshape(-1, 3).astype(np.float64)
    content_pixels = content.reshape(-1, 3).astype(np.float64)
    style_mean, content_mean = style_pixels.mean(axis=0), content_pixels.mean(axis=0)
    style_cov = np.cov(style_pixels, rowvar=False, bias=True) + epsilon * np.eye(3)
    content_cov = np.cov(content_pixels, rowvar=False, bias=True)
    transform = (np.real(scipy.linalg.sqrtm(content_cov))
                 @ np.linalg.inv(np.real(scipy.linalg.sqrtm(style_cov))))
    matched = (style_pixels - style_mean) @ transform.T + content_mean
    return matched.reshape(style.shape).astype(np.float32)


def luminance_images(content: np.ndarray, styles: list[np.ndarray]):
    """Luminance-only transfer, Gatys et al. 2016b (arXiv:1606.05897), section 2.2: the
    networks see only the luminance Y (of YIQ) of the content and of each style, the
    style's Y first given the content's mean and standard deviation (eq. 1 of that
    section). Grey ``[H, W, 3]`` images (Y repeated) for the content and the styles."""
    content_y = tf.image.rgb_to_yiq(content).numpy()[..., 0]
    mean, std = content_y.mean(), content_y.std()
    grey_styles = []
    for style in styles:
        style_y = tf.image.rgb_to_yiq(style).numpy()[..., 0]
        matched = (style_y - style_y.mean()) * (std / max(style_y.std(), 1e-6)) + mean
        grey_styles.append(np.repeat(matched[..., None], 3, axis=-1).astype(np.float32))
    return np.repeat(content_y[..., None], 3, axis=-1).astype(np.float32), grey_styles


def with_chroma_of(output: np.ndarray, content: np.ndarray) -> np.ndarray:
    """The luminance Y of ``output`` with the colour channels I and Q of ``content``
    (section 2.2's recombination), RGB, not clipped."""
    luminance = tf.image.rgb_to_yiq(output)[..., :1]
    chroma = tf.image.rgb_to_yiq(content)[..., 1:]
    return tf.image.yiq_to_rgb(tf.concat([luminance, chroma], axis=-1)).numpy()


# ------------------------------------------------------------------ the AdaIN network
def load_stylizer(path):
    """A trained ``adain-style`` model from a run directory, or an export's
    :class:`ExportedModel`; anything else is a one-line error."""
    path = pathlib.Path(path)
    if not path.exists():
        raise GenzooError(f"no such run or export: {path}")
    hint = "genzoo stylize needs an adain-style run or export (or --method gatys)"
    if runs.is_run_dir(path):
        name = runs.read_run_config(path).get("model")
        if not hasattr(registry.get(name).load_class(), "stylize"):
            raise GenzooError(f"{path} is a {name} run: {hint}")
        return runs.load_trained_model(path)[0]
    if "stylize" not in read_signatures(path):
        name = read_metadata(path).get("model", "model")
        raise GenzooError(f"{path} is a {name} export without a stylize signature: {hint}")
    return ExportedModel(path)


def pad_to_multiple(image: np.ndarray, multiple: int = SIDE_MULTIPLE):
    """``(padded, (top, left))``: ``image`` padded by reflection, split evenly between
    the two sides, up to the next multiple of ``multiple`` in both directions."""
    height, width = image.shape[:2]
    extra_h, extra_w = -height % multiple, -width % multiple
    top, left = extra_h // 2, extra_w // 2
    padded = np.pad(image, [(top, extra_h - top), (left, extra_w - left), (0, 0)],
                    mode="reflect")
    return padded, (top, left)


def crop_to_multiple(image: np.ndarray, multiple: int = SIDE_MULTIPLE) -> np.ndarray:
    """The centre of ``image`` with sides rounded down to multiples of ``multiple``."""
    height, width = image.shape[:2]
    new_h, new_w = height - height % multiple, width - width % multiple
    top, left = (height - new_h) // 2, (width - new_w) // 2
    return image[top:top + new_h, left:left + new_w]


def stylize_images(model, content: np.ndarray, styles: list[np.ndarray], weights: list[float],
                   alphas) -> list[np.ndarray]:
    """``model.stylize`` of ``content`` ``[H, W, 3]`` (any size) once per alpha: padded to
    multiples of 8 on the way in, cropped back to ``[H, W, 3]`` on the way out."""
    height, width = content.shape[:2]
    padded, (top, left) = pad_to_multiple(content)
    batch = padded[None].astype(np.float32)
    style_batches = [crop_to_multiple(style)[None].astype(np.float32) for style in styles]
    outputs = []
    for alpha in alphas:
        stylized = np.asarray(model.stylize(batch, style_batches, weights=weights,
                                            alpha=float(alpha)))[0]
        outputs.append(np.clip(stylized[top:top + height, left:left + width], 0.0, 1.0))
    return outputs


def alpha_grid_picture(content: np.ndarray, styles: list[np.ndarray],
                       outputs: list[np.ndarray]) -> np.ndarray:
    """One row: the content, each style (centre-cropped to the content's aspect ratio
    and resized to its size), then the outputs; uint8 ``[rows, columns, 3]``."""
    height, width = content.shape[:2]
    tiles = [content]
    for style in styles:
        style = np.clip(style, 0.0, 1.0)  # a colour-matched style may leave [0, 1]
        centre = tf.image.resize_with_crop_or_pad(style, *_fit(style, height / width))
        tiles.append(tf.image.resize(centre, (height, width), antialias=True).numpy())
    tiles.extend(outputs)
    return image_grid(np.stack(tiles), columns=len(tiles), padding=GRID_PADDING)


def _fit(image: np.ndarray, aspect: float) -> tuple[int, int]:
    """The largest ``(height, width)`` of aspect ratio ``aspect`` (height / width) inside
    ``image``."""
    height, width = image.shape[:2]
    if height / width > aspect:
        return max(1, round(width * aspect)), width
    return height, max(1, round(height / aspect))
