import numpy as np

from sgdbalance import checks
from sgdbalance.checks import phase as phase_checks
from sgdbalance.theory.density import stationary_density
from sgdbalance.theory.moments import Moments

M = Moments.population(k=0.5, sigma=0.5)


def _run_from_samples(v):
    return {"v_final": v, "diverged": np.zeros(v.size, dtype=bool)}


def _sample(density, n, rng):
    return density.quantile(rng.uniform(size=n))


def test_density_check_passes_on_exact_samples_and_fails_on_a_wrong_density():
    # Seed 3, n = 4000 draws by inverse CDF. Level 0.001: the true density passes unless a
    # 1-in-1000 event happens (fixed seed, so deterministic); a density at T = 0.1 instead
    # of 0.05 is ~0.15 away in KS distance, far beyond the 0.031 critical value.
    rng = np.random.default_rng(np.random.SeedSequence(3))
    truth = stationary_density(M, 1, 0.05)
    wrong = stationary_density(M, 1, 0.1)
    v = _sample(truth, 4000, rng)
    assert checks.density(_run_from_samples(v), truth, 0.0, 3, 0.001, 0.0)["passed"]
    record = checks.density(_run_from_samples(v), wrong, 0.0, 3, 0.001, 0.0)
    assert not record["passed"]
    assert record["value"] > 3 * record["tolerance"]


def test_summary_lists_failures_first():
    ok = {"passed": True, "statistic": "s", "value": 0.1, "tolerance": 1.0, "n": 3}
    bad = ok | {"passed": False, "value": 2.0}
    lines = checks.summary_lines({"a": ok, "b": bad})
    assert lines[0].startswith("FAIL  b") and lines[1].startswith("PASS  a")


def test_euler_maruyama_log_rate_tends_to_the_sgf_rate():
    beta2, temp, alpha3 = 0.5, 0.8, 0.75
    sgf = 4 * (beta2 - temp * alpha3)
    rates = [
        phase_checks._em_log_growth(h, 2 * beta2, 4 * temp * alpha3) / h for h in (1e-2, 1e-3, 1e-4)
    ]
    errors = [abs(r - sgf) for r in rates]
    assert errors[0] > errors[1] > errors[2] and errors[2] < 1e-2 * abs(sgf)
