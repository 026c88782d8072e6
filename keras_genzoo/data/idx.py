"""A reader for IDX files, the format MNIST is distributed in.

Format (LeCun et al., http://yann.lecun.com/exdb/mnist/): a 4-byte magic
number ``0x00 0x00 <dtype code> <ndim>``, then ``ndim`` big-endian uint32
dimension sizes, then the values, big-endian, in C order. Files may be
gzip-compressed (detected from the content, not the name).

Every problem is a :class:`DataError` naming the file; nothing here imports
TensorFlow.
"""

import gzip
import os
import zlib

import numpy as np

from keras_genzoo.errors import DataError

# dtype code -> big-endian numpy dtype
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

_GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path):
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise DataError(f"cannot read IDX file: {path} ({e.strerror or e})") from None
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise DataError(f"corrupt gzip in IDX file: {path} ({e})") from None
    return raw


def read_idx(path):
    """Read one IDX file (raw or gzip) into a numpy array in native byte order."""
    path = os.fspath(path)
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise DataError(f"not an IDX file (shorter than its 4-byte header): {path}")
    zero0, zero1, code, ndim = raw[0], raw[1], raw[2], raw[3]
    if zero0 != 0 or zero1 != 0:
        raise DataError(
            f"not an IDX file (bad magic number 0x{raw[:4].hex()}): {path}"
        )
    if code not in IDX_DTYPES:
        raise DataError(f"IDX file has unknown data type code 0x{code:02x}: {path}")
    if ndim == 0:
        raise DataError(f"IDX file declares zero dimensions: {path}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"IDX file is truncated inside its header: {path}")
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_DTYPES[code]
    expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    actual = len(raw) - header
    if actual != expected:
        what = "truncated" if actual < expected else "longer than its header says"
        raise DataError(
            f"IDX file is {what}: {path} (dims {dims} need {expected} bytes of "
            f"data, found {actual})"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(dims)
    return data.astype(dtype.newbyteorder("="), copy=True)


def write_idx(path, array):
    """Write ``array`` as an IDX file (gzip when ``path`` ends in .gz).

    The inverse of :func:`read_idx`; used by tests and handy for users who
    want to turn their own arrays into an ``idx:`` dataset.
    """
    array = np.asarray(array)
    codes = {dt.newbyteorder("="): code for code, dt in IDX_DTYPES.items()}
    native = array.dtype.newbyteorder("=")
    if native not in codes:
        raise ValueError(f"IDX cannot store dtype {array.dtype}")
    if not 1 <= array.ndim <= 255:
        raise ValueError("IDX needs 1 to 255 dimensions")
    payload = (
        bytes([0, 0, codes[native], array.ndim])
        + np.asarray(array.shape, dtype=">u4").tobytes()
        + array.astype(IDX_DTYPES[codes[native]], copy=False).tobytes()
    )
    path = os.fspath(path)
    if path.endswith(".gz"):
        payload = gzip.compress(payload)
    with open(path, "wb") as f:
        f.write(payload)


def read_idx_images(path):
    """Read an IDX images file: uint8 (N, H, W) or (N, H, W, C), C in 1/3/4."""
    images = read_idx(path)
    if images.dtype != np.uint8:
        raise DataError(
            f"IDX images file must hold unsigned bytes (0..255), found {images.dtype}: {path}"
        )
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] not in (1, 3, 4)):
        raise DataError(
            f"IDX images file must have shape (N, H, W) or (N, H, W, C), "
            f"found {images.shape}: {path}"
        )
    if images.shape[0] == 0 or images.shape[1] == 0 or images.shape[2] == 0:
        raise DataError(f"IDX images file holds no pixels (shape {images.shape}): {path}")
    return images


def read_idx_labels(path, num_images=None):
    """Read an IDX labels file: integer (N,), N == num_images when given."""
    labels = read_idx(path)
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise DataError(
            f"IDX labels file must be a 1-D integer array, found {labels.dtype} "
            f"{labels.shape}: {path}"
        )
    if num_images is not None and labels.shape[0] != num_images:
        raise DataError(
            f"IDX labels file has {labels.shape[0]} labels for {num_images} images: {path}"
        )
    if labels.size and labels.min() < 0:
        raise DataError(f"IDX labels file has negative labels: {path}")
    return labels.astype(np.int32)
