"""IDX files: the format of MNIST and Fashion-MNIST, plain or gzip-compressed.

An IDX file is a big-endian header followed by the raw array::

    bytes 0-1   0x00 0x00
    byte  2     dtype code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                0x0D float32, 0x0E float64)
    byte  3     number of dimensions d (>= 1)
    4*d bytes   each dimension as a big-endian uint32
    the rest    prod(dims) items of that dtype, big-endian, C order

Gzip is recognised by its magic bytes (``1f 8b``), not by the file name, so a
renamed file still reads. Everything is checked: the zero bytes, the dtype
code, the dimension count, and that the payload has exactly the size the
header announces; a mismatch, a truncated file or a broken gzip stream raises
``ValueError`` naming the file. Arrays come back in native byte order.
"""

from __future__ import annotations

import gzip
import os
import zlib

import numpy as np

# dtype code -> big-endian NumPy dtype (LeCun's IDX description).
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dt.newbyteorder("="): code for code, dt in IDX_DTYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path) -> bytes:
    """The file's content, decompressed when it is gzip (by magic bytes)."""
    with open(path, "rb") as fh:
        raw = fh.read()
    if raw[:2] != _GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        # A cut-off download ends the stream early (EOFError); a damaged one fails its CRC.
        raise ValueError(f"{os.fspath(path)}: corrupt or truncated gzip stream ({exc})") from None


def parse_idx(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Decode the bytes of an (uncompressed) IDX file into an array.

    Args:
        data: the whole file content.
        name: what to call the source in error messages (a file name).

    Returns:
        np.ndarray of the header's shape, in native byte order.

    Raises:
        ValueError: bad magic number, unknown dtype code, zero dimensions, or a
            payload shorter or longer than the header announces.

    Example:
        >>> parse_idx(bytes([0, 0, 8, 1, 0, 0, 0, 2, 7, 9])).tolist()
        [7, 9]
    """
    if len(data) < 4:
        raise ValueError(f"{name}: not an IDX file: {len(data)} bytes, shorter than the "
                         "4-byte magic number (truncated?)")
    if data[0] != 0 or data[1] != 0:
        raise ValueError(f"{name}: not an IDX file: magic number {data[:4].hex()} "
                         "does not start with two zero bytes")
    code, ndim = data[2], data[3]
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise ValueError(f"{name}: unknown IDX dtype code 0x{code:02X}; expected one of {known}")
    if ndim == 0:
        raise ValueError(f"{name}: IDX header declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{name}: truncated IDX header: {ndim} dimensions need {header} bytes, "
                         f"the file has {len(data)}")
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_DTYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    got = len(data) - header
    if got < expected:
        raise ValueError(f"{name}: truncated IDX file: shape {shape} of {dtype.newbyteorder('=')} "
                         f"needs {expected} data bytes, found {got}")
    if got > expected:
        raise ValueError(f"{name}: corrupt IDX file: shape {shape} of "
                         f"{dtype.newbyteorder('=')} needs {expected} data bytes, found {got} "
                         f"({got - expected} extra)")
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def read_idx(path) -> np.ndarray:
    """Read an IDX file (plain or gzip-compressed) into a NumPy array.

    Args:
        path: file name (str or os.PathLike), e.g. ``train-images-idx3-ubyte.gz``.

    Returns:
        np.ndarray with the shape and dtype the header declares, e.g. (60000, 28, 28)
        uint8 for MNIST training images, (60000,) uint8 for its labels.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: the file is not valid IDX (see ``parse_idx``) or its gzip stream is
            broken; the message starts with the file name.

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "x-idx1-ubyte")
        >>> write_idx(path, np.array([3, 1, 4], dtype=np.uint8))
        >>> read_idx(path).tolist()
        [3, 1, 4]
    """
    return parse_idx(_read_bytes(path), os.fspath(path))


def write_idx(path, array) -> None:
    """Write an array as an IDX file; gzip-compressed when ``path`` ends in ``.gz``.

    Args:
        path: destination file name.
        array: array of a dtype IDX can hold (uint8, int8, int16, int32, float32, float64)
            with at least one dimension.

    Raises:
        TypeError: the dtype has no IDX code.
        ValueError: the array is 0-dimensional.

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "img-idx3-ubyte.gz")
        >>> write_idx(path, np.zeros((2, 3, 3), dtype=np.uint8))
        >>> read_idx(path).shape
        (2, 3, 3)
    """
    array = np.asarray(array)
    dtype = array.dtype.newbyteorder("=")
    if dtype not in _CODES:
        names = ", ".join(str(dt) for dt in _CODES)
        raise TypeError(f"array dtype must be one of {names} to be written as IDX; "
                        f"got array with dtype {array.dtype}")
    if array.ndim == 0:
        raise ValueError("array must have at least 1 dimension to be written as IDX; "
                         "got a 0-dimensional array")
    header = bytes([0, 0, _CODES[dtype], array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    payload = header + np.ascontiguousarray(array, dtype=IDX_DTYPES[_CODES[dtype]]).tobytes()
    if os.fspath(path).endswith(".gz"):
        payload = gzip.compress(payload, mtime=0)
    with open(path, "wb") as fh:
        fh.write(payload)


def read_idx_pair(images_path, labels_path) -> tuple[np.ndarray, np.ndarray]:
    """Read matching IDX image and label files (MNIST layout) and check they agree.

    Args:
        images_path: IDX file of shape (N, H, W) (or (N, C, H, W)), any IDX dtype.
        labels_path: IDX file of shape (N,) of integer class indices.

    Returns:
        (images, labels): images (N, 1, H, W) (a channel axis is added to 3-d files) in
        the file's dtype, labels (N,) int64.

    Raises:
        ValueError: either file is invalid, the images are not 3-d/4-d, the labels are
            not 1-d integers, or the counts differ; the message names the file(s).

    Example:
        >>> import tempfile, os
        >>> d = tempfile.mkdtemp()
        >>> write_idx(os.path.join(d, "i"), np.zeros((2, 4, 4), np.uint8))
        >>> write_idx(os.path.join(d, "l"), np.array([1, 0], np.uint8))
        >>> x, y = read_idx_pair(os.path.join(d, "i"), os.path.join(d, "l"))
        >>> x.shape, y.tolist()
        ((2, 1, 4, 4), [1, 0])
    """
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    if images.ndim not in (3, 4):
        raise ValueError(f"{os.fspath(images_path)}: image file must be 3-dimensional "
                         f"(N, H, W) or 4-dimensional (N, C, H, W); got shape {images.shape}")
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{os.fspath(labels_path)}: label file must be 1-dimensional integers; "
                         f"got shape {labels.shape} of {labels.dtype}")
    if len(images) != len(labels):
        raise ValueError(f"{os.fspath(images_path)} holds {len(images)} images but "
                         f"{os.fspath(labels_path)} holds {len(labels)} labels")
    if images.ndim == 3:
        images = images[:, None]
    return images, labels.astype(np.int64)
