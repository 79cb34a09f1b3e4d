import numpy as np
import pytest
from scipy import integrate

from sgdbalance import checks
from sgdbalance.checks import fluctuation as fluctuation_checks
from sgdbalance.theory import fluctuation as fl
from sgdbalance.theory.density import critical_temperature, stationary_density
from sgdbalance.theory.moments import Moments

M = Moments.population(k=0.5, sigma=0.5)  # beta1/alpha1 = 0.5, T_c = 2/3 for D = 1


@pytest.mark.parametrize("width", [1, 3])
def test_linear_regression_variance_matches_the_ito_moment_formula(width):
    # Ito's formula for v and v^2 at stationarity: Var = T_e g(m) / (beta1 - T_e alpha1),
    # T_e = T d; an independent route to what the quadrature gives.
    temps = np.array([0.05, 0.2, 0.4, 0.49]) / width
    exact = [fl.linear_regression_variance(M, t, width) for t in temps]
    np.testing.assert_allclose(fl.variance_curve(M, 0, temps, width), exact, rtol=1e-4)
    assert fl.linear_regression_variance(M, 0.1, width=1) == pytest.approx(0.1 * 0.25 / 0.8)


def test_linear_regression_variance_diverges_at_beta1_over_alpha1():
    var = fl.variance_curve(M, 0, [0.4, 0.499, 0.501, 0.6])
    assert np.all(np.isfinite(var[:2])) and np.all(np.isinf(var[2:]))
    record = checks.fluctuation_inversion_check(M, 0, seed=1)
    assert record["passed"], record
    lo, hi = record["details"]["bracket"]
    assert lo < 0.5 < hi and hi - lo <= 1e-6 * 0.5
    # Growth like 1/(T_div - T), from the tail |v|^(-2 - beta1/(T alpha1)).
    assert record["details"]["growth_exponent"] == pytest.approx(-1.0, abs=0.02)


def _inversion_slope_by_quad(m):
    """A = ∫ s^2 q_c ds / lim s q_c(s) at T = T_c, with nested quad instead of a grid."""
    t_c = m.beta2 / m.alpha3

    def f(r):  # integrand of Phi for D = 1
        return (m.beta1 * r - m.beta2) / (2 * r * m.g(r))

    def q_c(s):
        phi = integrate.quad(f, 1.0, s, limit=200)[0]
        return s**-1.5 / m.g(s) * np.exp(-phi / t_c)

    # Phi(s) = C - beta2/(2 alpha3) log s + o(1) at 0, so s q_c(s) -> exp(-C / T_c) / alpha3.
    c = -integrate.quad(lambda r: f(r) + m.beta2 / (2 * m.alpha3 * r), 0.0, 1.0)[0]
    h0 = np.exp(-c / t_c) / m.alpha3
    pieces = [(0.0, 0.5), (0.5, 2.0), (2.0, 50.0), (50.0, np.inf)]
    return sum(integrate.quad(lambda s: s**2 * q_c(s), a, b, limit=200)[0] for a, b in pieces) / h0


def test_inversion_slope_matches_quad():
    assert fl.inversion_slope(M) == pytest.approx(_inversion_slope_by_quad(M), rel=1e-4)


def test_two_layer_variance_falls_to_zero_at_critical_temperature():
    t_c = critical_temperature(M)
    eps = np.array([1e-2, 1e-3, 1e-4])
    var = fl.variance_curve(M, 1, t_c * (1 - eps))
    assert np.all(np.diff(var) < 0) and var[-1] < 1e-4
    # Var = A delta (1 + O(delta)), delta = (T_c/T - 1)/2: the mass hiding near 0 is counted.
    delta = (1 / (1 - eps) - 1) / 2
    assert np.all(np.abs(var / (fl.inversion_slope(M) * delta) - 1.0) < 10 * eps)
    assert np.all(np.isnan(fl.variance_curve(M, 1, [t_c, 1.2 * t_c])))


def test_two_layer_check_and_peak():
    record = checks.fluctuation_inversion_check(M, 1, seed=1)
    assert record["passed"], record
    t_peak = record["details"]["peak_temperature"]
    # Brent's maximum against a plain grid of spacing 0.0025 around it.
    grid = np.arange(0.38, 0.43, 0.0025)
    assert abs(grid[np.argmax(fl.variance_curve(M, 1, grid))] - t_peak) <= 0.0025
    assert 0.5 * t_peak < t_peak < critical_temperature(M)


def test_deep_network_variance_decays_as_a_power_law():
    record = checks.fluctuation_inversion_check(M, 2, seed=1)
    assert record["passed"], record
    details = record["details"]
    assert details["decreasing"]
    assert details["extrapolated_exponents"][-1] == pytest.approx(-3.0, abs=1e-4)
    assert fl.decay_exponent(3) == pytest.approx(-2.5)
    # Only T / d^(1 - 2/(D+1)) enters: the peak moves with the width.
    t_wide, v_wide = fl.variance_peak(M, 2, width=8)
    assert t_wide == pytest.approx(details["peak_temperature"] * 2.0, rel=1e-3)
    assert v_wide == pytest.approx(details["peak_variance"], rel=1e-6)


def _ensemble_from(density, n, rng):
    v = density.quantile(rng.random(n))
    return {
        "v_final": v,
        "diverged": np.zeros(n, dtype=bool),
        "sum_v": v,
        "sum_v2": v * v,
        "n_samples": np.ones(n, dtype=np.int64),
    }


@pytest.mark.parametrize(
    "depth, temps, wrong",
    [
        (1, (0.05, 0.4, 0.6), (0.1, 0.4, 0.6)),  # rising then inverted; wrong T at the start
        (0, (0.05, 0.15, 0.3), (0.15, 0.05, 0.3)),  # growing; two ensembles swapped
    ],
)
def test_simulated_variance_check_with_negative_control(depth, temps, wrong):
    # Samples drawn from the theory density itself (seed 3, n = 2000 per temperature) pass
    # at alpha = 0.01; samples from wrong temperatures must fail.
    rng = np.random.default_rng(np.random.SeedSequence(3))

    def runs(ts):
        return [_ensemble_from(stationary_density(M, depth, t), 2000, rng) for t in ts]

    good = checks.simulated_variance_check(runs(temps), temps, M, depth, seed=5, n_boot=2000)
    assert good["passed"], good
    assert good["details"]["resolved_pairs"] >= 1
    bad = checks.simulated_variance_check(runs(wrong), temps, M, depth, seed=5, n_boot=2000)
    assert not bad["passed"]
    assert bad["value"] > 1.0


def test_bootstrap_null_matches_fourth_moment_formula_where_it_exists():
    # D = 0 at T < T_div/3 has a finite fourth moment: the parametric bootstrap's spread of
    # the sample variance must agree with sqrt((mu4 - sigma^4 (n-3)/(n-1)) / n).
    density = stationary_density(M, 0, 0.05)
    rng = np.random.default_rng(np.random.SeedSequence(11))
    null = fluctuation_checks._null_sample_variances(density, 500, 4000, rng)
    assert null.std() == pytest.approx(fluctuation_checks._fourth_moment_se(density, 500), rel=0.1)
    assert (
        fluctuation_checks._fourth_moment_se(stationary_density(M, 1, 0.3), 500) == np.inf
    )  # tail v^-7/2
