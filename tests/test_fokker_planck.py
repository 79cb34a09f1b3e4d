import numpy as np
import pytest
from scipy import integrate

from sgdbalance import checks
from sgdbalance.theory import fokker_planck as fp
from sgdbalance.theory.density import linear_regression_density, stationary_density
from sgdbalance.theory.moments import Moments

M = Moments.population(k=0.5, sigma=0.5)  # T_c = 2/3 for D = 1


def _central_derivatives(f, u, h=1e-4):
    """Gradient and Hessian of f at u by central differences (errors ~h^2)."""
    n = u.size
    eye = np.eye(n) * h
    grad = np.array([(f(u + e) - f(u - e)) / (2 * h) for e in eye])
    hess = np.array(
        [
            [(f(u + a + b) - f(u + a - b) - f(u - a + b) + f(u - a - b)) / (4 * h * h) for b in eye]
            for a in eye
        ]
    )
    return grad, hess


@pytest.mark.parametrize("depth", [0, 1, 2, 3, 4])
def test_reduced_sde_is_ito_formula_of_the_factor_sgf(depth):
    # The SGF of the D + 1 factors: du = -grad L dt + sqrt(T Sigma) dW with the rank-one
    # Sigma = 4 g(v) grad v grad v^T. Ito's formula for v = prod u, by finite differences, at
    # balanced points of either sign of v and with several sign patterns of the factors.
    temperature = 0.3
    a, b = fp.reduced_sde(M, depth, temperature)
    patterns = [[], [0]] + ([[0, 1]] if depth >= 1 else [])
    for negative in patterns:
        for size in (0.05, 0.7, 3.0):
            u = np.full(depth + 1, size ** (1 / (depth + 1)))
            u[negative] *= -1
            v = np.prod(u)
            grad, hess = _central_derivatives(np.prod, u)
            noise = 4 * temperature * M.g(v)
            slope = 2 * (M.beta1 * v - M.beta2)  # L'(v)
            drift = -slope * grad @ grad + 0.5 * noise * np.sum(hess * np.outer(grad, grad))
            variance = noise * (grad @ grad) ** 2
            assert a(v) == pytest.approx(drift, rel=1e-6, abs=1e-12)
            assert b(v) == pytest.approx(variance, rel=1e-6)


def test_reduced_sde_for_two_layers_and_linear_regression():
    v, temperature = np.array([0.1, 0.5, 2.0]), 0.2
    g = M.g(v)
    a, b = fp.reduced_sde(M, 1, temperature)
    np.testing.assert_allclose(
        a(v), -4 * v * (M.beta1 * v - M.beta2) + 4 * temperature * g * v, rtol=1e-13
    )
    np.testing.assert_allclose(b(v), 16 * temperature * g * v**2, rtol=1e-13)
    a, b = fp.reduced_sde(M, 0, temperature)
    v = np.array([-1.0, 0.0, 1.5])
    np.testing.assert_allclose(a(v), -2 * (M.beta1 * v - M.beta2), rtol=1e-13)
    np.testing.assert_allclose(b(v), 4 * temperature * M.g(v), rtol=1e-13)


def _log_zero_flux(v, v0, depth, temperature):
    """log p(v) - log p(v0) for p = exp(∫ 2A/B) / B, by quad."""
    a, b = fp.reduced_sde(M, depth, temperature)
    integral = integrate.quad(lambda s: 2 * a(s) / b(s), v0, v, epsabs=1e-13, epsrel=1e-13)[0]
    return integral - np.log(b(v)) + np.log(b(v0))


def _log_two_layer_closed_form(s, temperature):
    """PAPER.md, D = 1: log of s^(-3/2) / g exp(-(1/T) ∫ (beta1 s - beta2) / (2 s g) ds), with
    the integral by partial fractions: P/s + (Q s + R)/g."""
    m = M
    p = -m.beta2 / m.alpha3
    q = m.beta2 * m.alpha1 / m.alpha3
    r = m.beta1 - 2 * m.beta2 * m.alpha2 / m.alpha3
    root = np.sqrt(m.delta)
    phi = 0.5 * (
        p * np.log(s)
        + q / (2 * m.alpha1) * np.log(m.g(s))
        + (r + q * m.alpha2 / m.alpha1) / root * np.arctan((m.alpha1 * s - m.alpha2) / root)
    )
    return -1.5 * np.log(s) - np.log(m.g(s)) - phi / temperature


@pytest.mark.parametrize("temperature", [0.05, 0.2, 0.5])
def test_zero_flux_density_is_the_two_layer_closed_form(temperature):
    v0 = 0.5
    for v in (1e-4, 0.03, 0.3, 1.0, 5.0):
        expected = _log_two_layer_closed_form(v, temperature) - _log_two_layer_closed_form(
            v0, temperature
        )
        assert _log_zero_flux(v, v0, 1, temperature) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_zero_flux_density_is_thm_4_2(depth):
    # Thm 4.2's p_+ with its integral by quad, against exp(∫ 2A/B) / B: up to a constant.
    temperature, v0, n = 0.2, 0.5, depth + 1

    def log_thm(v):
        def integrand(s):
            return (M.beta1 * s - M.beta2) / (n * s ** (2 * depth / n) * M.g(s))

        phi = integrate.quad(integrand, v0, v, epsabs=1e-13, epsrel=1e-13)[0]
        return -3 * depth / n * np.log(v) - np.log(M.g(v)) - phi / temperature

    for v in (0.01, 0.2, 1.0, 4.0):
        expected = log_thm(v) - log_thm(v0)
        assert _log_zero_flux(v, v0, depth, temperature) == pytest.approx(expected, abs=1e-9)


def _exact_linear_regression(v, window, temperature):
    def p(x):
        return linear_regression_density(x, M, temperature)

    z = integrate.quad(p, *window, epsabs=0, epsrel=1e-12, limit=400, points=[0.5])[0]
    return p(v) / z


def test_fp_converges_at_second_order_to_the_exact_linear_regression_density():
    temperature = 0.2
    window = fp.default_window(M, 0, temperature)
    errors, estimates = [], []
    for n in (250, 500, 1000):
        v, p = fp.stationary_fp(M, 0, temperature, fp.grid_edges(0, window, n))
        errors.append(np.max(np.abs(p / _exact_linear_regression(v, window, temperature) - 1)))
        estimates.append(fp.fp_error_estimate(M, 0, temperature, window, n))
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    np.testing.assert_allclose(orders, 2.0, atol=0.05)
    # The Richardson estimate from the halved grid is the error itself.
    np.testing.assert_allclose(estimates, errors, rtol=0.05)


def test_quadrature_error_bound_covers_the_quadrature_error():
    for temperature in (0.05, 0.2):
        window = fp.default_window(M, 0, temperature)
        theory = stationary_density(M, 0, temperature)
        v = np.linspace(*window, 2001)
        mass = np.diff(theory.cdf(np.asarray(window)))[0]
        exact = _exact_linear_regression(v, window, temperature)
        error = np.max(np.abs(theory.pdf(v) / mass / exact - 1))
        bound = fp.quadrature_error_bound(theory, window)
        assert error <= bound <= 3 * error


def test_fp_converges_to_the_quadrature_density_in_the_hidden_mass_regime():
    # D = 1, T_c/3 < T = 0.5 < T_c: p ~ v^(-5/6) at 0, most mass far below the window.
    # Coarse grids, where the finite-volume error (not the quadrature's) dominates.
    window = (1e-12, 100.0)
    errors = [
        fp.compare_with_quadrature(M, 1, 0.5, window, n)["max_relative_difference"]
        for n in (125, 250, 500)
    ]
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    np.testing.assert_allclose(orders, 2.0, atol=0.2)


def test_width_enters_as_in_thm_4_2():
    window = fp.default_window(M, 2, 0.2, width=4)
    result = fp.compare_with_quadrature(M, 2, 0.2, window, 1000, width=4)
    assert result["max_relative_difference"] < 1e-4


def test_check_passes_on_the_example():
    record = checks.fokker_planck_check(M)
    assert record["passed"]
    assert record["value"] <= record["tolerance"] < 1e-3
    assert record["n"] == fp.N_CELLS and record["seed"] is None
    assert len(record["details"]["cases"]) == len(fp.CASES)
    for case in record["details"]["cases"]:  # each case within 3 x its own error budget
        assert case["difference"] <= 3 * case["error_budget"]
        assert case["observed_order"] == pytest.approx(2.0, abs=0.1)


def _sde_without_ito_term(moments, depth, temperature, width=1):
    drift, diffusion = fp.reduced_sde(moments, depth, temperature, width)

    def wrong_drift(v):
        s = np.abs(v) / width
        n = depth + 1
        ito = 2 * temperature * moments.g(v) * depth * n * v * s ** ((2 * depth - 2) / n)
        return drift(v) - ito

    return wrong_drift, diffusion


def test_check_fails_without_the_ito_correction():
    # Negative control: p ∝ 1/B instead of exp(∫2A/B)/B, off by the factor |v|^(D/(D+1)).
    record = checks.fokker_planck_check(M, sde=_sde_without_ito_term)
    assert not record["passed"]
    assert record["value"] > 100 * record["tolerance"]
