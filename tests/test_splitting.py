"""RESTART splitting: the engine's own dynamics, unbiased against plain simulation and the
theory, deterministic, and clear about bad parameters."""

import dataclasses

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
from sgdbalance.theory.tails import survival as survival_of


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


def recorded_by_the_main_run(substeps, h, burn_steps, main_steps):
    """What a splitting main run without levels records, from the reference's sub-steps
    ``(length, v)``: it runs ``burn_steps`` steps h, then records the state after each
    sub-step, held for the length of the next one, until its held time reaches ``main_steps``
    steps; the time counted in whole steps and in sub-steps apart, as ``_restart`` counts it.
    Returns the recorded v, how long each was held, the sub-steps taken and the recorded
    time."""
    i, whole, part = 0, 0, 0.0
    while whole + part / h < burn_steps:
        length = substeps[i][0]
        whole, part = (whole + 1, part) if length == h else (whole, part + length)
        i += 1
    whole, part, v, held = 0, 0.0, [], []
    while whole + part / h < main_steps:
        length = substeps[i + 1][0]  # the sub-step taken from this state
        whole, part = (whole + 1, part) if length == h else (whole, part + length)
        v.append(substeps[i][1])
        held.append(length)
        i += 1
    return np.array(v), np.array(held), i, whole * h + part


@pytest.mark.parametrize("depth", [0, 1, 2, 3])
def test_without_a_split_the_main_run_is_the_reference_trajectory(data, depth):
    """No levels: the recorded visits are exactly the |v| of the engine's reference update
    after each sub-step (the same stream), and the recorded time is theirs. At D = 0 every
    sub-step is a step dt; at D >= 1 a small ``max_relative_step`` gives thousands of
    shorter ones."""
    x, y = data
    p = sgf(depth=depth, max_rel=0.01)
    s = split(count=0, replicates=2, time=1.0, burn_in=0.25)
    out = tail_splitting(x, y, p, s)
    key = int(run_keys(s.seed, range(1))[0])
    long_run = EnsembleParams(**{**p.__dict__, "time": s.time + s.burn_in + 1.0})  # to spare
    substeps = []
    trajectory(x * x, x * y, Moments.of_samples(x, y), long_run, key, substeps)
    burn_steps, main_steps = round(s.burn_in / p.step), round(s.time / p.step)
    v, held, taken, time = recorded_by_the_main_run(substeps, p.step, burn_steps, main_steps)
    if depth >= 1:
        assert taken > 2 * (burn_steps + main_steps)  # the sub-steps are exercised
    lo, hi, n = s.bins
    slot = np.floor((np.log(np.abs(v)) - np.log(lo)) * (n / np.log(hi / lo))).astype(int)
    inside = (slot >= 0) & (slot < n)
    expected = np.bincount(slot[inside], minlength=n)
    assert out["visits"][0].tolist() == expected.tolist()
    occupied = np.bincount(slot[inside], weights=held[inside], minlength=n) / time
    np.testing.assert_allclose(out["probability"][0], occupied, rtol=1e-12, atol=0)
    assert out["main_substeps"][0] == taken
    assert out["main_time"][0] == time
    assert out["copy_substeps"][0] == 0
    np.testing.assert_allclose(out["probability"][0].sum() + out["under"][0] + out["over"][0], 1.0)


def test_every_substep_is_recorded_for_its_length(data):
    """D = 2: the engine takes several sub-steps per step dt in the tail; each is a visit,
    and the recorded time adds up to the main run's time."""
    x, y = data
    out = tail_splitting(x, y, sgf(depth=2), split(count=0, replicates=2, time=20.0))
    main = out["visits"].sum(axis=1) + 0  # no copies: every visit is the main's
    assert (out["copy_substeps"] == 0).all()
    assert (out["main_substeps"] > main).all()  # the burn-in is not recorded ...
    assert (main > 20.0 / 0.005).all()  # ... but more sub-steps than steps are
    assert ((out["main_time"] >= 20.0) & (out["main_time"] < 20.0 + 0.005)).all()  # a sub-step
    np.testing.assert_allclose(out["probability"].sum(axis=1) + out["under"] + out["over"], 1.0)


def test_deep_tails_by_splitting_match_plain_simulation_and_the_theory(data):
    """D = 2 at its experiments' step dt = 0.005: P(|v| > x) by splitting agrees with plain
    simulation of the same chain where that reaches (4 standard errors), and with the
    theory near 1e-8 within 4 standard errors plus 10 % (the step bias)."""
    x, y = data
    p = sgf(depth=2)
    levels = dict(first=1.6, factor=8.0, count=3, splits=3, replicates=32, time=50.0)
    out = tail_splitting(x, y, p, split(**levels, seed=11))
    plain = tail_splitting(x, y, p, split(**(levels | {"count": 0}), seed=12))
    edges = out["edges"]
    density = stationary_density(Moments.of_samples(x, y), depth=2, temperature=p.temperature)
    survival = survival_of(density, edges[:-1])
    above = lambda o, j: o["probability"][:, j:].sum(axis=1) + o["over"]  # noqa: E731
    j = int(np.argmin(np.abs(np.log(survival) - np.log(1e-2))))
    a, b = above(out, j), above(plain, j)
    assert abs(a.mean() - b.mean()) < 4 * np.hypot(a.std(ddof=1), b.std(ddof=1)) / np.sqrt(32)
    j = int(np.argmin(np.abs(np.log(survival) - np.log(1e-8))))
    a = above(out, j) / survival[j]
    assert abs(a.mean() - 1.0) < 4 * a.std(ddof=1) / np.sqrt(a.size) + 0.1
    assert (above(plain, j) == 0).mean() > 0.5  # plain simulation does not get there


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
        for name in ("probability", "visits", "copy_substeps", "deepest"):
            np.testing.assert_array_equal(whole[name], other[name])
    assert whole["copy_substeps"].sum() > 0


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
        ({"count": -1}, "count must be >= 0"),
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


@pytest.mark.parametrize("burn_in", [5.0, 0.0])  # diverged in the burn-in, or recording
def test_a_main_run_that_diverges_as_an_ensemble_run_would_is_refused(data, burn_in):
    # The main run starts at v = 0.5 and stays near k = 0.5; an ensemble with diverge_at = 0.3
    # would count it as diverged at the end of its first step. A replicate cannot drop its
    # main run, so the estimate stops with the reason.
    x, y = data
    p = dataclasses.replace(sgf(1), diverge_at=0.3)
    with pytest.raises(
        RuntimeError, match=r"replicate 0: the main run diverged \(\|v\| > diverge_at = 0.3 "
    ):
        tail_splitting(x, y, p, split(burn_in=burn_in, replicates=2))


def test_a_copy_that_stays_above_its_level_too_long_is_refused(data):
    # Copies of the first level (|v| >= 0.7, from a main run near 0.5) cannot fall back below
    # it within 3 sub-steps: the estimate stops and names the limit.
    x, y = data
    with pytest.raises(
        RuntimeError, match=r"replicate 0: a copy diverged or stayed above its level for 3 sub"
    ):
        tail_splitting(x, y, sgf(1), split(replicates=2, max_copy_substeps=3))
