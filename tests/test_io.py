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
