import numpy as np
import pytest

from sgdbalance.theory.moments import Moments


def test_noise_of_per_sample_gradient_is_4g(dataset, moments):
    # Var over the training set of dl/dv = 2 x (v x - y) equals 4 g(v), exactly.
    x, y = dataset
    for v in (-1.3, 0.0, 0.5, 2.0):
        assert np.var(2 * x * (v * x - y)) == pytest.approx(4 * moments.g(v), rel=1e-10)


def test_population_moments_match_a_large_sample():
    rng = np.random.default_rng(np.random.SeedSequence(5))
    x = rng.standard_normal(2_000_000)
    y = 0.7 * x + 0.3 * rng.standard_normal(x.size)
    emp, pop = Moments.of_samples(x, y), Moments.population(0.7, 0.3)
    # Standard errors at n = 2e6 are below 0.01 for these fourth- and sixth-order moments.
    for name in ("alpha1", "alpha2", "alpha3", "beta1", "beta2"):
        assert getattr(emp, name) == pytest.approx(getattr(pop, name), abs=0.03)


def test_delta_is_zero_without_label_noise():
    x = np.random.default_rng(np.random.SeedSequence(1)).standard_normal(1000)
    m = Moments.of_samples(x, 0.5 * x)
    assert not m.has_label_noise
    assert Moments.population(0.5, 0.1).has_label_noise


def test_rejects_impossible_moments():
    with pytest.raises(ValueError, match="positive"):
        Moments(alpha1=-1, alpha2=0, alpha3=1, beta1=1, beta2=1)
    with pytest.raises(ValueError, match="variance"):
        Moments(alpha1=1, alpha2=2, alpha3=1, beta1=1, beta2=1)
