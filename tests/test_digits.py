import gzip
import struct

import numpy as np
import pytest

from sgdbalance.nets import digits


def idx_bytes(array: np.ndarray, code: int) -> bytes:
    """An IDX file written independently of the reader: magic, big-endian dims, big-endian data."""
    header = struct.pack(">BBBB", 0, 0, code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(digits.IDX_DTYPES[code]).tobytes()


def write(path, raw: bytes):
    if path.suffix == ".gz":
        with gzip.open(path, "wb") as f:
            f.write(raw)
    else:
        path.write_bytes(raw)
    return path


@pytest.fixture
def images():
    rng = np.random.default_rng(np.random.SeedSequence(3))
    return rng.integers(0, 256, size=(5, 3, 4), dtype=np.uint8)


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_images_and_labels_read_back_exactly(tmp_path, images, suffix):
    labels = np.array([7, 0, 9, 3, 3], dtype=np.uint8)
    got_images = digits.load_idx(write(tmp_path / f"img{suffix}", idx_bytes(images, 0x08)))
    got_labels = digits.load_idx(write(tmp_path / f"lab{suffix}", idx_bytes(labels, 0x08)))
    assert got_images.dtype == np.uint8 and got_images.shape == (5, 3, 4)
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)


@pytest.mark.parametrize("code", [0x09, 0x0B, 0x0C, 0x0D, 0x0E])
def test_idx_multibyte_types_are_big_endian(tmp_path, code):
    values = np.array([[-3, 1], [2, 100]])
    got = digits.load_idx(write(tmp_path / "a.idx", idx_bytes(values, code)))
    np.testing.assert_array_equal(got, values)
    assert got.dtype.isnative  # converted, so arithmetic downstream is ordinary


def test_bad_magic_names_the_file(tmp_path, images):
    raw = bytearray(idx_bytes(images, 0x08))
    raw[2] = 0x07  # no such type code
    path = write(tmp_path / "bad-magic-idx3-ubyte", bytes(raw))
    with pytest.raises(ValueError, match="bad-magic-idx3-ubyte: bad IDX magic number"):
        digits.load_idx(path)


@pytest.mark.parametrize("keep", [2, 10, 75])
def test_truncated_file_names_the_file(tmp_path, images, keep):
    # 76 bytes: 4 of magic, 12 of dimensions, 60 of data; cut in each part
    raw = idx_bytes(images, 0x08)
    assert len(raw) == 76
    path = write(tmp_path / "short-idx3-ubyte.gz", raw[:keep])
    with pytest.raises(ValueError, match="short-idx3-ubyte.gz: truncated IDX file"):
        digits.load_idx(path)


def test_trailing_bytes_and_broken_gzip_are_errors(tmp_path, images):
    raw = idx_bytes(images, 0x08)
    with pytest.raises(ValueError, match="long: IDX file with trailing bytes"):
        digits.load_idx(write(tmp_path / "long", raw + b"\0"))
    packed = gzip.compress(raw)
    (tmp_path / "cut.gz").write_bytes(packed[: len(packed) // 2])
    with pytest.raises(ValueError, match="cut.gz: cannot decompress"):
        digits.load_idx(tmp_path / "cut.gz")
    with pytest.raises(FileNotFoundError, match="absent"):
        digits.load_idx(tmp_path / "absent")


def test_load_mnist_reads_mixed_plain_and_gzip_files(tmp_path, images):
    labels = np.array([1, 2, 3, 4, 5], dtype=np.uint8)
    write(tmp_path / "t10k-images-idx3-ubyte.gz", idx_bytes(images, 0x08))
    write(tmp_path / "t10k-labels-idx1-ubyte", idx_bytes(labels, 0x08))
    X, got = digits.load_mnist(tmp_path, split="test")
    assert X.shape == (5, 12)
    np.testing.assert_array_equal(X * 255.0, images.reshape(5, 12))  # row-major flattening
    np.testing.assert_array_equal(got, labels)
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        digits.load_mnist(tmp_path, split="train")  # only the test split is there


def test_missing_mnist_names_the_expected_files(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        digits.load_digits_dataset("mnist", tmp_path / "nowhere")
    assert "train-images-idx3-ubyte[.gz]" in str(err.value)
    assert "train-labels-idx1-ubyte[.gz]" in str(err.value)


def test_load_mnist_rejects_mismatched_label_count(tmp_path, images):
    write(tmp_path / "train-images-idx3-ubyte", idx_bytes(images, 0x08))
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(np.zeros(4, np.uint8), 0x08))
    with pytest.raises(ValueError, match="expected 5 labels"):
        digits.load_mnist(tmp_path)


def test_sklearn_digits_shape_and_range():
    X, labels = digits.load_digits_dataset("sklearn_digits")
    assert X.shape == (1797, 64) and labels.shape == (1797,)
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(np.unique(labels), np.arange(10))
    assert digits.source_label("sklearn_digits", 1797) == "sklearn 8x8 digits, 1797 images"


def test_dispatch_rejects_unknown_source_and_mnist_without_path():
    with pytest.raises(ValueError, match="source must be one of"):
        digits.load_digits_dataset("cifar")
    with pytest.raises(ValueError, match="needs path"):
        digits.load_digits_dataset("mnist")


def test_standardize_and_one_hot():
    X, labels = digits.load_sklearn_digits()
    Z = digits.standardize(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    assert np.mean(Z**2) == pytest.approx(1.0, rel=1e-12)
    # one global scale: ratios of pixel standard deviations are kept
    std_x, std_z = X.std(axis=0), Z.std(axis=0)
    np.testing.assert_allclose(std_z[std_x > 0] / std_x[std_x > 0], std_z.max() / std_x.max())
    Y = digits.one_hot(labels)
    assert Y.shape == (1797, 10)
    np.testing.assert_array_equal(Y.sum(axis=1), 1.0)
    np.testing.assert_array_equal(Y.argmax(axis=1), labels)
    with pytest.raises(ValueError, match="labels"):
        digits.one_hot(np.array([0, 10]))
