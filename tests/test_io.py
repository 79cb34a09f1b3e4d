import errno
import os
import pickle
import stat

import numpy as np
import pytest

from sgdbalance.artifact import io
from sgdbalance.theory.density import stationary_density
from sgdbalance.theory.moments import Moments


def test_atomic_write_leaves_old_file_when_interrupted(tmp_path):
    target = tmp_path / "out.npz"
    io.save_npz_atomic(target, {"a": np.arange(3)})
    with pytest.raises(RuntimeError), io.atomic_open(target) as f:
        f.write(b"half a file")
        raise RuntimeError("killed")
    np.testing.assert_array_equal(io.load_npz(target)["a"], np.arange(3))
    assert [p.name for p in tmp_path.iterdir()] == ["out.npz"]  # no temporary left behind


def test_theory_round_trip(tmp_path):
    d = stationary_density(Moments.population(0.5, 0.5), 1, 0.3)
    io.save_theory(tmp_path / "t.npz", d, {"note": "x"})
    back, meta = io.load_theory(tmp_path / "t.npz")
    v = np.array([0.01, 0.5, 2.0])
    np.testing.assert_array_equal(back.pdf(v), d.pdf(v))
    assert meta["note"] == "x" and meta["depth"] == 1
    io.save_theory(tmp_path / "none.npz", None, {"not_normalisable": "T >= T_c"})
    assert io.load_theory(tmp_path / "none.npz") == (None, {"not_normalisable": "T >= T_c"})


def test_missing_and_malformed_dataset(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        io.load_dataset(tmp_path / "absent.npz")
    io.save_npz_atomic(tmp_path / "bad.npz", {"x": np.arange(3.0)})
    with pytest.raises(ValueError, match="needs arrays x and y"):
        io.load_dataset(tmp_path / "bad.npz")


@pytest.fixture
def umask():
    """``umask(value)`` sets the process umask for the test; the old one comes back after."""
    old = os.umask(0o022)
    os.umask(old)
    yield os.umask
    os.umask(old)


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_atomic_writes_follow_the_umask(tmp_path, umask, mask):
    """A new file gets 0666 less the umask, as open() would give it, not mkstemp's 0600."""
    umask(mask)
    assert io.current_umask() == mask
    io.save_npz_atomic(tmp_path / "a.npz", {"a": np.arange(3)})
    io.save_csv_atomic(tmp_path / "sub/b.csv", {"v": [1.0, 2.0]})
    io.save_json_atomic(tmp_path / "c.json", {"x": 1})
    for name in ("a.npz", "sub/b.csv", "c.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o666 & ~mask, name
    # A file that is replaced keeps its own mode, whatever the umask.
    (tmp_path / "a.npz").chmod(0o640)
    io.save_npz_atomic(tmp_path / "a.npz", {"a": np.arange(4)})
    assert stat.S_IMODE((tmp_path / "a.npz").stat().st_mode) == 0o640


def test_umask_is_read_without_proc(tmp_path, umask, monkeypatch):
    """Where /proc/self/status shows no umask, it is read by setting and restoring it."""
    umask(0o027)
    real_open = open

    def no_proc(path, *args, **kwargs):
        if str(path) == "/proc/self/status":
            raise FileNotFoundError(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", no_proc)
    assert io.current_umask() == 0o027
    assert os.umask(0o027) == 0o027  # and it was left as it was


def test_failed_write_keeps_the_old_file_and_says_which(tmp_path):
    target = tmp_path / "out.npz"
    io.save_npz_atomic(target, {"a": np.arange(3)})
    before = target.read_bytes()
    with pytest.raises(OSError, match=r"No space left on device; .*out.npz was not written"):
        with io.atomic_open(target) as f:
            f.write(b"half")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # as a full disk would
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.npz"]


def _damaged(tmp_path):
    """Files that are not datasets, each with what ``load_dataset`` must say about it."""
    np.savez(tmp_path / "good.npz", x=np.arange(5.0), y=np.arange(5.0))
    good = (tmp_path / "good.npz").read_bytes()
    (tmp_path / "truncated.npz").write_bytes(good[: len(good) // 2])
    (tmp_path / "text.npz").write_text("x,y\n1,2\n")
    (tmp_path / "pickle.npz").write_bytes(pickle.dumps({"x": [1.0, 2.0], "y": [1.0, 2.0]}))
    (tmp_path / "empty.npz").write_bytes(b"")
    np.save(tmp_path / "array.npy", np.arange(3.0))
    (tmp_path / "array.npy").rename(tmp_path / "array.npz")
    np.savez(tmp_path / "objects.npz", x=np.array([1.0, "a"], dtype=object), y=np.arange(2.0))
    np.savez(tmp_path / "strings.npz", x=np.array(["a", "b"]), y=np.arange(2.0))
    np.savez(tmp_path / "nan.npz", x=np.array([1.0, np.nan]), y=np.arange(2.0))
    np.savez(tmp_path / "short.npz", x=np.arange(3.0), y=np.arange(2.0))
    (tmp_path / "directory.npz").mkdir()
    flipped = bytearray(good)
    flipped[60] ^= 0xFF  # inside the data of x: the zip's CRC catches it
    (tmp_path / "flipped.npz").write_bytes(bytes(flipped))
    return {
        "truncated.npz": "not a readable .npz file",
        "text.npz": "not a zip archive of numpy arrays",
        "pickle.npz": "not a zip archive of numpy arrays",
        "empty.npz": "not a readable .npz file",
        "array.npz": "a single .npy array",
        "objects.npz": "arrays of Python objects",
        "strings.npz": "x holds <U1, not real numbers",
        "nan.npz": "1 of its values are nan or infinite",
        "short.npz": "equal length",
        "directory.npz": "a directory, not a file",
        "flipped.npz": "Bad CRC-32",
        "absent.npz": "no such file",
    }


def test_damaged_datasets_are_named_with_the_reason(tmp_path):
    for name, reason in _damaged(tmp_path).items():
        path = tmp_path / name
        with pytest.raises((ValueError, FileNotFoundError)) as err:
            io.load_dataset(path)
        message = str(err.value)
        assert message.startswith(f"{path} is not a dataset .npz with arrays x and y: "), message
        assert reason in message, (name, message)
        assert "allow_pickle" not in message and "unsafely" not in message  # numpy's advice


def test_truncated_result_file_is_named(tmp_path):
    io.save_npz_atomic(tmp_path / "run.npz", {"v": np.arange(1000.0)})
    data = (tmp_path / "run.npz").read_bytes()
    (tmp_path / "run.npz").write_bytes(data[:-100])
    with pytest.raises(ValueError, match=r"run.npz: not a readable .npz file"):
        io.load_npz(tmp_path / "run.npz")


def test_benchmarks_are_read_from_rule_folders_and_runtimes_round_trip(tmp_path):
    # Snakemake's benchmark files: a header and one row per repeat, wall seconds in column s.
    header = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
    for name, s in (("train/a", "12.5"), ("train/b/part1", "3.25"), ("sweeps/c", "7.0")):
        path = tmp_path / "benchmarks" / f"{name}.tsv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(header + f"{s}\t0:00:12\t1\t1\t1\t1\t0\t0\t90.0\t11.0\n")
    reference = tmp_path / "benchmarks" / "measured_runtimes.tsv"  # not a job's benchmark
    io.save_runtimes_atomic(reference, {"train/x": 1.0}, "commit abc\nmachine m")
    seconds = io.load_benchmarks(tmp_path / "benchmarks")
    assert seconds == {"sweeps/c": 7.0, "train/a": 12.5, "train/b/part1": 3.25}
    io.save_runtimes_atomic(reference, seconds, "commit abc\nmachine m")
    assert reference.read_text().startswith("# commit abc\n# machine m\njob\tseconds\n")
    assert io.load_runtimes(reference) == seconds
