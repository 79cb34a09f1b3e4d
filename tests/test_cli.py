import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sgdbalance.cli import main


def test_density_is_normalised_on_a_wide_grid(tmp_path):
    out = tmp_path / "p.csv"
    assert (
        main(
            [
                "density",
                "--depth",
                "2",
                "--temperature",
                "0.3",
                "--k",
                "1",
                "--sigma",
                "0.5",
                "--grid",
                "0",
                "60",
                "600001",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    table = pd.read_csv(out, comment="#")
    # Tail beyond 60 of a v^-4 density holds ~1e-6 of the mass.
    assert np.trapezoid(table.p, table.v) == pytest.approx(1.0, abs=1e-3)


def test_density_says_why_none_exists(capsys):
    code = main(["density", "--depth", "1", "--temperature", "0.5", "--k", "1", "--sigma", "0.5"])
    assert code == 1
    assert "T_c" in capsys.readouterr().err


def test_tc(capsys):
    assert main(["tc", "--moments", "2", "2", "2.25", "1", "1"]) == 0
    assert float(capsys.readouterr().out) == pytest.approx(1 / 2.25)
    assert main(["tc", "--depth", "0", "--k", "1", "--sigma", "0.5"]) == 1


def test_simulate_writes_one_row_per_run(tmp_path):
    out = tmp_path / "v.csv"
    cmd = [
        sys.executable,
        "-m",
        "sgdbalance.cli",
        "simulate",
        "--depth",
        "1",
        "--eta",
        "0.05",
        "--batch",
        "1",
        "--k",
        "1",
        "--sigma",
        "0.5",
        "--n",
        "1000",
        "--runs",
        "20",
        "--steps",
        "200",
        "--seed",
        "1",
        "--out",
        str(out),
    ]
    subprocess.run(cmd, check=True, capture_output=True)
    table = pd.read_csv(out, comment="#")
    assert list(table.columns) == ["run", "v", "diverged"] and len(table) == 20
    assert (table.diverged == 0).all() and (table.v > 0).all()


def test_simulate_rejects_bad_eta(capsys):
    with pytest.raises(SystemExit, match="eta"):
        main(
            [
                "simulate",
                "--depth",
                "1",
                "--eta",
                "-1",
                "--batch",
                "1",
                "--k",
                "1",
                "--sigma",
                "0.5",
                "--runs",
                "2",
                "--steps",
                "10",
                "--seed",
                "1",
            ]
        )
