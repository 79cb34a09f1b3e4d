import numpy as np
import pytest
from scipy import integrate

from sgdbalance import checks
from sgdbalance.simulate import EnsembleParams, balanced_init
from sgdbalance.theory import scaling as sc
from sgdbalance.theory.density import stationary_density
from sgdbalance.theory.moments import Moments

M = Moments.population(k=0.5, sigma=0.5)  # minimum beta2/beta1 = 0.5


def test_width_and_temperature_keep_d_over_D_T():
    for depth in (4, 7, 32):
        width, temperature = sc.width_and_temperature(depth, 2.0, width_per_depth=0.5)
        assert width == max(1, round(0.5 * depth))
        assert width / (depth * temperature) == pytest.approx(2.0)
    # kappa -> d/(D T) as D grows with d = D.
    kappas = [sc.exponent_coefficient(d, d, 1.0) for d in (4, 64, 4096)]
    assert np.all(np.diff(np.abs(np.array(kappas) - 1.0)) < 0) and kappas[-1] > 0.99


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
def test_limit_density_matches_quad():
    k = 1.0

    def unnormalised(s):
        psi = integrate.quad(lambda r: (M.beta1 * r - M.beta2) / (r**2 * M.g(r)), 1.0, s)[0]
        return s**-3 / M.g(s) * np.exp(-k * psi)

    pieces = [(0.0, 0.2), (0.2, 1.0), (1.0, 10.0), (10.0, np.inf)]
    z = sum(integrate.quad(unnormalised, a, b, limit=200)[0] for a, b in pieces)
    limit = sc.limit_density(M, k)
    v = np.array([0.05, 0.2, 0.5, 1.0, 3.0])
    np.testing.assert_allclose(limit.pdf(v), [unnormalised(s) / z for s in v], rtol=1e-4)
    assert limit.cdf(np.array([1e300]))[0] == pytest.approx(1.0, abs=1e-9)


def test_ks_distance_against_a_dense_grid():
    a, b = stationary_density(M, 0, 0.1), stationary_density(M, 0, 0.2)
    v = np.linspace(-3, 4, 200_001)
    assert sc.ks_distance(a, b) == pytest.approx(np.max(np.abs(a.cdf(v) - b.cdf(v))), abs=1e-4)
    assert sc.ks_distance(a, a) == 0.0


def test_densities_at_fixed_d_over_D_T_converge_to_the_limit():
    result = sc.scaling_collapse(M, 1.0, depths=(4, 8, 16, 32, 64, 128, 256))
    assert np.all(np.diff(result["ks_consecutive"]) < 0)
    assert np.all(np.diff(result["ks_to_limit"]) < 0)
    assert np.all(np.diff(result["ks_to_largest"]) < 0)
    # Convergence like log(D)/D: D = 256 should be 5.0 times closer than D = 32.
    ratio = result["ks_to_limit"][3] / result["ks_to_limit"][-1]
    assert 4.0 < ratio < 6.0 and result["ks_to_limit"][-1] < 0.025
    assert result["std"][-1] == pytest.approx(result["limit_std"], rel=0.02)


def test_three_regimes_at_fixed_depth():
    rows = sc.regimes(M, 32, 1.0, (1, 32, 3200))["rows"]
    small, middle, large = rows
    # d = o(D): collapse towards 0, mean near the small-K value K beta2/alpha3.
    assert small["mean"] < 0.05 and small["mean"] == pytest.approx(small["small_K_mean"], rel=0.2)
    # d ~ D: finite spread; d >> D: concentration at 0.5 with Laplace's width.
    assert middle["std"] > 0.15 and 0.2 < middle["mean"] < 0.45
    assert large["mean"] == pytest.approx(0.5, abs=0.005)
    assert large["std"] == pytest.approx(large["laplace_std"], rel=0.01)
    assert large["std"] < middle["std"] / 5


def test_scaling_check_passes_and_its_negative_control_diverges():
    record = checks.scaling_check(M, 1.0, seed=1)
    assert record["passed"], record
    assert record["value"] <= record["tolerance"] < 0.2
    # Only the depth grows (d = 1, T fixed): the distances grow, nothing converges.
    control = record["details"]["negative_control_fixed_width_and_T_ks_consecutive"]
    assert np.all(np.diff(control) > 0)
    assert control[-1] > 2 * record["details"]["collapse"]["ks_consecutive"][-1]


def _exact_ensemble(depth, width, temperature, n, rng, sample_from=None):
    """Final v of n runs drawn from a density (by default this ensemble's own)."""
    density = stationary_density(M, depth, temperature, width=width)
    source = sample_from or density
    run = {"v_final": source.quantile(rng.uniform(size=n)), "diverged": np.zeros(n, bool)}
    params = EnsembleParams(method="sgf", depth=depth, width=width, eta=temperature, batch=1,
                            dt=0.005, n_runs=n, seed=1, time=1.0,
                            init=balanced_init(0.5, depth, width))  # fmt: skip
    return run, params, density


def _scaling_series(rng, wrong=False):
    curve = {f"D{D}": (D, D, 0.25) for D in (2, 4, 8)}  # K = d/(D T) = 4
    shallow = stationary_density(M, 2, 0.25, width=2)
    series = {
        name: _exact_ensemble(D, d, t, 2000, rng, shallow if wrong else None)
        for name, (D, d, t) in curve.items()
    }
    series["few_paths"] = _exact_ensemble(16, 1, 1.0, 2000, rng)
    series["many_paths"] = _exact_ensemble(4, 64, 0.25, 2000, rng)
    return series


def test_scaling_simulation_check_passes_on_exact_samples_and_fails_when_depth_is_ignored():
    # Seed 7, 2000 runs per ensemble; the tolerance is the KS critical value at 0.001/5.
    regimes = {"collapse": "few_paths", "concentrate": "many_paths"}
    rng = np.random.default_rng(np.random.SeedSequence(7))
    good = checks.scaling_simulation_check(_scaling_series(rng), M, regimes, seed=7)
    assert good["passed"], good
    assert good["details"]["approaching_limit"] and good["details"]["regimes_ok"]
    # Negative control: every curve ensemble drawn from the D = 2 density, as if only
    # d/(D T) mattered at finite depth: the distance to the limit no longer falls with D.
    bad = checks.scaling_simulation_check(_scaling_series(rng, wrong=True), M, regimes, seed=7)
    assert not bad["passed"]
    assert not bad["details"]["all_within_own_density"]
