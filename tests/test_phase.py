import numpy as np
import pytest

from sgdbalance.theory import phase
from sgdbalance.theory.density import stationary_density
from sgdbalance.theory.moments import Moments


@pytest.mark.parametrize("k, sigma", [(0.5, 0.5), (1.0, 1.0), (0.5, 1.0), (0.3, 0.4)])
def test_t_star_from_the_mode_equation_matches_the_papers_closed_form(k, sigma):
    m = Moments.population(k, sigma)
    t = phase.t_star(m)
    assert t == pytest.approx(phase.t_star_example(k, sigma), rel=1e-10)
    a, b, c = phase.mode_coefficients(m, t)
    assert b * b - 4 * a * c == pytest.approx(0.0, abs=1e-12)  # a double root...
    assert -b / (2 * a) > 0  # ...on the learning side


def test_closed_form_t_star_bounds_no_regime_when_the_double_root_is_negative():
    # Large label noise: the paper's formula gives a T*, but the mode merges with v = 0 at T_c/3.
    m = Moments.population(0.5, 2.0)
    assert np.isfinite(phase.t_star_example(0.5, 2.0))
    assert np.isnan(phase.t_star(m))
    t_c = m.beta2 / m.alpha3
    assert phase.regime(m, 0.99 * t_c / 3) == phase.LEARNING
    assert phase.regime(m, 1.01 * t_c / 3) == phase.NO_MODE


def test_modes_are_the_maxima_of_the_quadrature_density():
    m = Moments.population(0.5, 0.5)
    for t in (0.05, 0.15, 0.3):
        (mode,) = phase.modes(m, t)
        d = stationary_density(m, 1, t)
        v = np.linspace(0.5 * mode, 1.5 * mode, 20001)
        # pdf() interpolates log p linearly on a grid 0.25 % apart: its argmax is a node.
        assert v[np.argmax(d.pdf(v))] == pytest.approx(mode, rel=2.5e-3)
    # Between T* and T_c the density only decreases: no mode.
    assert phase.modes(m, 0.5).size == 0
    d = stationary_density(m, 1, 0.5)
    assert np.all(np.diff(d.pdf(np.linspace(1e-3, 3, 3000))) < 0)


def test_regimes_in_order_along_the_temperature_axis():
    m = Moments.population(0.5, 0.5)  # T_c/3 = 0.22, T* = 0.40, T_c = 0.67
    got = [phase.regime(m, t) for t in (0.1, 0.3, 0.5, 0.7)]
    assert got == [phase.LEARNING, phase.BIMODAL, phase.NO_MODE, phase.COLLAPSE]
    # Weight decay lowers T_c to (beta2 - gamma) / alpha3.
    assert phase.regime(m, 0.6, weight_decay=0.1) == phase.COLLAPSE


def test_regime_map_and_boundaries_shapes():
    sigmas, temps = np.linspace(0.1, 1, 4), np.linspace(0.05, 1, 5)
    assert phase.regime_map(0.5, sigmas, temps).shape == (4, 5)
    b = phase.boundaries(0.5, sigmas)
    np.testing.assert_allclose(b["t_c"], 0.5 / (0.5 + sigmas**2))
    np.testing.assert_allclose(b["t_c_third"], b["t_c"] / 3)
