import numpy as np
import pytest
from scipy import integrate

from sgdbalance.theory.density import (
    NotNormalisable,
    critical_temperature,
    linear_regression_density,
    stationary_density,
    tail_exponent,
)
from sgdbalance.theory.moments import Moments

M = Moments.population(k=0.5, sigma=0.5)  # T_c = 2/3 for D = 1


def test_linear_regression_matches_closed_form_normalised_by_quad():
    for temperature in (0.05, 0.3, 0.6):
        d = stationary_density(M, depth=0, temperature=temperature)

        def closed_form(v, temperature=temperature):
            return linear_regression_density(v, M, temperature)

        pieces = ((-np.inf, -1), (-1, 0.5), (0.5, 2), (2, np.inf))
        z = sum(integrate.quad(closed_form, a, b, limit=400)[0] for a, b in pieces)
        v = np.array([-2.0, -0.3, 0.2, 0.5, 0.9, 3.0])
        np.testing.assert_allclose(d.pdf(v), closed_form(v) / z, rtol=1e-4)


def test_asymmetric_linear_regression_density():
    m = Moments(alpha1=2.0, alpha2=0.4, alpha3=1.0, beta1=1.0, beta2=0.8)  # arctan term on
    d = stationary_density(m, depth=0, temperature=0.2)
    v = np.linspace(-1, 3, 9)
    ratio = d.pdf(v) / linear_regression_density(v, m, 0.2)
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-4)


def _fokker_planck_log_density(v, v0, depth, temperature, m):
    """log p(v) - log p(v0) of the 1-d SDE for v on the balanced manifold, from its Ito
    coefficients, integrated by quad: an independent route to Thm 4.2 (width 1, v > 0)."""
    p = 2 * depth / (depth + 1)

    def drift_and_var(s):
        a, b2 = 2 * (m.beta1 * s - m.beta2), 4 * temperature * m.g(s)
        drift = (
            -(depth + 1) * s**p * a
            + depth * (depth + 1) / 2 * s ** (1 + 2 * (depth - 1) / (depth + 1)) * b2
        )
        return drift, ((depth + 1) * s**p) ** 2 * b2

    integral = integrate.quad(lambda s: 2 * drift_and_var(s)[0] / drift_and_var(s)[1], v0, v)[0]
    return integral - np.log(drift_and_var(v)[1]) + np.log(drift_and_var(v0)[1])


@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("temperature", [0.05, 0.4])
def test_density_matches_fokker_planck_of_the_reduced_sde(depth, temperature):
    d = stationary_density(M, depth, temperature)
    v0 = 0.5
    for v in (0.05, 0.2, 1.0, 2.5):
        ours = np.log(d.pdf(v)) - np.log(d.pdf(v0))
        assert ours == pytest.approx(
            _fokker_planck_log_density(v, v0, depth, temperature, M), abs=2e-4
        )


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")  # kinks of interp
@pytest.mark.parametrize("depth", [0, 1, 2, 4])
def test_normalised_against_quad(depth):
    d = stationary_density(M, depth, 0.1)
    pieces = [(0.0, 0.5), (0.5, 2.0), (2.0, np.inf)] + ([(-np.inf, 0.0)] if depth == 0 else [])
    total = sum(integrate.quad(d.pdf, a, b, limit=400)[0] for a, b in pieces)
    assert total == pytest.approx(1.0, abs=1e-4)
    assert d.cdf(np.array([1e300]))[0] == pytest.approx(1.0, abs=1e-9)


def test_mass_near_zero_just_below_critical_temperature():
    # p ~ v^(delta - 1) near 0 with delta = (T_c/T - 1)/2: most of the mass lies far below
    # 1e-10 at T = 0.99 T_c, and a grid truncated there would miss it.
    t_c = critical_temperature(M)
    d = stationary_density(M, 1, 0.99 * t_c)
    assert d.cdf(np.array([1e-10]))[0] > 0.8
    # The same answer with a coarser top of the grid: the edges are handled analytically.
    d2 = stationary_density(M, 1, 0.99 * t_c, log_s_max=8.0)
    np.testing.assert_allclose(
        d.cdf(np.array([1e-10, 1e-3, 1.0])), d2.cdf(np.array([1e-10, 1e-3, 1.0])), atol=1e-6
    )


def test_not_normalisable_cases():
    with pytest.raises(NotNormalisable, match="T_c"):
        stationary_density(M, 1, critical_temperature(M))
    for depth in (1, 2, 3):
        with pytest.raises(NotNormalisable, match="wrong-sign"):
            stationary_density(M, depth, 0.1, sign=-1)
    no_noise = Moments(alpha1=2.0, alpha2=1.0, alpha3=0.5, beta1=1.0, beta2=0.5)
    with pytest.raises(NotNormalisable, match="label noise"):
        stationary_density(no_noise, 1, 0.1)
    stationary_density(M, 2, 5.0)  # D >= 2: normalisable at every T


@pytest.mark.parametrize("depth", [0, 1, 2, 3])
def test_tail_slope_matches_prediction(depth):
    d = stationary_density(M, depth, 0.3)
    assert d.tail_slope[1] == pytest.approx(tail_exponent(M, depth, 0.3), abs=1e-6)


def test_variance_of_linear_regression_diverges_at_beta1_over_alpha1():
    t_star = M.beta1 / M.alpha1
    assert np.isfinite(stationary_density(M, 0, 0.95 * t_star).variance)
    assert stationary_density(M, 0, 1.05 * t_star).variance == np.inf


def test_only_width_over_temperature_enters():
    # Only d^(1 - 2/(D+1)) / T enters the exponent (and the prefactor has neither).
    depth, width, temperature = 2, 8, 0.3
    wide = stationary_density(M, depth, temperature, width=width)
    narrow = stationary_density(M, depth, temperature / width ** (1 - 2 / (depth + 1)))
    v = np.array([0.1, 0.4, 1.0])
    np.testing.assert_allclose(wide.pdf(v), narrow.pdf(v), rtol=1e-9)


def test_critical_temperature_of_the_example():
    k, sigma = 1.0, 0.5
    assert critical_temperature(Moments.population(k, sigma)) == pytest.approx(
        k / (2 * k**2 + sigma**2)
    )
    with pytest.raises(ValueError, match="depth D = 1"):
        critical_temperature(M, depth=2)
