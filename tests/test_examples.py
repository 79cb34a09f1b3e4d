"""The worked examples under ``examples/`` run end to end, draw their plots, and their numbers
are what the package computes another way.

Each example is a jupytext percent-format script; it is run here as a script would be
(``runpy`` with ``__name__ == "__main__"``, matplotlib's Agg backend, its plot written to
``tmp_path``), and its variables are then read back. Statistical comparisons use the
examples' fixed seeds and state their tolerance (4 standard errors at the example's number of
runs), so they are deterministic and far from flaky.
"""

import runpy
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from scipy import stats

from sgdbalance.discrete import batch_means, discrete_variance, top_exponent
from sgdbalance.theory import Moments, critical_temperature

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_example(name, tmp_path, monkeypatch, capsys):
    """Run ``examples/<name>.py`` in ``tmp_path``; return its globals and what it printed."""
    matplotlib.use("Agg")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("SGDBALANCE_EXAMPLE_OUT", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    try:
        ns = runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name="__main__")
    finally:
        import matplotlib.pyplot as plt

        plt.close("all")
    return ns, capsys.readouterr().out


def assert_plot(path: Path):
    """A PNG of more than a few kB: a drawn figure, not an empty canvas."""
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert len(data) > 20_000, f"{path.name} is only {len(data)} bytes"


def test_every_example_is_a_percent_script_with_a_test():
    names = sorted(p.stem for p in EXAMPLES.glob("*.py"))
    assert names == sorted(["density_and_tc", "sgd_vs_sgf", "discrete_collapse"])
    for name in names:
        head = (EXAMPLES / f"{name}.py").read_text().split("# ---", 2)[1]
        assert "format_name: percent" in head, name  # opens as a notebook with jupytext


def test_density_and_tc(tmp_path, monkeypatch, capsys):
    ns, out = run_example("density_and_tc", tmp_path, monkeypatch, capsys)
    moments = ns["moments"]
    assert moments == Moments.of_samples(ns["x"], ns["y"])  # the data's, not a population's
    t_c = critical_temperature(moments)
    assert ns["t_c"] == t_c == moments.beta2 / moments.alpha3
    assert f"T_c = beta2 / alpha3 = {t_c:.10g}" in out
    assert "D = 1, T = 1.1 T_c: no density" in out
    # Below T_c / 3 the D = 1 density vanishes at 0 and has a mode; above it, none here.
    assert ns["d1"][0.2].pdf(1e-6) < 1e-3 < ns["d1"][0.5].pdf(1e-6)
    # D = 0 is centred on the minimum beta2 / beta1 (E v = m exactly, PAPER.md section 2).
    assert ns["by_depth"][0].mean == pytest.approx(moments.beta2 / moments.beta1, rel=1e-5)
    # Each D = 1 density is normalised: its CDF reaches 1.
    for p in ns["d1"].values():
        assert p.cdf(1e6) == pytest.approx(1.0, abs=1e-6)
    assert_plot(tmp_path / "density_and_tc.png")


def test_sgd_vs_sgf(tmp_path, monkeypatch, capsys):
    ns, out = run_example("sgd_vs_sgf", tmp_path, monkeypatch, capsys)
    samples, density, moments = ns["samples"], ns["density"], ns["moments"]
    n = ns["N_RUNS"]
    assert all(v.size == n for v in samples.values())  # no run diverged
    critical = stats.kstwo.isf(0.001, n)
    # The SGF matches Thm 4.2: mean within 4 standard errors, KS below the 0.001 critical value.
    sgf = samples[1, "SGF"]
    assert abs(sgf.mean() - density[1].mean) < 4 * sgf.std(ddof=1) / np.sqrt(n)
    assert stats.kstest(sgf, density[1].cdf).statistic < critical
    # Four times the step at the same T: discrete SGD's gap to the SGF density is measurable.
    assert stats.kstest(samples[1, "SGD, eta = 0.2, S = 4"], density[1].cdf).statistic > critical
    # D = 0: SGD's variance is the exact discrete one (4 standard errors from the fourth
    # moment), and at eta = 0.2 more than 4 standard errors from the SGF's.
    for label, (method, eta, batch, _) in ns["CASES"].items():
        if method != "sgd":
            continue
        v = samples[0, label]
        se = np.sqrt(np.var((v - v.mean()) ** 2) / v.size)
        assert abs(v.var(ddof=1) - discrete_variance(moments, eta, batch)) < 4 * se, label
    v = samples[0, "SGD, eta = 0.2, S = 4"]
    se = np.sqrt(np.var((v - v.mean()) ** 2) / v.size)
    assert v.var(ddof=1) - density[0].variance > 4 * se
    assert "D = 1, SGF: mean =" in out
    assert_plot(tmp_path / "sgd_vs_sgf.png")


def test_discrete_collapse(tmp_path, monkeypatch, capsys):
    ns, out = run_example("discrete_collapse", tmp_path, monkeypatch, capsys)
    x, y, seed, draws = ns["x"], ns["y"], ns["SEED"], ns["DRAWS"]
    windows = ns["windows"]
    assert len(windows[1]) == 2 and len(windows[4]) == 2 and windows[16] == []
    # Each reported threshold is a sign change of max(Lambda_+, Lambda_-), evaluated here on
    # the same batches 1 % on either side.
    for s, roots in windows.items():
        means = batch_means(x * y, s, [seed, s], draws)
        for i, t in enumerate(roots):
            below, above = top_exponent(means, 0.99 * t * s), top_exponent(means, 1.01 * t * s)
            assert below * above < 0, (s, t)
            assert (above < 0) == (i % 2 == 0), (s, t)  # odd roots enter a collapse window
    # The S = 1 window starts near the SGF's T_c (within 5 % on these data).
    assert windows[1][0] == pytest.approx(critical_temperature(ns["moments"]), rel=0.05)
    # Simulated drifts of log|v| have the predicted sign and size (4 standard errors).
    t_in, drift_in, se_in, predicted_in = ns["drift"]["inside"]
    t_below, drift_below, se_below, predicted_below = ns["drift"]["below"]
    assert windows[1][0] < t_in < windows[1][1] and t_below < windows[1][0]
    assert drift_in < 0 < drift_below
    assert abs(drift_in - predicted_in) < 4 * se_in
    assert abs(drift_below - predicted_below) < 4 * se_below
    assert "S = 16: never collapses" in out
    assert_plot(tmp_path / "discrete_collapse.png")
