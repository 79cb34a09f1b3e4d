import numpy as np
import pytest

from sgdbalance.theory import tails
from sgdbalance.theory.density import stationary_density
from sgdbalance.theory.moments import Moments


def test_hill_recovers_a_pareto_index():
    rng = np.random.default_rng(1)
    kappa = 2.5
    x = rng.pareto(kappa, size=200_000) + 1.0  # P(X > x) = x^-kappa for x >= 1
    assert tails.hill(x, 1.0) == pytest.approx(kappa, rel=0.02)
    with pytest.raises(ValueError, match="fewer than 2"):
        tails.hill(x, 1e9)


def test_bootstrap_interval_covers_the_truth_and_has_the_expected_width():
    rng = np.random.default_rng(2)
    kappa = 3.0
    samples = (rng.pareto(kappa, size=(4000, 5)) + 1.0) * rng.choice([-1, 1], size=(4000, 5))
    fit = tails.hill_bootstrap(samples, 0.1, n_boot=300, seed=3)
    assert fit["n_tail"] == pytest.approx(2000, abs=2)
    assert fit["lo"] < kappa < fit["hi"]
    # Independent samples: the Hill estimator's standard error is kappa / sqrt(n_tail).
    assert fit["std"] == pytest.approx(fit["kappa"] / np.sqrt(fit["n_tail"]), rel=0.2)
    assert tails.hill_bootstrap(samples, 0.1, 300, 3) == fit  # seeded


def test_theory_hill_tends_to_the_asymptotic_index():
    m = Moments.population(0.5, 0.5)
    t = 0.3
    for depth, kappa in ((0, 1 + m.beta1 / (t * m.alpha1)), (1, 2.5), (3, 4 - 3 / 4)):
        d = stationary_density(m, depth, t)
        assert tails.theory_hill(d, 1e6) == pytest.approx(kappa, rel=1e-3)


def test_theory_hill_at_many_thresholds_is_the_integral_at_each():
    """The vectorised form against the definition written out for one threshold at a time:
    trapezoids in log x from u over the grid points above it, and the power law beyond."""
    d = stationary_density(Moments.population(0.5, 0.5), 1, 0.3)
    u = np.concatenate([np.geomspace(0.5, 300, 20), [np.exp(d.log_s[-1]) * 10]])
    kappa_top = -(max(d.tail_slope.values()) + 1.0)
    expected = []
    for x in u:
        log_x = np.concatenate([[np.log(x)], d.log_s[d.log_s >= np.log(x)]])
        surv = tails.survival(d, np.exp(log_x))
        expected.append(surv[0] / (np.trapezoid(surv, log_x) + surv[-1] / kappa_top))
    np.testing.assert_allclose(tails.theory_hill(d, u), expected, rtol=1e-12)
    assert tails.theory_hill(d, u[3]) == pytest.approx(expected[3], rel=1e-12)


def test_theory_hill_matches_sampling_from_the_density():
    m = Moments.population(0.5, 0.5)
    d = stationary_density(m, 2, 0.3)
    v = d.quantile(np.random.default_rng(4).uniform(size=400_000))
    fit = tails.hill_bootstrap(v[:, None], 0.01, n_boot=200, seed=5)
    assert fit["lo"] < tails.theory_hill(d, fit["threshold"]) < fit["hi"]


def test_survival_is_the_tail_mass():
    m = Moments.population(0.5, 0.5)
    d = stationary_density(m, 0, 0.3)
    x = np.array([0.5, 1.0, 2.0])
    expected = 1 - d.cdf(x) + d.cdf(-x)
    # Two interpolations on a grid 0.25 % apart in |v|: agreement well below that.
    np.testing.assert_allclose(tails.survival(d, x), expected, rtol=1e-4)


def _split_from(density, edges, replicates, noise, seed, tilt=0.0):
    """A synthetic splitting output: the theory's bin probabilities times independent
    log-normal noise per replicate and bin, and times ``|v|^tilt`` (a wrong slope)."""
    from sgdbalance.theory.tails import bin_probability

    rng = np.random.default_rng(seed)
    centre = np.sqrt(edges[1:] * edges[:-1])
    p = bin_probability(density, edges) * centre**tilt
    prob = p * rng.lognormal(-(noise**2) / 2, noise, size=(replicates, p.size))
    return {"edges": edges, "probability": prob, "over": np.zeros(replicates),
            "visits": np.full((replicates, p.size), 10_000),
            "roots": np.full((replicates, p.size), 100)}  # fmt: skip


@pytest.fixture(scope="module")
def deep_density():
    return stationary_density(Moments.population(0.5, 0.5), depth=1, temperature=0.3)


def test_tail_slope_passes_the_theory_and_fails_a_wrong_slope(deep_density):
    from sgdbalance.checks import tail_slope

    edges = np.geomspace(1e-2, 1e3, 101)
    right = tail_slope(_split_from(deep_density, edges, 32, 0.3, 1), deep_density, -3.5, 0.05,
                       100, 200, seed=2)  # fmt: skip
    d = right["details"]
    assert right["passed"] and d["lo"] < d["slope"] < d["hi"]
    assert d["window"][0] > 10  # where the theory's local slope is within 0.05 of -3.5
    assert abs(d["theory_slope_in_window"] + 3.5) < 0.05
    wrong = tail_slope(_split_from(deep_density, edges, 32, 0.3, 1, tilt=-0.3), deep_density,
                       -3.5, 0.05, 100, 200, seed=2)  # fmt: skip
    assert not wrong["passed"] and wrong["details"]["slope"] < -3.7


def test_tail_slope_fails_loudly_without_data_in_the_asymptotic_window(deep_density):
    from sgdbalance.checks import tail_slope

    edges = np.geomspace(1e-2, 1e3, 101)
    split = _split_from(deep_density, edges, 8, 0.3, 1)
    split["roots"][:, edges[:-1] > 5] = 0  # the estimate stops before the asymptote
    record = tail_slope(split, deep_density, -3.5, 0.05, 100, 50, seed=2)
    assert not record["passed"] and "does not reach" in record["details"]["reason"]


def test_splitting_against_plain_compares_tail_probabilities(deep_density):
    from sgdbalance.checks import splitting_against_plain

    edges = np.geomspace(1e-3, 1e3, 121)
    split = _split_from(deep_density, edges, 32, 0.1, 3)
    samples = deep_density.quantile(np.random.default_rng(4).random((4000, 8)))
    record = splitting_against_plain(split, samples, [0.01, 0.001])
    assert record["passed"], record["details"]
    assert [p["samples_above"] for p in record["details"]["points"]][0] > 100
    heavier = dict(split, probability=split["probability"] * 1.5)
    assert not splitting_against_plain(heavier, samples, [0.01, 0.001])["passed"]
