"""Dataset sources: digits, IDX, folders of images, tfds (mocked), spec checks.

Every fixture is made here (tmp_path, scikit-learn's embedded digits, tfds'
mock_data): nothing needs the network or ../shared.
"""

import gzip
import os
import struct
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from keras_genzoo.data import catalog, open_source
from keras_genzoo.data import idx as idx_lib
from keras_genzoo.errors import DataError, GenzooError

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _all_batches(dataset):
    images, labels = [], []
    for x, y in dataset:
        images.append(x.numpy())
        labels.append(y.numpy())
    return np.concatenate(images), np.concatenate(labels)


# ---------------------------------------------------------------------------
# digits


@pytest.fixture(scope="module")
def digits_train():
    return open_source("digits", image_size=8, channels=1)


def test_digits_split_sizes_and_metadata(digits_train):
    assert digits_train.num_examples == 1617
    assert digits_train.num_classes == 10
    assert digits_train.split == "train"
    assert digits_train.name == "digits"
    test = open_source("digits", image_size=8, channels=1, split="test")
    assert test.num_examples == 180
    assert open_source("digits", image_size=8, channels=1, split="validation").num_examples == 180
    assert open_source("digits", image_size=8, channels=1, split="all").num_examples == 1797
    with pytest.raises(DataError, match="digits has splits"):
        open_source("digits", image_size=8, channels=1, split="bogus")


def test_digits_elements_are_the_sklearn_pixels_over_16(digits_train):
    from sklearn.datasets import load_digits

    digits = load_digits()
    order = np.random.default_rng(0).permutation(1797)
    expected_images = digits.images[order[:1617]][..., None] / 16.0
    expected_labels = digits.target[order[:1617]]

    images, labels = _all_batches(digits_train.elements().batch(500))
    assert images.dtype == np.float32 and labels.dtype == np.int32
    assert images.shape == (1617, 8, 8, 1)
    np.testing.assert_allclose(images, expected_images, atol=1e-6)
    np.testing.assert_array_equal(labels, expected_labels)
    assert set(np.unique(labels)) == set(range(10))

    # train and test do not overlap and together make the whole set
    test_images, _ = _all_batches(
        open_source("digits", image_size=8, channels=1, split="test").elements().batch(500)
    )
    np.testing.assert_allclose(test_images, digits.images[order[1617:]][..., None] / 16.0,
                               atol=1e-6)


def test_digits_resized_to_rgb_32():
    source = open_source("digits", image_size=32, channels=3)
    images, labels = next(iter(source.batches(64, seed=0)))
    assert images.shape == (64, 32, 32, 3) and images.dtype.name == "float32"
    assert labels.shape == (64,) and labels.dtype.name == "int32"
    x = images.numpy()
    assert x.min() >= 0.0 and x.max() <= 1.0 and x.max() > 0.5
    # gray repeated into three equal channels
    np.testing.assert_array_equal(x[..., 0], x[..., 1])
    np.testing.assert_array_equal(x[..., 0], x[..., 2])
    # take_images keeps elements() order (no shuffling)
    first = source.take_images(5)
    assert first.shape == (5, 32, 32, 3) and first.dtype == np.float32
    element_images, _ = next(iter(source.elements().batch(5)))
    np.testing.assert_array_equal(first, element_images.numpy())


def test_batches_are_reproducible_per_seed_and_epoch(digits_train):
    def epoch_labels(source, **kw):
        return _all_batches(source.batches(32, **kw))[1]

    a = epoch_labels(digits_train, seed=7, epoch=3)
    b = epoch_labels(digits_train, seed=7, epoch=3)
    np.testing.assert_array_equal(a, b)
    # a fresh source object (a resumed run) replays the same order
    fresh = open_source("digits", image_size=8, channels=1)
    np.testing.assert_array_equal(a, epoch_labels(fresh, seed=7, epoch=3))
    images_a, _ = next(iter(digits_train.batches(32, seed=7, epoch=3)))
    images_b, _ = next(iter(fresh.batches(32, seed=7, epoch=3)))
    np.testing.assert_array_equal(images_a.numpy(), images_b.numpy())

    # other epochs and other seeds give other orders
    assert not np.array_equal(a, epoch_labels(digits_train, seed=7, epoch=4))
    assert not np.array_equal(a, epoch_labels(digits_train, seed=8, epoch=3))
    # iterating the same dataset twice does not reshuffle
    ds = digits_train.batches(32, seed=7, epoch=3)
    np.testing.assert_array_equal(_all_batches(ds)[1], _all_batches(ds)[1])
    # a shuffle is a permutation: drop_remainder=False keeps every example
    everything = epoch_labels(digits_train, seed=7, epoch=3, drop_remainder=False)
    np.testing.assert_array_equal(np.sort(everything), np.sort(epoch_labels(
        digits_train, shuffle=False, drop_remainder=False)))
    assert not np.array_equal(everything, epoch_labels(
        digits_train, shuffle=False, drop_remainder=False))


def test_steps_per_epoch_and_batch_size_checks(digits_train):
    assert digits_train.steps_per_epoch(100) == 16
    assert len(list(digits_train.batches(100))) == 16  # remainder dropped
    assert digits_train.steps_per_epoch(1617) == 1
    with pytest.raises(DataError, match=r"batch size 2048 is larger than the dataset "
                                        r"\(digits, train: 1617 images\)"):
        digits_train.steps_per_epoch(2048)
    with pytest.raises(DataError, match="larger than the dataset"):
        digits_train.batches(2048)
    with pytest.raises(DataError, match="positive integer"):
        digits_train.steps_per_epoch(0)


def test_elements_are_built_once_and_cached(digits_train):
    import tensorflow as tf

    from keras_genzoo.data.sources import ImageSource

    assert digits_train.elements() is digits_train.elements()

    decoded = []

    def count(image):
        decoded.append(1)
        return image

    def raw_dataset():
        images = np.zeros((10, 6, 6, 1), np.float32)
        ds = tf.data.Dataset.from_tensor_slices((images, np.arange(10, dtype=np.int32)))
        return ds.map(lambda x, y: (tf.numpy_function(count, [x], tf.float32), y))

    source = ImageSource(spec="counted", name="counted", split="train", num_examples=10,
                         num_classes=None, image_size=6, channels=1,
                         raw_dataset_fn=raw_dataset)
    for epoch in range(3):  # every epoch's pipeline reads the one cache
        assert len(list(source.batches(5, epoch=epoch))) == 2
    assert len(decoded) == 10


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(image_size=2, channels=1), "image size must be an integer >= 4"),
        (dict(image_size=8, channels=2), "channels must be 1"),
        (dict(image_size=8, channels=4), "channels must be 1"),
    ],
)
def test_bad_image_size_or_channels(kwargs, message):
    with pytest.raises(DataError, match=message):
        open_source("digits", **kwargs)


# ---------------------------------------------------------------------------
# IDX


def _idx_bytes(array):
    """IDX bytes written by hand (independent of keras_genzoo.data.idx)."""
    code = {np.uint8: 0x08, np.int32: 0x0C}[array.dtype.type]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def _write(path, payload, compress=False):
    path.write_bytes(gzip.compress(payload) if compress else payload)
    return path


@pytest.fixture
def idx_arrays():
    rng = np.random.default_rng(1)
    train = rng.integers(0, 256, size=(6, 5, 5), dtype=np.uint8)
    test = rng.integers(0, 256, size=(4, 5, 5), dtype=np.uint8)
    return train, np.arange(6, dtype=np.uint8) % 3, test, np.array([2, 0, 1, 2], np.uint8)


@pytest.mark.parametrize("compress", [False, True])
def test_idx_folder_reads_pixels_exactly(tmp_path, idx_arrays, compress):
    train, train_labels, test, test_labels = idx_arrays
    gz = ".gz" if compress else ""
    _write(tmp_path / f"train-images-idx3-ubyte{gz}", _idx_bytes(train), compress)
    _write(tmp_path / f"train-labels-idx1-ubyte{gz}", _idx_bytes(train_labels), compress)
    _write(tmp_path / f"t10k-images-idx3-ubyte{gz}", _idx_bytes(test), compress)
    _write(tmp_path / f"t10k-labels-idx1-ubyte{gz}", _idx_bytes(test_labels), compress)

    for split, images, labels in [("train", train, train_labels), ("test", test, test_labels)]:
        source = open_source(f"idx:{tmp_path}", image_size=5, channels=1, split=split)
        assert source.num_examples == len(images)
        assert source.num_classes == 3
        got_images, got_labels = _all_batches(source.elements().batch(10))
        np.testing.assert_allclose(got_images, images[..., None] / 255.0, atol=1e-7)
        np.testing.assert_array_equal(got_labels, labels)


def test_idx_single_file_without_labels(tmp_path, idx_arrays):
    train = idx_arrays[0]
    path = _write(tmp_path / "my-images-idx3-ubyte", _idx_bytes(train))
    source = open_source(f"idx:{path}", image_size=10, channels=3)
    assert source.num_examples == 6 and source.num_classes is None
    images, labels = _all_batches(source.elements().batch(10))
    assert images.shape == (6, 10, 10, 3)
    np.testing.assert_array_equal(labels, np.zeros(6))
    # a folder holding one images file uses it for any split
    source = open_source(f"idx:{tmp_path}", image_size=5, channels=1, split="test")
    np.testing.assert_allclose(source.take_images(6), train[..., None] / 255.0, atol=1e-7)


def test_idx_file_with_labels_found_beside_it(tmp_path, idx_arrays):
    train, train_labels = idx_arrays[:2]
    path = _write(tmp_path / "train-images-idx3-ubyte.gz", _idx_bytes(train), compress=True)
    _write(tmp_path / "train-labels-idx1-ubyte", _idx_bytes(train_labels))
    source = open_source(f"idx:{path}", image_size=5, channels=1)
    np.testing.assert_array_equal(_all_batches(source.elements().batch(10))[1], train_labels)


def test_idx_corrupt_magic_truncated_and_mismatched_labels(tmp_path, idx_arrays):
    train, train_labels = idx_arrays[:2]
    good = _idx_bytes(train)

    bad_magic = _write(tmp_path / "a-images-idx3-ubyte", b"\x01\x02" + good[2:])
    with pytest.raises(DataError, match="magic") as info:
        open_source(f"idx:{bad_magic}", image_size=5, channels=1)
    assert str(bad_magic) in str(info.value)

    truncated = _write(tmp_path / "b-images-idx3-ubyte.gz", good[:-1], compress=True)
    with pytest.raises(DataError, match="truncated") as info:
        open_source(f"idx:{truncated}", image_size=5, channels=1)
    assert str(truncated) in str(info.value)

    bad_code = _write(tmp_path / "c-images-idx3-ubyte", good[:2] + b"\x07" + good[3:])
    with pytest.raises(DataError, match="data type code 0x07") as info:
        idx_lib.read_idx(bad_code)
    assert str(bad_code) in str(info.value)

    bad_gzip = _write(tmp_path / "d-images-idx3-ubyte.gz", gzip.compress(good)[:-12])
    with pytest.raises(DataError, match=str(bad_gzip)):
        idx_lib.read_idx(bad_gzip)

    images = _write(tmp_path / "e-images-idx3-ubyte", good)
    labels = _write(tmp_path / "e-labels-idx1-ubyte", _idx_bytes(train_labels[:-1]))
    with pytest.raises(DataError, match="5 labels for 6 images") as info:
        open_source(f"idx:{images}", image_size=5, channels=1)
    assert str(labels) in str(info.value)


def test_idx_write_read_round_trip(tmp_path):
    for dtype in (np.uint8, np.int32, np.float32, np.float64, np.int16):
        array = (np.arange(24).reshape(2, 3, 4) * 3 - 5).astype(dtype)
        if dtype == np.uint8:
            array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
        idx_lib.write_idx(tmp_path / "x.gz", array)
        got = idx_lib.read_idx(tmp_path / "x.gz")
        assert got.dtype == array.dtype
        np.testing.assert_array_equal(got, array)


def test_downscaling_is_antialiased(tmp_path):
    # One bright pixel between the sample points of a plain bilinear 16 -> 4
    # resize: without antialiasing it vanishes, with it its mass is kept.
    image = np.zeros((1, 16, 16), np.uint8)
    image[0, 8, 8] = 255  # plain bilinear samples at 1.5, 5.5, 9.5, 13.5
    path = _write(tmp_path / "dot-images-idx3-ubyte", _idx_bytes(image))
    small = open_source(f"idx:{path}", image_size=4, channels=1).take_images(1)
    assert small[0, 2, 2, 0] > 0.02
    np.testing.assert_allclose(small.mean(), image.mean() / 255.0, rtol=0.05)


def test_idx_folder_without_images_file(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(DataError, match="no IDX images file in folder"):
        open_source(f"idx:{tmp_path}", image_size=8, channels=1)


# ---------------------------------------------------------------------------
# folder


def _png(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)
    return path


def test_flat_folder_of_grayscale_pngs(tmp_path):
    values = [0, 40, 128, 200, 255]
    for i, v in enumerate(values):
        _png(tmp_path / f"img{i}.png", np.full((10, 10), v, np.uint8))
    (tmp_path / "readme.txt").write_text("not an image")
    source = open_source(f"folder:{tmp_path}", image_size=10, channels=1)
    assert source.num_examples == 5 and source.num_classes is None
    images, labels = _all_batches(source.elements().batch(8))
    assert images.shape == (5, 10, 10, 1) and images.dtype == np.float32
    np.testing.assert_allclose(images[:, 0, 0, 0], np.array(values) / 255.0, atol=1e-7)
    np.testing.assert_array_equal(labels, np.zeros(5))
    # and as RGB, resized: constant images stay constant
    rgb = open_source(f"folder:{tmp_path}", image_size=16, channels=3).take_images(5)
    assert rgb.shape == (5, 16, 16, 3)
    np.testing.assert_allclose(rgb[:, 7, 9, 2], np.array(values) / 255.0, atol=1e-6)


def test_folder_class_subfolders_give_labels(tmp_path):
    for cls, count, color in [("cat", 2, (255, 0, 0)), ("dog", 3, (0, 0, 255))]:
        for i in range(count):
            _png(tmp_path / cls / f"{i}.png", np.full((8, 8, 3), color, np.uint8))
    source = open_source(f"folder:{tmp_path}", image_size=8, channels=3)
    assert source.num_examples == 5 and source.num_classes == 2
    images, labels = _all_batches(source.elements().batch(8))
    np.testing.assert_array_equal(labels, [0, 0, 1, 1, 1])
    np.testing.assert_allclose(images[0, 0, 0], [1, 0, 0])
    np.testing.assert_allclose(images[4, 0, 0], [0, 0, 1])
    # RGB -> gray uses the luma weights of tf.image.rgb_to_grayscale
    gray = open_source(f"folder:{tmp_path}", image_size=8, channels=1).take_images(5)
    np.testing.assert_allclose(gray[0, 0, 0, 0], 0.2989, atol=1e-3)
    np.testing.assert_allclose(gray[4, 0, 0, 0], 0.1140, atol=1e-3)


def test_folder_non_square_images_are_center_cropped(tmp_path):
    image = np.full((6, 10), 100, np.uint8)
    image[:, :2] = 255
    image[:, -2:] = 255
    _png(tmp_path / "wide.png", image)
    got = open_source(f"folder:{tmp_path}", image_size=6, channels=1).take_images(1)
    np.testing.assert_allclose(got, np.full((1, 6, 6, 1), 100 / 255.0), atol=1e-6)


def test_folder_errors_name_the_problem(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match=f"no images found in folder: {empty}"):
        open_source(f"folder:{empty}", image_size=8, channels=1)

    missing = tmp_path / "nope"
    with pytest.raises(DataError, match=f"dataset path does not exist: {missing}"):
        open_source(f"folder:{missing}", image_size=8, channels=1)

    broken = tmp_path / "broken"
    _png(broken / "good.png", np.zeros((8, 8), np.uint8))
    bad = broken / "bad.png"
    bad.write_bytes(np.random.default_rng(0).integers(0, 256, 300, dtype=np.uint8).tobytes())
    with pytest.raises(DataError) as info:
        open_source(f"folder:{broken}", image_size=8, channels=1)
    assert str(info.value) == f"corrupt image file: {bad} (cannot be decoded)"

    # A JPEG cut short passes PIL's verify() but would fail inside tf.data.
    truncated = tmp_path / "truncated"
    jpeg = truncated / "photo.jpg"
    truncated.mkdir()
    noise = np.random.default_rng(1).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    Image.fromarray(noise).save(jpeg)
    jpeg.write_bytes(jpeg.read_bytes()[:-400])
    with pytest.raises(DataError, match=f"corrupt image file: {jpeg}"):
        open_source(f"folder:{truncated}", image_size=8, channels=3)

    with pytest.raises(DataError, match="one split"):
        open_source(f"folder:{tmp_path / 'broken'}", image_size=8, channels=1, split="test")


# ---------------------------------------------------------------------------
# tensorflow-datasets (mocked: no network, no prepared data)


@pytest.mark.parametrize("spec, name", [("mnist", "mnist"), ("tfds:mnist", "mnist"),
                                        ("fashion-mnist", "fashion_mnist")])
def test_tfds_through_mock_data(spec, name):
    import tensorflow_datasets as tfds
    with tfds.testing.mock_data(num_examples=12):
        source = open_source(spec, image_size=32, channels=3)
        assert source.name == name
        assert source.num_examples == 12 and source.num_classes == 10
        images, labels = _all_batches(source.batches(4, seed=1))
    assert images.shape == (12, 32, 32, 3) and images.dtype == np.float32
    assert images.min() >= 0.0 and images.max() <= 1.0 and images.max() > 0.5
    assert labels.dtype == np.int32 and labels.min() >= 0 and labels.max() < 10


def test_tfds_unknown_name():
    with pytest.raises(DataError, match="unknown tfds dataset 'surely_not_a_dataset'"):
        open_source("tfds:surely_not_a_dataset", image_size=8, channels=1)
    with pytest.raises(DataError, match="cannot open tfds dataset 'mnist/no_such_config'"):
        open_source("tfds:mnist/no_such_config", image_size=8, channels=1)


def test_tfds_offline_fails_fast_with_one_line(tmp_path, monkeypatch):
    import tensorflow_datasets as tfds
    from keras_genzoo.data import sources

    calls = []

    def failing_download(self, *args, **kwargs):
        calls.append(self.name)
        raise ConnectionError("Failed to resolve host\nsecond line")

    monkeypatch.setattr(tfds.core.DatasetBuilder, "download_and_prepare", failing_download)

    # No network: the download (minutes of retries in tfds) is not even tried.
    monkeypatch.setattr(sources, "network_reachable", lambda hosts, timeout=3.0: False)
    with pytest.raises(DataError) as info:
        open_source("mnist", image_size=8, channels=1, data_dir=str(tmp_path))
    message = str(info.value)
    assert "\n" not in message and calls == []
    assert f"tfds dataset 'mnist' is not prepared in {tmp_path}" in message
    assert "download_and_prepare()" in message and "cannot reach" in message

    # Network seemingly up, but the download fails anyway.
    monkeypatch.setattr(sources, "network_reachable", lambda hosts, timeout=3.0: True)
    with pytest.raises(DataError) as info:
        open_source("mnist", image_size=8, channels=1, data_dir=str(tmp_path))
    message = str(info.value)
    assert "\n" not in message and calls == ["mnist"]
    assert "could not be downloaded" in message and "Failed to resolve host" in message


def test_network_probe_gives_up_quickly():
    import socket
    import time

    from keras_genzoo.data import pipeline

    # A loopback port nobody listens on (tests never send traffic off this machine).
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        closed_port = listener.getsockname()[1]
    start = time.monotonic()
    assert not pipeline.network_reachable([("127.0.0.1", closed_port)], timeout=0.5)
    assert time.monotonic() - start < 3.0
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        assert pipeline.network_reachable([("127.0.0.1", listener.getsockname()[1])], timeout=0.5)


def test_tfds_prepared_dataset_is_read_without_download(tmp_path, monkeypatch):
    import tensorflow_datasets as tfds
    builder = tfds.testing.DummyMnist(data_dir=str(tmp_path))
    builder.download_and_prepare()  # generated locally, no network

    def no_download(self, *args, **kwargs):
        raise AssertionError("a prepared dataset must not be downloaded")

    monkeypatch.setattr(tfds.core.DatasetBuilder, "download_and_prepare", no_download)
    source = open_source("tfds:dummy_mnist", image_size=28, channels=1, data_dir=str(tmp_path))
    assert source.num_examples == 20 and source.num_classes == 10
    images, labels = _all_batches(source.elements().batch(32))
    assert images.shape == (20, 28, 28, 1) and labels.shape == (20,)
    part = open_source("tfds:dummy_mnist", image_size=28, channels=1, data_dir=str(tmp_path),
                       split="train[:5]")
    assert part.num_examples == 5
    with pytest.raises(DataError, match="cannot read split 'nope'.*splits: test, train"):
        open_source("tfds:dummy_mnist", image_size=28, channels=1, data_dir=str(tmp_path),
                    split="nope")


# ---------------------------------------------------------------------------
# specs


@pytest.mark.parametrize("spec", ["foo", "tfds:", "folder:", "mnist2", "csv:/x"])
def test_unknown_or_incomplete_specs(spec):
    with pytest.raises(DataError):
        catalog.check_spec(spec)
    with pytest.raises(DataError):
        open_source(spec, image_size=8, channels=1)


def test_spec_parsing():
    assert catalog.parse_spec("digits") == ("digits", "")
    assert catalog.parse_spec("CelebA") == ("tfds", "celeb_a")
    assert catalog.parse_spec("tfds:cifar10") == ("tfds", "cifar10")
    assert catalog.parse_spec("tfds:celeb_a/align") == ("tfds", "celeb_a/align")
    assert catalog.parse_spec("folder:~/pics") == ("folder", os.path.expanduser("~/pics"))
    with pytest.raises(DataError, match=r"unknown dataset source 'foo': expected digits"):
        catalog.parse_spec("foo")
    assert issubclass(DataError, GenzooError)
    listed = [spec for spec, _ in catalog.DATASET_SOURCES]
    assert "digits" in listed and all(name in listed for name in ("mnist", "cifar10"))


def test_catalog_and_check_spec_do_not_import_tensorflow(tmp_path):
    code = (
        "import sys\n"
        "from keras_genzoo.data import catalog, open_source, check_spec\n"
        "catalog.check_spec('digits'); check_spec('mnist')\n"
        f"check_spec('folder:{tmp_path}')\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


# ------------------------------------------------ memory or disk cache
def test_cache_goes_to_disk_when_the_split_would_not_fit_in_memory(tmp_path, monkeypatch):
    """Same batches either way; a disk cache lives in its own folder under
    $GENZOO_CACHE/tfdata and is deleted with the source."""
    import gc

    from keras_genzoo.data import sources

    monkeypatch.setenv("GENZOO_CACHE", str(tmp_path))
    in_memory = open_source("digits", image_size=8, channels=1)
    assert in_memory.cache_location == "memory"
    expected = [b[0].numpy() for b in in_memory.batches(64, epoch=1, seed=2)]

    # digits at 8x8: 1617 x (64 + 1) x 4 bytes = 420 KB; allow 0.5 MB -> 0.25 MB usable
    monkeypatch.setenv("GENZOO_MEMORY_CACHE_MB", "0.5")
    assert in_memory.decoded_bytes == 1617 * 65 * 4
    on_disk = open_source("digits", image_size=8, channels=1)
    assert on_disk.cache_location == "disk"
    for _ in range(2):  # the first pass writes the cache, the second reads it
        got = [b[0].numpy() for b in on_disk.batches(64, epoch=1, seed=2)]
        assert len(got) == len(expected)
        for a, b in zip(got, expected):
            np.testing.assert_array_equal(a, b)
    folder = on_disk.cache_folder
    assert folder.parent == tmp_path / "tfdata" and any(folder.iterdir())
    del on_disk, got
    gc.collect()
    assert not folder.exists()

    monkeypatch.setenv("GENZOO_MEMORY_CACHE_MB", "1")  # 0.5 MB usable: fits again
    assert sources.cache_plan(1617 * 65 * 4) == "memory"
    monkeypatch.setenv("GENZOO_MEMORY_CACHE_MB", "lots")
    with pytest.raises(DataError, match="GENZOO_MEMORY_CACHE_MB must be a number"):
        sources.cache_plan(1)


# ---------------------------------------------------------------------------
# samples: the photographs and textures installed with scikit-learn / scikit-image


def test_samples_sets_are_the_installed_files_preprocessed():
    import skimage.data
    from sklearn.datasets import load_sample_image as sklearn_image

    from keras_genzoo.data import samples

    china = samples.load_sample_image("china")
    np.testing.assert_array_equal(china, sklearn_image("china.jpg").astype(np.float32) / 255.0)
    brick = samples.load_sample_image("brick")  # a gray texture, repeated over RGB
    assert brick.shape == (512, 512, 3)
    np.testing.assert_array_equal(brick[..., 0], skimage.data.brick() / np.float32(255.0))
    np.testing.assert_array_equal(brick[..., 0], brick[..., 2])

    source = open_source("samples:content", image_size=32, channels=3)
    assert source.num_examples == len(samples.SAMPLE_SETS["content"]) and source.num_classes is None
    images = source.take_images(10)
    assert images.shape == (5, 32, 32, 3) and 0.0 <= images.min() and images.max() <= 1.0
    # the first image is the astronaut: square, so only resized (antialiased) to 32x32
    import tensorflow as tf

    astronaut = tf.image.resize(samples.load_sample_image("astronaut"), [32, 32],
                                antialias=True).numpy()
    np.testing.assert_allclose(images[0], np.clip(astronaut, 0, 1), atol=1e-5)
    one = open_source("samples:gravel", image_size=16, channels=1)
    assert one.num_examples == 1 and one.take_images(1).shape == (1, 16, 16, 1)


@pytest.mark.parametrize("spec, split, message", [
    ("samples:nope", "train", "unknown bundled image 'nope'"),
    ("samples:content", "test", "samples: sources have one split"),
])
def test_samples_errors_are_one_line(spec, split, message):
    with pytest.raises(DataError, match=message) as caught:
        open_source(spec, image_size=16, channels=3, split=split)
    assert "\n" not in str(caught.value)


def test_a_sample_set_is_not_one_image():
    from keras_genzoo.data import samples

    with pytest.raises(DataError, match="is a set of images"):
        samples.load_sample_image("styles")
