import numpy as np
import pytest
from scipy import integrate

from sgdbalance import discrete
from sgdbalance.moments import Moments


def data(k, sigma, n=20000, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    return x, k * x + sigma * rng.standard_normal(n)


def test_batch_means_lists_every_batch_when_cheap_and_draws_otherwise():
    z = np.array([0.0, 1.0, 3.0])
    bm = discrete.batch_means(z, 2, seed=0)
    expected = sorted((a + b) / 2 for a in z for b in z)  # 9 ordered pairs, with replacement
    assert bm.exact and sorted(bm.values) == expected
    assert discrete.batch_means(z, 1, seed=0).values.tolist() == z.tolist()
    big = discrete.batch_means(np.arange(5000.0), 4, seed=7, draws=1000)
    assert not big.exact and big.values.size == 1000
    assert np.array_equal(big.values, discrete.batch_means(np.arange(5000.0), 4, 7, 1000).values)
    with pytest.raises(ValueError, match="batch must be >= 1"):
        discrete.batch_means(z, 0, seed=0)


def test_small_eta_expansion_of_the_balanced_exponent():
    # Lambda_+ = 2 eta beta2 - 2 eta^2 E[m^2] + O(eta^3), E[m^2] = beta2^2 + alpha3 / S.
    x, y = data(0.1, 1.0)
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
        got = discrete.lyapunov_exponents(bm, eta)["plus"]
        assert got == pytest.approx(expected, rel=1e-3)


def test_thresholds_are_roots_with_a_collapse_window_between_them():
    x, y = data(0.1, 1.0)
    bm = discrete.batch_means(x * y, 1, seed=0)
    roots = discrete.collapse_thresholds(bm, eta_max=2.0)
    assert len(roots) == 2  # 0 attracts only in a window: log|1 + 2 eta m| grows like log eta
    for r in roots:
        assert abs(discrete.top_exponent(bm, r)) < 1e-10
    lo, hi = roots
    assert discrete.top_exponent(bm, 0.9 * lo) > 0 > discrete.top_exponent(bm, (lo + hi) / 2)
    assert discrete.top_exponent(bm, 1.1 * hi) > 0
    m = Moments.of_samples(x, y)
    assert 0.8 < lo / (m.beta2 / m.alpha3) < 1.0  # below the SGF's T_c here
    assert discrete.threshold_se(bm, lo) == 0.0  # every batch listed


def test_no_threshold_when_the_signal_is_strong():
    x, y = data(0.5, 0.5)
    assert discrete.collapse_thresholds(discrete.batch_means(x * y, 1, 0), eta_max=3.0) == []


def test_population_exponents_match_monte_carlo_of_the_batch_mean():
    k, sigma, n = 0.2, 1.0, 2_000_000
    rng = np.random.default_rng(3)
    for s in (1, 4):
        x = rng.standard_normal((n, s))
        m = (x * (k * x + sigma * rng.standard_normal((n, s)))).mean(axis=1)
        for eta in (0.1 * s, 0.4 * s):
            exact = discrete.population_lyapunov(eta, s, k, sigma)
            for name, sign in (("plus", 1), ("minus", -1)):
                sample = np.log(np.abs(1 + sign * 2 * eta * m))
                se = sample.std() / np.sqrt(n)
                assert abs(exact[name] - sample.mean()) < 4 * se, (s, eta, name)


def test_exponential_expectation_series_joins_the_closed_form():
    # Below |c| = 1/40 an asymptotic series replaces e^z E1(z), which overflows for small |c|.
    for c in (1 / 40 * (1 - 1e-9), -1 / 40 * (1 - 1e-9)):
        series = discrete._expected_log_exponential(c)
        closed = discrete._expected_log_exponential(c * (1 + 2e-9))
        assert series == pytest.approx(closed, rel=1e-8)
    direct = integrate.quad(lambda s: np.exp(-s) * np.log(1 + 0.3 * s), 0, np.inf)[0]
    assert discrete._expected_log_exponential(0.3) == pytest.approx(direct, rel=1e-10)
    assert discrete._expected_log_exponential(1e-3) == pytest.approx(1e-3 - 1e-6, rel=1e-5)


@pytest.mark.parametrize("batch", [1, 4, 16])
def test_kesten_index_is_two_where_the_variance_diverges(batch):
    # E|1 - 2 eta m2|^2 = 1  <=>  eta = E[m2] / E[m2^2] = S / (S + 2): T = 1 / (S + 2).
    t = 1 / (batch + 2)
    assert discrete.population_kesten_index(t * batch, batch) == pytest.approx(2.0, abs=1e-8)


def test_kesten_index_of_a_training_set():
    rng = np.random.default_rng(4)
    x = rng.standard_normal(5000)
    bm = discrete.batch_means(x * x, 1, seed=0)
    eta = np.mean(x**2) / np.mean(x**4)  # the exact identity on the training set
    out = discrete.kesten_index(bm, eta)
    assert out["kappa"] == pytest.approx(2.0, abs=1e-9) and out["kappa_se"] == 0.0
    # Below 1 / max x^2 no batch has |A| > 1: bounded support, no power law.
    assert discrete.kesten_index(bm, 0.9 / np.max(x**2))["kappa"] == np.inf
    # E log|A| >= 0: no stationary law.
    assert discrete.kesten_index(bm, 5.0)["kappa"] == 0.0


def test_kesten_index_at_large_kappa_solves_its_equation():
    # kappa ~ 17 at T = 0.05: the integrand lives where x^2 ~ 2 kappa, far in the tail.
    eta = 0.05
    kappa = discrete.population_kesten_index(eta, 1)
    assert kappa > 15
    r0 = 1 / np.sqrt(2 * eta)

    def f(x):
        return np.sqrt(2 / np.pi) * np.exp(-x * x / 2) * np.abs(1 - 2 * eta * x * x) ** kappa

    total = sum(integrate.quad(f, a, b, epsrel=1e-12, limit=400)[0]
                for a, b in ((0, r0), (r0, 3 * r0), (3 * r0, 12 * r0)))  # fmt: skip
    assert total == pytest.approx(1.0, abs=1e-9)


def test_monte_carlo_kesten_index_agrees_with_the_population():
    rng = np.random.default_rng(5)
    x = rng.standard_normal(400_000)
    out = discrete.kesten_index(discrete.batch_means(x * x, 4, seed=1), 0.8)
    assert out["kappa_se"] > 0
    pop = discrete.population_kesten_index(0.8, 4)
    assert abs(out["kappa"] - pop) < 4 * out["kappa_se"] + 0.02  # + training-set spread


def test_second_order_forms():
    m = Moments.population(0.2, 1.0)
    assert discrete.second_order_threshold(m, 1) == pytest.approx(m.beta2 / (m.alpha3 + m.beta2**2))
    # kappa = 2 at T = 1/(S + 2) holds for the second-order form as well (x ~ N(0, 1)).
    assert discrete.second_order_kappa(m, 1 / 6, 4) == pytest.approx(2.0)


def test_threshold_report_lists_every_batch_size():
    x, y = data(0.1, 1.0, n=2000)
    out = discrete.threshold_report(x, y, [1, 4], eta_max=2.0, seed=0)
    rows = {r["batch"]: r for r in out["per_batch"]}
    assert rows[1]["exact_batches"] and not rows[4]["exact_batches"]
    assert len(rows[1]["thresholds"]) == 2 and rows[4]["threshold_se"][0] > 0
