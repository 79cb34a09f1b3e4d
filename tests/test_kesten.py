import numpy as np
import pytest
from scipy import integrate

from sgdbalance import discrete
from sgdbalance.discrete import kesten
from sgdbalance.theory.moments import Moments


@pytest.mark.parametrize("batch", [1, 4, 16])
def test_kesten_index_is_two_where_the_variance_diverges(batch):
    # E|1 - 2 eta m2|^2 = 1  <=>  eta = E[m2] / E[m2^2] = S / (S + 2): T = 1 / (S + 2).
    t = 1 / (batch + 2)
    assert kesten.population_kesten_index(t * batch, batch) == pytest.approx(2.0, abs=1e-8)


def test_kesten_index_of_a_training_set():
    rng = np.random.default_rng(4)
    x = rng.standard_normal(5000)
    bm = discrete.batch_means(x * x, 1, seed=0)
    eta = np.mean(x**2) / np.mean(x**4)  # the exact identity on the training set
    out = kesten.kesten_index(bm, eta)
    assert out["kappa"] == pytest.approx(2.0, abs=1e-9) and out["kappa_se"] == 0.0
    # Below 1 / max x^2 no batch has |A| > 1: bounded support, no power law.
    assert kesten.kesten_index(bm, 0.9 / np.max(x**2))["kappa"] == np.inf
    # E log|A| >= 0: no stationary law.
    assert kesten.kesten_index(bm, 5.0)["kappa"] == 0.0


def test_kesten_index_at_large_kappa_solves_its_equation():
    # kappa ~ 17 at T = 0.05: the integrand lives where x^2 ~ 2 kappa, far in the tail.
    eta = 0.05
    kappa = kesten.population_kesten_index(eta, 1)
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
    out = kesten.kesten_index(discrete.batch_means(x * x, 4, seed=1), 0.8)
    assert out["kappa_se"] > 0
    pop = kesten.population_kesten_index(0.8, 4)
    assert abs(out["kappa"] - pop) < 4 * out["kappa_se"] + 0.02  # + training-set spread


def test_kappa_two_interpolation_is_exact_where_kappa_is_two():
    m = Moments.population(0.2, 1.0)
    assert kesten.kappa_two_interpolation(m, 1 / 6, 4) == pytest.approx(2.0)  # T = 1/(S + 2)


def test_kappa_two_interpolation_is_not_the_small_step_limit():
    # Exact where kappa = 2 only: at T = 0.005, S = 1 Kesten's kappa is ~179, the
    # interpolation 67.7, the SGF 101 (x ~ N(0, 1)).
    m = Moments.population(1.0, 0.5)
    exact = kesten.population_kesten_index(0.005, 1)
    assert exact > 150
    assert kesten.kappa_two_interpolation(m, 0.005, 1) < 0.5 * exact


def test_undefined_index_has_nan_error():
    x = np.random.default_rng(1).standard_normal(1000)
    bm = discrete.batch_means(x * x, 1, seed=0)
    out = kesten.kesten_index(bm, 0.5 / np.max(x**2))
    assert out["kappa"] == np.inf and np.isnan(out["kappa_se"])
