import numpy as np
import pytest
from scipy import integrate

from sgdbalance import discrete
from sgdbalance.discrete import collapse
from sgdbalance.theory.moments import Moments


def test_small_eta_expansion_of_the_balanced_exponent(regression_set):
    # Lambda_+ = 2 eta beta2 - 2 eta^2 E[m^2] + O(eta^3), E[m^2] = beta2^2 + alpha3 / S.
    x, y = regression_set(0.1, 1.0, 20000)
    m = Moments.of_samples(x, y)
    eta = 1e-4
    for s in (1, 2):
        bm = discrete.batch_means(x * y, s, seed=0) if s == 1 else None
        if bm is None:  # S = 2 exactly would list 4e8 batches: use a small set instead
            x2, y2 = x[:1000], y[:1000]
            m = Moments.of_samples(x2, y2)
            bm = discrete.batch_means(x2 * y2, s, seed=0)
        assert bm.exact
        expected = 2 * eta * m.beta2 - 2 * eta**2 * (m.beta2**2 + m.alpha3 / s)
        got = collapse.lyapunov_exponents(bm, eta)["plus"]
        assert got == pytest.approx(expected, rel=1e-3)


def test_thresholds_are_roots_with_a_collapse_window_between_them(regression_set):
    x, y = regression_set(0.1, 1.0, 20000)
    bm = discrete.batch_means(x * y, 1, seed=0)
    roots = collapse.collapse_thresholds(bm, eta_max=2.0)
    assert len(roots) == 2  # 0 attracts only in a window: log|1 + 2 eta m| grows like log eta
    for r in roots:
        assert abs(collapse.top_exponent(bm, r)) < 1e-10
    lo, hi = roots
    assert collapse.top_exponent(bm, 0.9 * lo) > 0 > collapse.top_exponent(bm, (lo + hi) / 2)
    assert collapse.top_exponent(bm, 1.1 * hi) > 0
    m = Moments.of_samples(x, y)
    assert 0.8 < lo / (m.beta2 / m.alpha3) < 1.0  # below the SGF's T_c here
    assert collapse.threshold_se(bm, lo) == 0.0  # every batch listed


def test_no_threshold_when_the_signal_is_strong(regression_set):
    x, y = regression_set(0.5, 0.5, 20000)
    assert collapse.collapse_thresholds(discrete.batch_means(x * y, 1, 0), eta_max=3.0) == []


@pytest.mark.slow
def test_population_exponents_match_monte_carlo_of_the_batch_mean():
    k, sigma, n = 0.2, 1.0, 2_000_000
    rng = np.random.default_rng(3)
    for s in (1, 4):
        x = rng.standard_normal((n, s))
        m = (x * (k * x + sigma * rng.standard_normal((n, s)))).mean(axis=1)
        for eta in (0.1 * s, 0.4 * s):
            exact = collapse.population_lyapunov(eta, s, k, sigma)
            for name, sign in (("plus", 1), ("minus", -1)):
                sample = np.log(np.abs(1 + sign * 2 * eta * m))
                se = sample.std() / np.sqrt(n)
                assert abs(exact[name] - sample.mean()) < 4 * se, (s, eta, name)


def test_exponential_expectation_series_joins_the_closed_form():
    # Below |c| = 1/40 an asymptotic series replaces e^z E1(z), which overflows for small |c|.
    for c in (1 / 40 * (1 - 1e-9), -1 / 40 * (1 - 1e-9)):
        series = collapse._expected_log_exponential(c)
        closed = collapse._expected_log_exponential(c * (1 + 2e-9))
        assert series == pytest.approx(closed, rel=1e-8)
    direct = integrate.quad(lambda s: np.exp(-s) * np.log(1 + 0.3 * s), 0, np.inf)[0]
    assert collapse._expected_log_exponential(0.3) == pytest.approx(direct, rel=1e-10)
    assert collapse._expected_log_exponential(1e-3) == pytest.approx(1e-3 - 1e-6, rel=1e-5)


def test_exponential_expectation_of_a_tiny_step_ends():
    """Below c ~ 5e-307 the series' second term and its tolerance both underflow to 0; the
    loop then ran to j = 1/c (found by tests/test_properties.py at eta = 2.2e-311)."""
    for c in (1e-300, 1e-307, 2.2e-311, -5e-324):
        assert collapse._expected_log_exponential(c) == c  # E log(1 + c s) = c E[s] to rounding
    e = collapse.population_lyapunov(1e-310, 1, 0.2, 1.0)
    assert e["plus"] == pytest.approx(2e-310 * 0.2) and e["minus"] == pytest.approx(-2e-310 * 0.2)


@pytest.mark.slow
def test_threshold_report_lists_every_batch_size(regression_set):
    x, y = regression_set(0.1, 1.0, 2000)
    out = collapse.threshold_report(x, y, [1, 4], eta_max=2.0, seed=0)
    rows = {r["batch"]: r for r in out["per_batch"]}
    assert rows[1]["exact_batches"] and not rows[4]["exact_batches"]
    assert len(rows[1]["thresholds"]) == 2 and rows[4]["threshold_se"][0] > 0


def test_second_order_threshold_is_the_modified_loss_tc_at_s1():
    m = Moments.population(0.2, 1.0)
    expected = m.beta2 / (m.alpha3 + m.beta2**2)
    assert collapse.second_order_threshold(m, 1) == pytest.approx(expected)
