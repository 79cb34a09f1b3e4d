"""RESTART splitting: the engine's own dynamics, unbiased against plain simulation and the
theory, deterministic, and clear about bad parameters."""

import numba
import numpy as np
import pytest

from sgdbalance.simulate import splitting
from sgdbalance.simulate.params import EnsembleParams, SplittingParams, balanced_init
from sgdbalance.simulate.reference import trajectory
from sgdbalance.simulate.rng import run_keys
from sgdbalance.simulate.splitting import tail_splitting
from sgdbalance.simulate.threads import in_threads
from sgdbalance.theory import Moments, stationary_density
from sgdbalance.theory.tails import bin_probability, power_law_slope


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(np.random.SeedSequence(5))
    x = rng.standard_normal(2000)
    return x, 0.5 * x + 0.5 * rng.standard_normal(2000)


def sgf(depth, dt=0.005, max_rel=0.05):
    init = balanced_init(0.5, depth)
    return EnsembleParams(method="sgf", depth=depth, eta=0.3, batch=1, dt=dt, n_runs=1, seed=0,
                          time=1.0, init=init, max_relative_step=max_rel)  # fmt: skip


def split(**changes):
    base = dict(first=0.7, factor=1.6, count=8, splits=4, replicates=8, time=50.0, burn_in=5.0,
                seed=3, bins=(1e-2, 1e3, 25))  # fmt: skip
    return SplittingParams(**(base | changes))


def test_without_a_split_the_main_run_is_the_reference_trajectory(data):
    """Levels out of reach: the recorded visits are exactly the |v| of the engine's reference
    update, step by step (the same stream, the same sub-steps)."""
    x, y = data
    p = sgf(depth=1)
    s = split(first=1e9, count=1, replicates=2, time=0.5, burn_in=0.25)
    out = tail_splitting(x, y, p, s)
    key = int(run_keys(s.seed, range(1))[0])
    long_run = EnsembleParams(**{**p.__dict__, "time": s.time + s.burn_in})
    states = trajectory(x * x, x * y, Moments.of_samples(x, y), long_run, key)
    v = np.array([np.prod(state[0][::-1]) for state in states])[int(s.burn_in / p.step) + 1 :]
    lo, hi, n = s.bins
    slot = np.floor((np.log(np.abs(v)) - np.log(lo)) * (n / np.log(hi / lo))).astype(int)
    expected = np.bincount(slot[(slot >= 0) & (slot < n)], minlength=n)
    assert out["visits"][0].tolist() == expected.tolist()
    assert out["copy_steps"][0] == 0
    np.testing.assert_allclose(out["probability"][0].sum() + out["under"][0] + out["over"][0], 1.0)


def test_splitting_agrees_with_plain_simulation_and_the_theory(data):
    """D = 0: P(|v| > x) by splitting and by the same runs without splits, within 4 standard
    errors each, and both near the theory's bins; the splitting reaches much further."""
    x, y = data
    p = sgf(depth=0)
    plain = tail_splitting(x, y, p, split(first=1e9, count=1, time=400.0, seed=4))
    split_out = tail_splitting(x, y, p, split(seed=5))
    edges = split_out["edges"]
    for cut in (2.0, 5.0):
        j = np.searchsorted(edges, cut)
        a = split_out["probability"][:, j:].sum(axis=1)
        b = plain["probability"][:, j:].sum(axis=1)
        se = np.hypot(a.std(ddof=1), b.std(ddof=1)) / np.sqrt(a.size)
        assert abs(a.mean() - b.mean()) < 4 * se
    deepest = lambda out: edges[(out["probability"] > 0).all(axis=0).nonzero()[0][-1]]  # noqa: E731
    assert deepest(split_out) > 4 * deepest(plain)


def test_splitting_reaches_the_theory_tail(data):
    """D = 0: every replicate reaches bins of theory probability below 1e-9, and the slope
    beyond |v| = 10 is the theory's within 0.15 (the normalisation is left to the comparison
    with plain simulation: 16 short replicates fix it to about 10 %)."""
    x, y = data
    p = sgf(depth=0)
    out = tail_splitting(x, y, p, split(count=14, factor=1.5, replicates=16, time=200.0, seed=6))
    edges = out["edges"]
    density = stationary_density(Moments.of_samples(x, y), depth=0, temperature=p.temperature)
    theory = bin_probability(density, edges)
    reached = (out["probability"] > 0).all(axis=0) & (edges[:-1] > 1.0)
    mean = out["probability"].mean(axis=0)
    assert theory[reached].min() < 1e-9
    window = reached & (edges[:-1] > 10)
    idx = window.nonzero()[0]
    w_edges = edges[idx[0] : idx[-1] + 2]
    assert (
        abs(power_law_slope(w_edges, mean[window]) - power_law_slope(w_edges, theory[window]))
        < 0.15
    )


def test_results_do_not_depend_on_how_replicates_are_grouped_or_threaded(data, monkeypatch):
    x, y = data
    p, s = sgf(depth=1), split(replicates=3, time=5.0)
    whole = tail_splitting(x, y, p, s)
    monkeypatch.setattr(splitting, "REPLICATES_PER_CALL", 1)
    one_by_one = tail_splitting(x, y, p, s)
    numba.set_num_threads(1)
    try:
        serial = tail_splitting(x, y, p, s)
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    for other in (one_by_one, serial):
        for name in ("probability", "visits", "copy_steps", "deepest"):
            np.testing.assert_array_equal(whole[name], other[name])
    assert whole["copy_steps"].sum() > 0


@pytest.mark.parametrize("threads", [1, 2])
def test_threads_call_every_item_once_and_return_in_order(threads):
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    calls = []
    try:
        for items in (range(10), range(3, 5), range(1), range(0)):
            calls.clear()
            assert in_threads(lambda i: (calls.append(i), i * i)[1], items) == [
                i * i for i in items
            ]
            assert sorted(calls) == list(items)
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"factor": 1.0}, "factor must be > 1"),
        ({"splits": 1}, "splits must be >= 2"),
        ({"replicates": 1}, "replicates must be >= 2"),
        ({"bins": (10.0, 1.0, 20)}, "bins need 0 < lo < hi"),
        ({"dt": 0.0}, "dt must be > 0"),
    ],
)
def test_bad_parameters_are_named(change, message):
    with pytest.raises(ValueError, match=message):
        split(**change)


def test_only_the_sgf_is_split(data):
    x, y = data
    p = EnsembleParams(method="sgd", depth=1, eta=0.1, batch=1, n_runs=1, seed=0, time=1.0,
                       init=balanced_init(0.5, 1))  # fmt: skip
    with pytest.raises(ValueError, match="splitting runs the SGF"):
        tail_splitting(x, y, p, split())
