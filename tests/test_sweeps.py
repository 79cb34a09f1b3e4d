import numpy as np
import pytest

from sgdbalance import checks, discrete
from sgdbalance.discrete import collapse, kesten, sweeps
from sgdbalance.simulate.ensemble import simulate
from sgdbalance.simulate.params import EnsembleParams
from sgdbalance.theory import tails


def test_drift_of_log_v_near_zero_is_twice_the_top_exponent(regression_set):
    x, y = regression_set(0.2, 1.0, 4000)
    p = sweeps.CollapseDriftParams(temperatures=(0.15, 0.3), batch=1, n_runs=4096, steps=400,
                                   seed=3)  # fmt: skip
    out = sweeps.collapse_drift(x, y, p)
    bm = discrete.batch_means(x * y, 1, seed=0)
    for eta, drift, se in zip(out["eta"], out["drift"], out["drift_se"], strict=True):
        assert abs(drift - 2 * collapse.top_exponent(bm, eta)) < 4 * se
    # The check built on it passes, and fails when the drift is shifted by 10 standard errors.
    assert checks.collapse_check(out, x, y, seed=0)["passed"]
    shifted = out | {"drift": out["drift"] + 10 * out["drift_se"]}
    assert not checks.collapse_check(shifted, x, y, seed=0)["passed"]
    broken = out | {"drift": np.array([out["drift"][0], np.nan])}
    assert not checks.collapse_check(broken, x, y, seed=0)["passed"]  # nan fails


def test_engine_seeds_of_a_sweep_differ_by_position_and_length():
    seeds = {sweeps._seed(1), sweeps._seed(1, 0), sweeps._seed(1, 0, 0), sweeps._seed(1, 1)}
    assert len(seeds) == 4


def test_drift_sweep_stops_when_a_run_leaves_the_linear_regime(regression_set):
    x, y = regression_set(0.2, 1.0, 4000)
    p = sweeps.CollapseDriftParams(temperatures=(0.1,), batch=4, n_runs=64, steps=3000, seed=3)
    with pytest.raises(RuntimeError, match="left the linear regime"):
        sweeps.collapse_drift(x, y, p)


def test_kesten_sweep_keeps_the_largest_samples_whatever_the_chunk(monkeypatch, regression_set):
    x, y = regression_set(0.5, 0.5, 4000)
    p = sweeps.KestenTailsParams(points=((0.4, 1),), n_runs=300, steps=200, burn_in=50, seed=5,
                                 keep=100, n_checkpoints=30)  # fmt: skip
    whole = sweeps.kesten_tails(x, y, p)
    monkeypatch.setattr(sweeps, "CHUNK_RUNS", 64)  # 5 chunks
    chunked = sweeps.kesten_tails(x, y, p)
    for key in whole:
        assert np.array_equal(whole[key], chunked[key]), key
    # The same ensemble simulated in one piece: its top 100 |v| after burn-in.
    params = EnsembleParams(method="sgd", depth=0, eta=0.4, batch=1, n_runs=300,
                            seed=sweeps._seed(5, 0), time=200 * 0.4, burn_in=50 * 0.4,
                            init=(0.5,), n_checkpoints=30, diverge_at=1e150,
                            sample_every=200)  # fmt: skip
    r = simulate(x, y, params)
    late = np.abs(r["v"][:, r["checkpoint_steps"] >= 50])
    assert np.array_equal(np.sort(whole["top_value"]), np.sort(late, axis=None)[-100:])
    assert whole["n_samples"][0] == late.size


def test_hill_from_the_top_samples_equals_hill_from_all_of_them():
    rng = np.random.default_rng(2)
    samples = (rng.pareto(2.0, size=(2000, 4)) + 1.0) * rng.choice([-1, 1], size=(2000, 4))
    a = np.abs(samples)
    order = np.argsort(a, axis=None)[-501:]  # the 500 largest and the threshold
    runs = np.broadcast_to(np.arange(2000)[:, None], a.shape).ravel()[order]
    top = tails.hill_bootstrap_top(runs, a.ravel()[order], 2000, n_tail=500, n_boot=200, seed=1)
    threshold = np.sort(a, axis=None)[-501]
    assert top["threshold"] == threshold and top["n_tail"] == 500
    assert top["kappa"] == pytest.approx(1 / np.mean(np.log(a[a > threshold] / threshold)))
    assert top["lo"] < 2.0 < top["hi"]


def test_kesten_check_passes_on_sgd_and_fails_against_the_sgf_index(regression_set):
    x, y = regression_set(0.5, 0.5, 10000)
    p = sweeps.KestenTailsParams(points=((0.5, 1), (0.2, 4)), n_runs=8192, steps=600,
                                 burn_in=200, seed=6, keep=400)  # fmt: skip
    out = sweeps.kesten_tails(x, y, p)
    record = checks.kesten_check(out, x, y, n_tail=300, n_boot=200, seed=7)
    assert record["passed"], record["details"]["per_point"]
    for row in record["details"]["per_point"]:
        # The SGF's index (2 and 3.5 here) is far outside the interval: the check can tell.
        assert abs(row["hill"] - row["sgf"]) > 4 * row["hill_std"]
    # A point with no power-law tail (eta < 1 / max x^2) is an error, not a silent pass.
    short = out | {"eta": np.array([0.5 / np.max(x**2), 0.8])}
    with pytest.raises(ValueError, match="no power-law tail"):
        checks.kesten_check(short, x, y, n_tail=300, n_boot=20, seed=7)


def test_hill_bias_lists_every_tail_count(regression_set):
    x, y = regression_set(0.5, 0.5, 4000)
    p = sweeps.KestenTailsParams(points=((0.4, 1),), n_runs=512, steps=300, burn_in=100,
                                 seed=2, keep=600)  # fmt: skip
    out = kesten.hill_bias(sweeps.kesten_tails(x, y, p), x, [100, 400], n_boot=20, seed=3)
    assert [r["n_tail"] for r in out["per_point"]] == [100, 400]
    assert all(np.isfinite(r["relative_bias"]) for r in out["per_point"])


def test_divergence_map_shapes_and_thresholds():
    p = sweeps.DivergenceMapParams(ks=(0.1, 1.0), temperatures=(0.01, 2.0), batches=(1, 4),
                                   sigma=1.0, n=2000, data_seed=3, n_runs=8, steps=300, seed=4,
                                   theory_draws=4096)  # fmt: skip
    out = sweeps.divergence_map(p)
    assert out["diverged_fraction"].shape == (2, 2, 2)
    assert np.all(out["diverged_fraction"][:, :, 0] == 0)  # small T: no run diverges
    assert out["diverged_fraction"][0, 1, 1] == 1  # k = 1, T = 2: every run diverges
    assert np.isfinite(out["thresholds"][0, 0, 0])  # weak signal, S = 1: a window exists
    assert np.isnan(out["thresholds"][0, 1, 0])  # strong signal: none
    x, _ = p.training_set(0.1)
    assert np.array_equal(x, p.training_set(1.0)[0])  # one draw of x for every k


def test_sweep_params_from_a_config_entry():
    spec = {"kind": "kesten_tails", "dataset": "example", "points": [[0.3, 1]], "n_runs": 10,
            "steps": 20, "burn_in": 5, "seed": 1}  # fmt: skip
    assert discrete.sweep_params(spec).points == ((0.3, 1),)
    with pytest.raises(ValueError, match="burn_in"):
        discrete.sweep_params(spec | {"burn_in": 20})
    with pytest.raises(ValueError, match="integer S"):
        discrete.sweep_params(spec | {"points": [[0.3, 1.5]]})


def test_reading_a_config_leaves_discrete_sweep_params_the_function():
    # The config validators import the module that defines sweep_params; a module of the
    # same name would replace the package's lazy export with itself.
    import sgdbalance.config.validate_runs  # noqa: F401
    from sgdbalance.discrete import sweeps_params

    assert discrete.sweep_params is sweeps_params.sweep_params
