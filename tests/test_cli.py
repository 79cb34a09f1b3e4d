import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import sgdbalance
from sgdbalance.cli import main


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"sgdbalance {sgdbalance.__version__}\n"


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


def _number(out: str, label: str) -> float:
    """The value after ``label`` at the start of a line of CLI output (before any ``±``)."""
    for line in out.splitlines():
        if line.startswith(label):
            return float(line[len(label) :].split()[0])
    raise AssertionError(f"no line starting {label!r} in:\n{out}")


@pytest.mark.parametrize("eta, verdict", [(0.15, "repels"), (0.3, "attracts")])
def test_lyapunov_population_either_side_of_the_threshold(capsys, eta, verdict):
    assert main(["lyapunov", "--eta", str(eta), "--batch", "1", "--k", "0.2", "--sigma", "1"]) == 0
    out = capsys.readouterr().out
    plus, minus = _number(out, "Lambda_+"), _number(out, "Lambda_-")
    # Independent check: S = 1, so m = x y of one sample; Monte Carlo over 10^6 samples.
    rng = np.random.default_rng(7)
    x = rng.standard_normal(10**6)
    m = x * (0.2 * x + rng.standard_normal(10**6))
    assert plus == pytest.approx(np.mean(np.log(np.abs(1 + 2 * eta * m))), abs=2e-3)
    assert minus == pytest.approx(np.mean(np.log(np.abs(1 - 2 * eta * m))), abs=2e-3)
    assert (max(plus, minus) < 0) == (verdict == "attracts")
    assert f"v = 0 {verdict}" in out and "±" not in out  # quadrature: no standard errors


def test_lyapunov_of_a_dataset_lists_every_batch(tmp_path, capsys):
    x, y = np.array([1.0, -0.5, 2.0]), np.array([0.8, 0.3, 1.1])
    np.savez(tmp_path / "d.npz", x=x, y=y)
    eta = 0.4
    assert (
        main(["lyapunov", "--eta", str(eta), "--batch", "2", "--data", str(tmp_path / "d.npz")])
        == 0
    )
    out = capsys.readouterr().out
    m = np.array([(a + b) / 2 for a in x * y for b in x * y])  # all 3^2 ordered batches
    assert _number(out, "Lambda_+") == pytest.approx(np.mean(np.log(np.abs(1 + 2 * eta * m))))
    assert _number(out, "Lambda_-") == pytest.approx(np.mean(np.log(np.abs(1 - 2 * eta * m))))
    assert "exact, all 3^2 = 9 batches" in out and "±" not in out
    assert "v = 0 repels" in out  # Lambda_+ = 0.51 > 0


def test_lyapunov_rejects_bad_options(capsys):
    base = ["lyapunov", "--batch", "1", "--k", "0.2", "--sigma", "1"]
    for eta in ("0", "-0.1"):
        with pytest.raises(SystemExit, match="--eta must be a finite number > 0"):
            main([*base, "--eta", eta])
    with pytest.raises(SystemExit, match="--batch must be an integer >= 1"):
        main(["lyapunov", "--eta", "0.1", "--batch", "0", "--k", "0.2", "--sigma", "1"])
    moments = ["--moments", "2", "0.4", "1.08", "1", "0.2"]
    with pytest.raises(SystemExit, match="distribution of x and y.*--moments"):
        main(["lyapunov", "--eta", "0.1", "--batch", "1", *moments])


def test_tc_discrete_population_threshold_for_s1(capsys):
    assert main(["tc", "--k", "0.2", "--sigma", "1", "--discrete", "--batch", "1"]) == 0
    out = capsys.readouterr().out
    assert _number(out, "T_c, SGF") == pytest.approx(0.2 / 1.08, rel=1e-5)  # beta2/alpha3
    assert _number(out, "T_c, second order") == pytest.approx(0.2 / 1.12, rel=1e-5)
    thresholds = [float(line.split()[3]) for line in out.splitlines() if "threshold" in line]
    assert thresholds[0] == pytest.approx(0.2122, abs=1e-4)
    assert "v = 0 attracts (collapse) for eta in (0.212" in out
    # The plain command keeps its output: the bare number.
    assert main(["tc", "--k", "0.2", "--sigma", "1"]) == 0
    assert float(capsys.readouterr().out) == pytest.approx(0.2 / 1.08)


@pytest.mark.slow
def test_tc_discrete_population_never_collapses_for_s4(capsys):
    args = ["tc", "--k", "0.2", "--sigma", "1", "--discrete", "--batch", "4", "--eta-max", "1"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert _number(out, "T_c, second order") == pytest.approx(0.2 / (1.08 + 4 * 0.04), rel=1e-5)
    assert "no threshold: v = 0 repels at every eta in (0, 1]" in out
    assert "never collapses" in out and "attracts" not in out


def test_tc_discrete_needs_the_distribution_and_a_batch():
    with pytest.raises(SystemExit, match="distribution of x and y"):
        main(["tc", "--moments", "2", "2", "2.25", "1", "1", "--discrete", "--batch", "1"])
    with pytest.raises(SystemExit, match="--discrete needs --batch"):
        main(["tc", "--k", "0.2", "--sigma", "1", "--discrete"])
    with pytest.raises(SystemExit, match="--eta-max must be a finite number > 0"):
        main(["tc", "--k", "0.2", "--sigma", "1", "--discrete", "--batch", "1", "--eta-max", "0"])


def test_tail_index_population_at_t_one_over_s_plus_2(capsys):
    # T = 1/(S + 2): E|1 - 2 eta m2|^2 = 1 - 4 eta + 4 eta^2 (1 + 2/S) = 1, so kappa = 2.
    args = ["tail-index", "--depth", "0", "--eta", str(4 / 6), "--batch", "4"]
    assert main([*args, "--k", "0.2", "--sigma", "1"]) == 0
    out = capsys.readouterr().out
    assert _number(out, "kappa, Kesten (exact)") == pytest.approx(2.0, abs=1e-5)
    assert _number(out, "kappa, SGF") == pytest.approx(1 + 6 / 2)  # 1 + beta1/(T alpha1)
    assert _number(out, "kappa, kappa=2 fit") == pytest.approx(2.0)  # 1 + 1/(T (2 + 4))


def test_tail_index_of_a_dataset(tmp_path, capsys):
    from scipy import optimize

    path = tmp_path / "d.npz"
    # eta = 0.25, S = 1: A = 1 - x^2 / 2 is 0.5 and -1.5, E|A|^kappa = 1 at a finite kappa.
    np.savez(path, x=np.array([1.0, np.sqrt(5.0)]), y=np.array([1.0, 2.0]))
    args = ["tail-index", "--depth", "0", "--eta", "0.25", "--batch", "1", "--data", str(path)]
    assert main(args) == 0
    kappa = optimize.brentq(lambda c: (0.5**c + 1.5**c) / 2 - 1, 0.1, 10, xtol=1e-12)
    assert _number(capsys.readouterr().out, "kappa, Kesten (exact)") == pytest.approx(kappa)
    # |A| <= 1 on every batch: bounded stationary law, no power-law tail.
    np.savez(path, x=np.array([1.0, 1.2]), y=np.array([1.0, 2.0]))
    assert main(args) == 0
    out = capsys.readouterr().out
    assert _number(out, "kappa, Kesten (exact)") == np.inf and "no power-law tail" in out


def test_tail_index_without_stationary_law_and_deeper(capsys):
    base = ["--batch", "1", "--k", "0.2", "--sigma", "1"]
    assert main(["tail-index", "--depth", "0", "--eta", "2", *base]) == 0
    out = capsys.readouterr().out
    assert _number(out, "kappa, Kesten (exact)") == 0 and "no stationary law" in out
    assert main(["tail-index", "--depth", "2", "--eta", "0.5", *base]) == 0
    out = capsys.readouterr().out
    assert _number(out, "kappa, SGF") == pytest.approx(3.0) and "Kesten" in out
    with pytest.raises(SystemExit, match="--eta must be a finite number > 0"):
        main(["tail-index", "--depth", "0", "--eta", "0", *base])
    with pytest.raises(SystemExit, match="distribution of x and y"):
        main(["tail-index", "--depth", "0", "--eta", "0.1", "--batch", "1", "--moments",
              "2", "2", "2.25", "1", "1"])  # fmt: skip


DENSITY = ["density", "--depth", "1", "--k", "0.5", "--sigma", "0.5"]


def _bad_inputs(tmp_path) -> list[tuple[list[str], str]]:
    """Bad command lines a new user tries, each with the error it must print."""
    good = tmp_path / "good.npz"
    np.savez(good, x=np.arange(5.0), y=np.arange(5.0))
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(good.read_bytes()[:200])
    (tmp_path / "a_directory").mkdir()
    return [
        ([*DENSITY, "--temperature", "nan"],
         "--temperature must be a finite number > 0 (1e-100 to 1e+100), got nan"),
        ([*DENSITY, "--temperature", "inf"],
         "--temperature must be a finite number > 0 (1e-100 to 1e+100), got inf"),
        ([*DENSITY, "--temperature", "0.3", "--grid", "1", "0", "10"],
         "--grid LO HI N needs LO < HI, got LO = 1, HI = 0"),
        ([*DENSITY, "--temperature", "0.3", "--grid", "0", "1", "1"],
         "--grid N must be an integer in [2, 10000000], got 1"),
        (["density", "--depth", "1", "--temperature", "0.3", "--data", str(corrupt)],
         f"argument --data: {corrupt} is not a dataset .npz with arrays x and y: not a readable "
         ".npz file (File is not a zip file)"),
        (["tc", "--k", "0", "--sigma", "0.5"],
         "--k 0 --sigma 0.5 --weight-decay 0 has no learning phase: beta2 = E[xy] = 0 is not "
         "above gamma = 0"),
        (["tc", "--k", "0.5", "--sigma", "0.5", "--weight-decay", "0.5"],
         "has no learning phase: beta2 = E[xy] = 0.5 is not above gamma = 0.5"),
        (["tc", "--k", "0.5"], "--k 0.5 needs --sigma"),
        ([*DENSITY, "--temperature", "0.3", "--depth", "-1"],
         "--depth must be an integer >= 0, got -1"),
        ([*DENSITY, "--temperature", "0.3", "--width", "2.5"],
         "--width must be an integer >= 1, got 2.5"),
        ([*DENSITY, "--temperature", "0.3", "--out", str(tmp_path / "a_directory")],
         "--out must be a file name, got"),
        (["lyapunov", "--eta", "0.1", "--batch", "100000", "--k", "0.2", "--sigma", "1"],
         "--batch must be an integer in [1, 10000] with --k"),
        (["tail-index", "--depth", "0", "--eta", "1e-8", "--batch", "4", "--k", "0.2", "--sigma",
          "1"], "--eta 1e-08 --batch 4: T = eta/S = 2.5e-09 is below 1e-06"),
        (["tc", "--k", "0.2", "--sigma", "1", "--discrete", "--batch", "1", "--eta-max",
          "1e-9"], "--eta-max must be >= 1e-06 (the search starts at ETA_MAX/1000), got 1e-09"),
        (["density", "--depth", "1", "--temperature", "0.3", "--moments", "1", "2", "3", "4", "5"],
         "--moments 1 2 3 4 5: alpha1 * alpha3 - alpha2^2 must be >= 0"),
        (["density", "--depth", "1", "--temperature", "0.3", "--k", "1e200", "--sigma", "1"],
         "--k must be a finite number (0 or magnitude 1e-100 to 1e+100), got 1e200"),
        (["simulate", "--depth", "1", "--eta", "0.05", "--batch", "1", "--k", "-1", "--sigma",
          "0.5", "--runs", "2", "--steps", "10", "--seed", "1"],
         "--k must be a finite number > 0 (1e-100 to 1e+100), got -1"),
        (["simulate", "--depth", "1", "--eta", "0.05", "--batch", "1", "--k", "1", "--sigma",
          "0.5", "--runs", "2", "--steps", "10", "--burn-in", "10", "--seed", "1"],
         "--burn-in must be an integer in [0, --steps = 10), got 10"),
    ]  # fmt: skip


def test_bad_input_exits_2_names_option_value_and_range_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "never.csv"
    for argv, message in _bad_inputs(tmp_path):
        argv = argv if "--out" in argv else [*argv, "--out", str(out)]
        if argv[0] not in ("density", "simulate"):
            argv = argv[:-2]  # only density and simulate write a file
        with pytest.raises(SystemExit) as exit:
            main(argv)
        captured = capsys.readouterr()
        assert exit.value.code == 2, argv
        assert message in captured.err, (message, captured.err)
        assert captured.err.startswith("usage: sgdbalance ")
        assert captured.out == "" and not out.exists(), argv
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_directory", "corrupt.npz", "good.npz"]


@pytest.mark.slow
def test_bad_input_in_a_shell_gives_status_2_and_no_traceback(tmp_path):
    for argv, message in _bad_inputs(tmp_path)[:6]:
        result = subprocess.run([sys.executable, "-m", "sgdbalance.cli", *argv],
                                capture_output=True, text=True)  # fmt: skip
        assert result.returncode == 2, (argv, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr
        assert result.stdout == ""


def test_write_failure_exits_1_and_leaves_no_file(tmp_path, capsys, monkeypatch):
    """A full disk during --out: exit 1, the reason and the file named, nothing left behind."""
    import errno
    import os

    real_fsync = os.fsync

    def full_disk(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full_disk)
    out = tmp_path / "p.csv"
    argv = [*DENSITY, "--temperature", "0.3", "--out", str(out)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and f"{out} was not written" in err
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert main(argv) == 0 and out.exists()


SIMULATE = ["simulate", "--depth", "1", "--eta", "0.005", "--batch", "1", "--k", "0.5",
            "--sigma", "0.5", "--n", "1000", "--runs", "20", "--steps", "400",
            "--seed", "1"]  # fmt: skip


def test_simulate_with_momentum_runs_heavy_ball(tmp_path):
    # From the command line, as a user would: 0.9 gives T_eff = 0.05 and other bits than 0.
    out = {}
    for beta in ("0.9", "0"):
        out[beta] = tmp_path / f"v{beta}.csv"
        argv = SIMULATE + ["--momentum", beta, "--out", str(out[beta])]
        subprocess.run([sys.executable, "-m", "sgdbalance.cli", *argv], check=True)
    heavy, plain = (pd.read_csv(out[b], comment="#") for b in ("0.9", "0"))
    assert len(heavy) == 20 and (heavy.diverged == 0).all()
    assert not np.array_equal(heavy.v, plain.v)
    assert "momentum 0.9, T_eff = 0.05" in out["0.9"].read_text()


@pytest.mark.parametrize("beta", ["1", "-0.1", "1.5", "nan"])
def test_simulate_refuses_momentum_outside_0_1_and_writes_nothing(tmp_path, capsys, beta):
    out = tmp_path / "v.csv"
    with pytest.raises(SystemExit) as err:
        main(SIMULATE + ["--momentum", beta, "--out", str(out)])
    assert err.value.code == 2
    assert "--momentum must be a finite number in [0, 1)" in capsys.readouterr().err
    assert not out.exists()
