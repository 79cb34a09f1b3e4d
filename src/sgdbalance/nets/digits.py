"""Handwritten digits for the scaling-law figure: MNIST from IDX files, or scikit-learn's 8x8 set.

MNIST (LeCun et al.) ships as four IDX files. An IDX file is a 4-byte magic number, two zero
bytes, a type code and the number of dimensions, then each dimension as a big-endian uint32,
then the data in C order, big-endian. The official files are gzip-compressed; either form is
read. MNIST cannot be downloaded everywhere, so the 8x8 digits bundled with scikit-learn
(1797 images, no download) stand in for it.

The IDX reader lives here rather than in ``io.py``: it is the one reader of a foreign format,
and reading it is the data set's definition.
"""

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

SOURCES = ("sklearn_digits", "mnist")
N_CLASSES = 10
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
MNIST_PREFIX = {"train": "train", "test": "t10k"}


def parse_idx(raw: bytes, name: str = "<bytes>") -> np.ndarray:
    """The array stored in the bytes of an IDX file, in native byte order.

    Parameters
    ----------
    raw : bytes
        The whole (decompressed) file.
    name : str
        Named in every error, so a bad file among several is easy to find.

    Returns
    -------
    ndarray, shape given by the header, dtype given by its type code
    """
    if len(raw) < 4:
        raise ValueError(f"{name}: truncated IDX file: {len(raw)} bytes, shorter than the magic")
    code, ndim = raw[2], raw[3]
    if raw[:2] != b"\0\0" or code not in IDX_DTYPES or ndim == 0:
        raise ValueError(
            f"{name}: bad IDX magic number 0x{raw[:4].hex()}: expected 0x0000 then a type code "
            f"in {sorted(hex(c) for c in IDX_DTYPES)} and a number of dimensions >= 1"
        )
    start = 4 + 4 * ndim
    if len(raw) < start:
        raise ValueError(f"{name}: truncated IDX file: header of {ndim} dimensions cut short")
    shape = struct.unpack(f">{ndim}I", raw[4:start])
    dtype = np.dtype(IDX_DTYPES[code])
    count = int(np.prod(shape, dtype=np.int64))
    found, expected = len(raw) - start, count * dtype.itemsize
    if found != expected:
        what = "truncated IDX file" if found < expected else "IDX file with trailing bytes"
        raise ValueError(
            f"{name}: {what}: shape {shape} of {dtype.itemsize}-byte items needs {expected} "
            f"data bytes, found {found}"
        )
    data = np.frombuffer(raw, dtype=dtype, count=count, offset=start)
    return data.astype(dtype.newbyteorder("="), copy=True).reshape(shape)


def load_idx(path) -> np.ndarray:
    """Read an IDX file; a name ending in ``.gz`` is decompressed first.

    Raises FileNotFoundError if the file is absent and ValueError, naming the file, if it is
    not a well-formed IDX file (bad magic number, truncated, trailing bytes, broken gzip).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                raw = f.read()
        else:
            raw = path.read_bytes()
    except (gzip.BadGzipFile, EOFError, zlib.error) as err:
        raise ValueError(f"{path}: cannot decompress: {err}") from err
    return parse_idx(raw, str(path))


def mnist_file_names(split: str) -> tuple[str, str]:
    """The standard names of the image and label files of ``split`` ("train" or "test")."""
    if split not in MNIST_PREFIX:
        raise ValueError(f"split must be one of {tuple(MNIST_PREFIX)}, got {split!r}")
    prefix = MNIST_PREFIX[split]
    return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"


def load_mnist(directory, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """MNIST images and labels from the standard IDX files in ``directory``.

    Each file may be plain or gzip-compressed (the same name plus ``.gz``).

    Returns
    -------
    X : ndarray, shape (n, rows * cols)
        Pixels scaled from 0..255 to [0, 1], each image flattened row by row.
    labels : ndarray of int64, shape (n,)
        Digits 0..9.
    """
    directory = Path(directory)
    paths = []
    for name in mnist_file_names(split):
        found = [directory / n for n in (name, f"{name}.gz") if (directory / n).is_file()]
        if not found:
            wanted = " and ".join(f"{n}[.gz]" for n in mnist_file_names(split))
            raise FileNotFoundError(f"{directory}: MNIST {split} split needs files {wanted}")
        paths.append(found[0])
    images, labels = load_idx(paths[0]), load_idx(paths[1])
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(f"{paths[0]}: expected uint8 images (n, rows, cols), got {images.shape}")
    if labels.ndim != 1 or labels.shape[0] != images.shape[0]:
        raise ValueError(f"{paths[1]}: expected {images.shape[0]} labels, got {labels.shape}")
    if labels.size and labels.max() >= N_CLASSES:
        raise ValueError(f"{paths[1]}: labels must be digits 0..9, found {labels.max()}")
    return images.reshape(images.shape[0], -1) / 255.0, labels.astype(np.int64)


def load_sklearn_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 digits bundled with scikit-learn: X (1797, 64) in [0, 1], labels (1797,)."""
    from sklearn.datasets import load_digits  # imported here: only this source needs it

    bunch = load_digits()
    return bunch.data / 16.0, bunch.target.astype(np.int64)  # pixels are counts 0..16


def load_digits_dataset(source: str, path=None) -> tuple[np.ndarray, np.ndarray]:
    """Pixels in [0, 1], shape (n, p), and labels 0..9, shape (n,), of ``source``.

    ``source`` is one of SOURCES; "mnist" reads the training split from the directory ``path``.
    """
    if source == "sklearn_digits":
        return load_sklearn_digits()
    if source == "mnist":
        if path is None:
            raise ValueError("source 'mnist' needs path, the directory of the IDX files")
        return load_mnist(path, "train")
    raise ValueError(f"source must be one of {SOURCES}, got {source!r}")


def source_label(source: str, n: int) -> str:
    """How figures name the data set, e.g. "sklearn 8x8 digits, 1797 images"."""
    names = {"sklearn_digits": "sklearn 8x8 digits", "mnist": "MNIST"}
    return f"{names[source]}, {n} images"


def standardize(X) -> np.ndarray:
    """Centre each pixel, then divide by one global scale so that ``mean(X**2) = 1``.

    One scale for all pixels, not one per pixel: border pixels that are almost always 0 would
    otherwise become rare inputs of tens of standard deviations and make single SGD steps huge.
    """
    X = np.asarray(X, dtype=float)
    centred = X - X.mean(axis=0)
    scale = np.sqrt(np.mean(centred**2))
    if not scale > 0:
        raise ValueError("cannot standardize: every pixel is constant")
    return centred / scale


def one_hot(labels, n_classes: int = N_CLASSES) -> np.ndarray:
    """Targets y of shape (n, n_classes), 1 at the label and 0 elsewhere, for the squared loss."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or (labels.size and not 0 <= labels.min() <= labels.max() < n_classes):
        raise ValueError(f"labels must be a 1-d array of integers in [0, {n_classes})")
    return np.eye(n_classes)[labels]
