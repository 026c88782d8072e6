"""``genzoo stylize``: an adain-style run trained for one step on the tiny config with
random VGG features (its decoder barely trained: the identities below hold for any
decoder), Gatys et al.'s optimisation, colour matching, padding, and every bad input."""

import numpy as np
import pytest
from PIL import Image

from keras_genzoo import runs
from keras_genzoo.commands.stylize import (crop_to_multiple, luminance_images,
                                           match_color_statistics, pad_to_multiple,
                                           with_chroma_of)
from zoo_cli.main import main

# a content image whose sides are not multiples of 8: padded 1 + 2 pixels on each axis
HEIGHT, WIDTH = 37, 45
PAD_TOP, PAD_BOTTOM, PAD_LEFT, PAD_RIGHT = 1, 2, 1, 2
PNG_STEP = 1.0 / 255  # PNG keeps 8 bits: outputs compared through files differ by this


def _save(pixels, path):
    Image.fromarray((np.clip(pixels, 0, 1) * 255 + 0.5).astype(np.uint8)).save(path)
    return path


def _read(path):
    return np.asarray(Image.open(path).convert("RGB"), np.float32) / 255.0


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    """A content image (37x45) and two style images (stripes, blobs), as PNG files."""
    root = tmp_path_factory.mktemp("stylize-images")
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    content = np.stack([x / WIDTH, y / HEIGHT, 0.5 + 0.4 * np.sin(x / 3.0)], -1)
    sy, sx = np.mgrid[0:40, 0:56]
    stripes = np.stack([0.5 + 0.5 * np.sin(sx), 0.2 + 0 * sx, 0.5 + 0.5 * np.cos(sy)], -1)
    blobs = np.stack([0.8 + 0 * sx, 0.5 + 0.4 * np.sin(sx / 4.0) * np.cos(sy / 5.0),
                      0.1 + 0 * sx], -1)
    return {"content": _save(content, root / "content.png"),
            "stripes": _save(stripes, root / "stripes.png"),
            "blobs": _save(blobs, root / "blobs.jpg")}


@pytest.fixture(scope="module")
def adain_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("adain") / "run"
    assert main(["train", "adain-style", "--steps", "1", "--batch-size", "2",
                 "--set", "image_size=16", "--set", "load_size=24", "--out", str(run)]) == 0
    return run


def _stylize(*args):
    return main(["stylize", *map(str, args)])


def test_output_has_the_content_size_for_any_content_size(adain_run, images, tmp_path, capsys):
    out = tmp_path / "out.png"
    assert _stylize(adain_run, "--content", images["content"], "--style", images["stripes"],
                    "--out", out) == 0
    assert Image.open(out).size == (WIDTH, HEIGHT)
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"genzoo: wrote {out} ({WIDTH}x{HEIGHT}, ") and line.endswith(" s)")
    # --size: the shorter side (37) becomes 24, the longer follows: 45 * 24 / 37 = 29.2
    small = tmp_path / "small.jpg"
    assert _stylize(adain_run, "--content", images["content"], "--style", images["blobs"],
                    "--size", 24, "--luminance-only", "--out", small) == 0
    assert Image.open(small).size == (29, 24) and Image.open(small).format == "JPEG"


def test_alpha_0_is_the_decoder_of_the_content_features(adain_run, images, tmp_path):
    out = tmp_path / "alpha0.png"
    assert _stylize(adain_run, "--content", images["content"], "--style", images["stripes"],
                    "--alpha", 0, "--out", out) == 0
    model, _ = runs.load_trained_model(adain_run)
    content = _read(images["content"])
    padded = np.pad(content, [(PAD_TOP, PAD_BOTTOM), (PAD_LEFT, PAD_RIGHT), (0, 0)],
                    mode="reflect")
    expected = model.decode(model.encode(padded[None]))[0]
    expected = expected[PAD_TOP:PAD_TOP + HEIGHT, PAD_LEFT:PAD_LEFT + WIDTH]
    np.testing.assert_allclose(_read(out), expected, atol=PNG_STEP)
    # and alpha 1 is a different picture (the style is applied)
    styled = tmp_path / "alpha1.png"
    assert _stylize(adain_run, "--content", images["content"], "--style", images["stripes"],
                    "--out", styled) == 0
    assert np.abs(_read(styled) - expected).max() > 10 * PNG_STEP


def test_weights_one_and_zero_give_the_single_style_output(adain_run, images, tmp_path):
    single, mixed, even = tmp_path / "single.png", tmp_path / "mixed.png", tmp_path / "even.png"
    common = ["--content", images["content"], "--alpha", 0.8]
    assert _stylize(adain_run, *common, "--style", images["stripes"], "--out", single) == 0
    assert _stylize(adain_run, *common, "--style", images["stripes"], "--style", images["blobs"],
                    "--weights", "1,0", "--out", mixed) == 0
    np.testing.assert_allclose(_read(mixed), _read(single), atol=PNG_STEP)
    # no --weights: equal weights, which is not the first style alone
    assert _stylize(adain_run, *common, "--style", images["stripes"], "--style", images["blobs"],
                    "--out", even) == 0
    assert np.abs(_read(even) - _read(single)).max() > 10 * PNG_STEP


def test_alpha_grid_is_one_row_content_styles_then_each_alpha(adain_run, images, tmp_path):
    grid, last = tmp_path / "grid.png", tmp_path / "last.png"
    assert _stylize(adain_run, "--content", images["content"], "--style", images["stripes"],
                    "--alpha-grid", "--preserve-color", "--out", grid) == 0
    assert _stylize(adain_run, "--content", images["content"], "--style", images["stripes"],
                    "--preserve-color", "--out", last) == 0
    picture, pad = _read(grid), 4
    tiles = 1 + 1 + 5  # content, style, alphas 0, .25, .5, .75, 1
    assert picture.shape == (HEIGHT + 2 * pad, tiles * (WIDTH + pad) + pad, 3)

    def tile(index):
        left = pad + index * (WIDTH + pad)
        return picture[pad:pad + HEIGHT, left:left + WIDTH]

    np.testing.assert_allclose(tile(0), _read(images["content"]), atol=PNG_STEP)
    np.testing.assert_allclose(tile(tiles - 1), _read(last), atol=PNG_STEP)
    explicit = tmp_path / "three.png"
    assert _stylize(adain_run, "--content", images["content"], "--style", images["stripes"],
                    "--alpha-grid", "0,0.5,1", "--out", explicit) == 0
    assert _read(explicit).shape[1] == 5 * (WIDTH + pad) + pad


def test_an_export_stylizes_like_its_run(adain_run, images, tmp_path):
    exports = tmp_path / "exports"
    assert main(["export", str(adain_run), "--to", str(exports), "--no-onnx"]) == 0
    common = ["--content", images["content"], "--style", images["stripes"], "--style",
              images["blobs"], "--weights", "0.6,0.4", "--alpha", 0.7]
    from_run, from_export = tmp_path / "run.png", tmp_path / "export.png"
    assert _stylize(adain_run, *common, "--out", from_run) == 0
    assert _stylize(exports / "adain-style", *common, "--out", from_export) == 0
    np.testing.assert_allclose(_read(from_export), _read(from_run), atol=2 * PNG_STEP)


def test_colour_matching_gives_the_style_the_contents_mean_and_covariance():
    rng = np.random.default_rng(0)
    content = rng.uniform(size=(20, 30, 3)) @ np.array([[0.6, 0.1, 0.0], [0.2, 0.5, 0.1],
                                                         [0.0, 0.3, 0.4]])
    style = rng.beta(2, 5, size=(25, 16, 3)) * np.array([1.0, 0.3, 0.7])
    matched = match_color_statistics(style.astype(np.float32), content.astype(np.float32))
    assert matched.shape == style.shape
    pixels, reference = matched.reshape(-1, 3), content.reshape(-1, 3)
    np.testing.assert_allclose(pixels.mean(0), reference.mean(0), atol=1e-5)
    # the covariance over the pixels (biased: the images have different pixel counts)
    np.testing.assert_allclose(np.cov(pixels, rowvar=False, bias=True),
                               np.cov(reference, rowvar=False, bias=True), atol=1e-6)
    # the map is affine: the style's own structure survives (a pixel ordering is kept)
    luminance = style.reshape(-1, 3).sum(1)
    assert np.corrcoef(luminance, pixels.sum(1))[0, 1] != pytest.approx(0.0, abs=0.05)


def test_a_grey_style_gets_the_contents_mean():
    rng = np.random.default_rng(1)
    content = rng.uniform(size=(10, 10, 3)).astype(np.float32)
    grey = np.repeat(rng.uniform(size=(12, 12, 1)), 3, axis=-1).astype(np.float32)
    matched = match_color_statistics(grey, content)
    assert np.all(np.isfinite(matched))
    np.testing.assert_allclose(matched.reshape(-1, 3).mean(0), content.reshape(-1, 3).mean(0),
                               atol=1e-4)


def _yiq(rgb):
    """YIQ by the NTSC matrix (written out here, independently of tf.image)."""
    matrix = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322],
                       [0.211, -0.523, 0.312]])
    return np.asarray(rgb, np.float64) @ matrix.T


def test_luminance_only_feeds_matched_luminance_and_keeps_the_contents_colours():
    rng = np.random.default_rng(2)
    content = rng.uniform(0.2, 0.8, size=(12, 14, 3)).astype(np.float32)
    style = rng.beta(2, 6, size=(9, 11, 3)).astype(np.float32)
    grey_content, (grey_style,) = luminance_images(content, [style])
    for grey in (grey_content, grey_style):  # grey: the three channels are equal
        np.testing.assert_allclose(grey, np.repeat(grey[..., :1], 3, axis=-1))
    content_y = _yiq(content)[..., 0]
    np.testing.assert_allclose(grey_content[..., 0], content_y, atol=1e-3)
    # section 2.2: the style's luminance gets the content's mean and standard deviation
    assert grey_style[..., 0].mean() == pytest.approx(content_y.mean(), abs=1e-3)
    assert grey_style[..., 0].std() == pytest.approx(content_y.std(), abs=1e-3)
    output = rng.uniform(size=content.shape).astype(np.float32)
    combined = _yiq(with_chroma_of(output, content))
    np.testing.assert_allclose(combined[..., 0], _yiq(output)[..., 0], atol=1e-3)
    np.testing.assert_allclose(combined[..., 1:], _yiq(content)[..., 1:], atol=1e-3)


def test_padding_is_reflection_to_multiples_of_8_and_cropping_takes_the_centre():
    image = np.arange(HEIGHT * WIDTH * 3, dtype=np.float32).reshape(HEIGHT, WIDTH, 3)
    padded, (top, left) = pad_to_multiple(image)
    assert padded.shape == (40, 48, 3) and (top, left) == (PAD_TOP, PAD_LEFT)
    np.testing.assert_array_equal(padded, np.pad(
        image, [(PAD_TOP, PAD_BOTTOM), (PAD_LEFT, PAD_RIGHT), (0, 0)], mode="reflect"))
    np.testing.assert_array_equal(padded[top:top + HEIGHT, left:left + WIDTH], image)
    np.testing.assert_array_equal(crop_to_multiple(image), image[2:34, 2:42])


def test_gatys_writes_the_content_size_and_reports_its_losses(images, tmp_path, capsys):
    out = tmp_path / "gatys.png"
    assert _stylize("--method", "gatys", "--content", images["content"], "--style",
                    images["blobs"], "--steps", 3, "--set", "vgg_weights=random",
                    "--preserve-color", "--out", out) == 0
    assert Image.open(out).size == (WIDTH, HEIGHT)
    line = capsys.readouterr().out
    assert "3 lbfgs steps, loss" in line and "content" in line and "tv" in line
    first, last = (float(value) for value in line.split("loss ")[1].split(" (")[0].split(" -> "))
    assert last < first


@pytest.fixture
def corrupt(tmp_path):
    path = tmp_path / "corrupt.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really a picture" * 10)
    return path


BAD = [
    (["--content", "{missing}", "--style", "{stripes}"], "no such image file"),
    (["--content", "{corrupt}", "--style", "{stripes}"], "cannot read image"),
    (["--content", "{content}", "--style", "{corrupt}"], "cannot read image"),
    (["--content", "samples:nonesuch", "--style", "{stripes}"], "unknown bundled image"),
    (["--content", "{content}", "--style", "{stripes}", "--alpha", "1.5"],
     "alpha must be in [0, 1]"),
    (["--content", "{content}", "--style", "{stripes}", "--alpha-grid", "0,-0.5"],
     "alpha must be in [0, 1]"),
    (["--content", "{content}", "--style", "{stripes}", "--style", "{blobs}", "--weights",
      "0.7,0.2"], "must sum to 1"),
    (["--content", "{content}", "--style", "{stripes}", "--style", "{blobs}", "--weights",
      "1"], "1 values for 2 --style"),
    (["--content", "{content}", "--style", "{stripes}", "--style", "{blobs}", "--weights",
      "1.5,-0.5"], ">= 0"),
    (["--content", "{content}", "--style", "{stripes}", "--weights", "x"],
     "comma-separated numbers"),
    (["--content", "{content}", "--style", "{stripes}", "--alpha", "0.5", "--alpha-grid"],
     "pick one"),
    (["--content", "{content}", "--style", "{stripes}", "--steps", "3"],
     "--steps apply to --method gatys"),
    (["--content", "{content}", "--style", "{stripes}", "--size", "8"], "at least 16"),
    (["--content", "{content}", "--style", "{stripes}", "--preserve-color",
      "--luminance-only"], "pick one"),
]


def _fill(args, images, corrupt, tmp_path):
    names = {**{key: str(value) for key, value in images.items()}, "corrupt": str(corrupt),
             "missing": str(tmp_path / "missing.png")}
    return [arg.format(**names) for arg in args]


def _assert_one_line_and_nothing_written(code, capsys, out):
    """Exit 2, one line on stderr, and nothing in ``out``'s folder (no temporary file)."""
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("genzoo: error: ") and "\n" not in err, err
    assert not out.parent.exists() or not list(out.parent.iterdir())
    return err


@pytest.mark.parametrize("args, message", BAD)
def test_bad_input_is_one_line_exit_2_and_no_file(adain_run, images, corrupt, tmp_path,
                                                  capsys, args, message):
    out = tmp_path / "outputs" / "out.png"
    code = _stylize(adain_run, *_fill(args, images, corrupt, tmp_path), "--out", out)
    assert message in _assert_one_line_and_nothing_written(code, capsys, out)


@pytest.mark.parametrize("out, message", [
    ("out.txt", "not an image file name"),
    ("blocker/out.png", "cannot create"),
    ("folder.png", "is a directory"),
])
def test_bad_out_is_one_line_exit_2(adain_run, images, tmp_path, capsys, out, message):
    (tmp_path / "blocker").write_text("a file where a folder should be")
    (tmp_path / "folder.png").mkdir()
    code = _stylize(adain_run, "--content", images["content"], "--style", images["stripes"],
                    "--out", tmp_path / out)
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("genzoo: error: ") and "\n" not in err
    assert message in err
    assert sorted(path.name for path in tmp_path.iterdir()) == ["blocker", "folder.png"]


def test_run_that_is_not_adain_style_is_one_line(images, tmp_path, capsys, request):
    dcgan = request.path.parents[1] / "fixtures" / "pre_move_runs" / "dcgan"
    empty, out = tmp_path / "empty", tmp_path / "outputs" / "out.png"
    empty.mkdir()
    for path, message in ((dcgan, "is a dcgan run"), (tmp_path / "nowhere", "no such run"),
                          (empty, "not a SavedModel")):
        code = _stylize(path, "--content", images["content"], "--style", images["stripes"],
                        "--out", out)
        assert message in _assert_one_line_and_nothing_written(code, capsys, out)


@pytest.mark.parametrize("args, message", [
    (["--method", "gatys", "RUN"], "give no RUN_OR_EXPORT"),
    (["--method", "gatys", "--alpha", "0.5"], "--alpha apply to --method adain"),
    (["--method", "gatys", "--style", "{blobs}"], "takes one --style image"),
    ([], "needs RUN_OR_EXPORT"),
    (["--method", "gatys", "--set", "optimizer=sgd"], "optimizer must be one of"),
    (["--method", "gatys", "--set", "vgg_weights={missing}"], "no such file"),
])
def test_method_mismatches_are_one_line(images, corrupt, tmp_path, capsys, args, message):
    args, out = _fill(args, images, corrupt, tmp_path), tmp_path / "outputs" / "out.png"
    code = _stylize(*[str(tmp_path) if arg == "RUN" else arg for arg in args], "--content",
                    images["content"], "--style", images["stripes"], "--out", out)
    assert message in _assert_one_line_and_nothing_written(code, capsys, out)
