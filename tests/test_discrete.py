import numpy as np
import pytest

from sgdbalance import discrete
from sgdbalance.moments import Moments


def data(k, sigma, n=20000, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    return x, k * x + sigma * rng.standard_normal(n)


def test_small_eta_expansion_gives_the_sgf_rate():
    # Lambda(eta) = 2 eta beta2 - 2 eta^2 E[(xy)^2] + ... = 2 eta (beta2 - eta (alpha3 + beta2^2)),
    # so Lambda / eta -> 2 beta2 and its root is the modified-loss T_c to first order.
    x, y = data(0.1, 1.0)
    m = Moments.of_samples(x, y)
    eta = 1e-4
    expected = 2 * eta * (m.beta2 - eta * (m.alpha3 + m.beta2**2))
    assert discrete.lyapunov(x, y, eta) == pytest.approx(expected, rel=1e-3)


def test_threshold_is_a_root_and_collapse_window_exists_for_weak_signal():
    x, y = data(0.1, 1.0)
    out = discrete.collapse_thresholds(x, y, eta_max=2.0)
    first = out["thresholds"][0]
    assert abs(discrete.lyapunov(x, y, first)) < 1e-9
    assert discrete.lyapunov(x, y, 0.9 * first) > 0 > discrete.lyapunov(x, y, 1.1 * first)
    assert 0.8 < out["first_threshold_over_t_c"] < 1.0  # collapses below the SGF's T_c


def test_no_threshold_when_lambda_stays_positive():
    x, y = data(0.5, 0.5)
    out = discrete.collapse_thresholds(x, y, eta_max=1.5)
    assert out["thresholds"] == [] and out["closer_prediction"] is None
    assert out["lambda_max_on_grid"] > 0
