import dataclasses
import math

import numba
import numpy as np
import pytest

from sgdbalance.checks import discrete_identity, sgf_balance
from sgdbalance.simulate import kernels, reference
from sgdbalance.simulate.ensemble import merge, sgd_delta, simulate, step_factors
from sgdbalance.simulate.params import EnsembleParams, balanced_init, balanced_paths
from sgdbalance.simulate.rng import run_keys
from sgdbalance.theory.moments import Moments


def params(**changes):
    base = dict(
        method="sgd",
        depth=1,
        eta=0.05,
        batch=1,
        n_runs=64,
        seed=7,
        time=5.0,
        init=(1.0, 0.5),
        hist_range=(-1.0, 2.0),
        hist_bins=30,
    )
    return EnsembleParams(**(base | changes))


def reference_run(x, y, p, r):
    """Run r of ensemble p by ``reference.py``: its factors after every step, and v at each."""
    key = int(run_keys(p.seed, range(r, r + 1))[0])
    states = reference.trajectory(x * x, x * y, Moments.of_samples(x, y), p, key)
    return states, np.array([reference._value(state)[0] for state in states])


def test_one_sgd_step_matches_a_direct_implementation(dataset):
    # Readable reference: per-sample gradients of l = (v x - y)^2 for D = 2, averaged by hand.
    x, y = dataset
    rng = np.random.default_rng(np.random.SeedSequence(1))
    U = rng.normal(size=(5, 1, 3))
    idx = rng.integers(0, x.size, size=(5, 4))
    eta = 0.1
    expected = U.copy()
    for r in range(5):
        a, b, c = U[r, 0]
        grads = [
            2 * xi * (a * b * c * xi - yi) * np.array([b * c, a * c, a * b])
            for xi, yi in zip(x[idx[r]], y[idx[r]], strict=True)
        ]
        expected[r, 0] -= eta * np.mean(grads, axis=0)
    v = U.prod(axis=-1).sum(axis=-1)
    np.testing.assert_allclose(
        step_factors(U, sgd_delta(v, x * x, x * y, idx, eta)), expected, rtol=1e-12
    )


def test_discrete_balance_identity_holds_to_rounding(dataset):
    x, y = dataset
    rng = np.random.default_rng(np.random.SeedSequence(2))
    record = discrete_identity(x, y, [0.01, 0.5, 2.0], 1, 5000, rng, seed=2)
    assert record["passed"], record
    assert record["value"] < 8
    assert record["details"]["states_eta_G_above_sqrt2"] > 100  # the growing regime is covered


def test_balance_identity_is_sensitive_to_a_wrong_law(dataset):
    # Negative control: the rule (1 - eta |G|) instead of (1 - eta^2 G^2) misses by O(1) units.
    x, y = dataset
    U = np.array([[[1.5, 0.3]]])
    v = U.prod(axis=-1).sum(axis=-1)
    delta = sgd_delta(v, x * x, x * y, np.array([[3]]), 0.3)
    after = step_factors(U, delta)
    before_imb = U[0, 0, 0] ** 2 - U[0, 0, 1] ** 2
    after_imb = after[0, 0, 0] ** 2 - after[0, 0, 1] ** 2
    assert after_imb == pytest.approx((1 - delta[0] ** 2) * before_imb, rel=1e-13)
    assert after_imb != pytest.approx((1 - abs(delta[0])) * before_imb, rel=1e-3)


@pytest.mark.parametrize(
    "method, depth, width, batch, max_relative_step",
    [
        ("sgd", 0, 1, 1, 0.2),
        ("sgd", 1, 1, 1, 0.2),  # the unrolled two-layer path
        ("sgd", 3, 1, 1, 0.2),  # the unrolled D = 3 update
        ("sgd", 1, 1, 3, 0.2),
        ("sgd", 3, 2, 2, 0.2),
        ("sgd", 3, 1, 8, 0.2),  # the benchmark's S = 8: indices in pairs
        ("gd", 2, 1, 1, 0.2),
        ("gd_iso", 1, 2, 1, 0.2),
        ("sgf", 0, 1, 1, 0.2),
        ("sgf", 1, 1, 1, 0.2),
        ("sgf", 2, 3, 1, 0.2),
        ("sgf", 3, 1, 1, 0.05),  # finer sub-steps, as for the tails
    ],
)
def test_kernel_matches_the_readable_reference_bit_for_bit(
    dataset, method, depth, width, batch, max_relative_step
):
    x, y = dataset
    # In the SGF, T = 0.5 and a start at large v: its first steps are taken as sub-steps.
    init = tuple(np.linspace(1.3, 0.4, depth + 1) * (2.5 if method == "sgf" else 1.0))
    p = params(
        method=method,
        depth=depth,
        width=width,
        batch=batch,
        init=init,
        n_runs=5,
        time=60 * 0.05,
        dt=0.05 if method != "sgf" else 0.01,
        eta=0.05 if method != "sgf" else 0.5,
        n_checkpoints=200,
        max_relative_step=max_relative_step,
    )
    out = simulate(x, y, p)
    for r in range(p.n_runs):  # every run: a slip in how runs are interleaved may touch only some
        _, v_ref = reference_run(x, y, p, r)
        np.testing.assert_array_equal(out["v"][r], v_ref[out["checkpoint_steps"]])
        assert out["v_final"][r] == v_ref[-1]


def assert_splits_give_the_same_bits(x, y, p, monkeypatch) -> dict:
    """The ensemble whole, split at an odd run, in calls of 7 steps and on one thread: the same
    bits every way. Returns the whole (STEPS_PER_CALL stays patched for the test)."""
    whole = simulate(x, y, p)
    parts = merge([simulate(x, y, p, runs=range(37, 100)), simulate(x, y, p, runs=range(37))])
    monkeypatch.setattr("sgdbalance.simulate.ensemble.STEPS_PER_CALL", 7)
    numba.set_num_threads(1)
    try:
        serial = simulate(x, y, p)
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    for other in (parts, serial):
        assert whole.keys() == other.keys()
        for key in whole:
            np.testing.assert_array_equal(whole[key], other[key], err_msg=key)
    return whole


@pytest.mark.parametrize("method", ["sgd", "sgf", "gd_iso"])
def test_any_split_of_runs_steps_or_threads_gives_the_same_bits(dataset, method, monkeypatch):
    x, y = dataset
    p = params(method=method, n_runs=100, time=1.0, dt=0.01, burn_in=0.2)
    assert_splits_give_the_same_bits(x, y, p, monkeypatch)


@pytest.mark.parametrize(
    "depth, init, eta", [(0, (1.0,), 1.2), (1, (1.0, 0.5), 0.5), (3, (1.0, 1.0, 0.9, 0.6), 0.5)]
)
def test_minibatches_beside_diverging_runs_give_the_reference_bits(dataset, depth, init, eta):
    # S > 1 with a fifth to two thirds of the runs diverging along the way: the runs beside the
    # first to diverge, and the last, against the reference; a split at an odd run, against
    # the whole.
    x, y = dataset
    p = params(
        depth=depth, init=init, eta=eta, batch=3, n_runs=70, time=200 * eta, n_checkpoints=20
    )
    whole = simulate(x, y, p)
    assert 5 < whole["diverged"].sum() < 60
    parts = merge([simulate(x, y, p, runs=range(33)), simulate(x, y, p, runs=range(33, 70))])
    for key in whole:
        np.testing.assert_array_equal(whole[key], parts[key], err_msg=key)
    first = int(np.flatnonzero(whole["diverged"])[0])
    ck = whole["checkpoint_steps"]
    # Around the first run to diverge (there is no run before run 0), and the last run.
    for r in sorted({first - 1, first, first + 1, p.n_runs - 1} & set(range(p.n_runs))):
        with np.errstate(over="ignore", invalid="ignore"):  # the reference runs on past 1e6
            _, v_ref = reference_run(x, y, p, r)
        gone = np.flatnonzero(~(np.abs(v_ref) <= p.diverge_at))  # the kernel stops a run there
        assert whole["diverged"][r] == (gone.size > 0)
        before = ck < (gone[0] if gone.size else v_ref.size)
        np.testing.assert_array_equal(whole["v"][r, before], v_ref[ck[before]])


@pytest.mark.parametrize("method", ["sgd", "sgf", "gd"])
def test_recording_v_only_keeps_the_same_bits_split_any_way(dataset, method, monkeypatch):
    x, y = dataset
    p = params(method=method, depth=2, init=(1.0, 0.8, 0.6), n_runs=100, time=1.0, dt=0.01,
               burn_in=0.2, n_checkpoints=30)  # fmt: skip
    full = simulate(x, y, p)
    lean = simulate(x, y, dataclasses.replace(p, record="v"))
    monkeypatch.setattr("sgdbalance.simulate.ensemble.STEPS_PER_CALL", 7)
    parts = merge([simulate(x, y, dataclasses.replace(p, record="v"), runs=r)
                   for r in (range(41, 100), range(41))])  # fmt: skip
    dropped = {"v_paths", "imbalance", "norm2", "g_integral", "em_second_order"}
    for out in (lean, parts):
        assert out.keys() == full.keys() - dropped
        for key in out:
            np.testing.assert_array_equal(out[key], full[key], err_msg=key)


def test_an_unknown_record_is_named():
    with pytest.raises(ValueError, match="record must be one of"):
        params(record="paths")


def test_seed_determines_the_result(dataset):
    x, y = dataset
    a, b, c = (simulate(x, y, params(seed=s))["v_final"] for s in (3, 3, 4))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_diverged_runs_are_counted_and_left_out(dataset):
    x, y = dataset
    p = params(eta=2.0, batch=1, time=40.0, burn_in=2.0)  # far beyond stability
    out = simulate(x, y, p)
    assert out["diverged"].all()
    assert np.isnan(out["v_final"]).all()
    assert out["n_samples"].sum() == out["hist_counts"].sum() + out["hist_under"] + out["hist_over"]
    assert np.isfinite(out["sum_v"]).all()


def test_gd_conserves_the_imbalance_up_to_second_order(dataset):
    # GD: I' = (1 - eta^2 G^2) I, so with small eta the imbalance barely moves.
    x, y = dataset
    out = simulate(x, y, params(method="gd", eta=0.01, time=20.0, init=(2.0, 0.1)))
    imb = out["imbalance"]
    assert np.allclose(imb[:, -1], imb[:, 0], rtol=2e-3)


def test_sgf_decay_rate_is_4_T_g(dataset):
    x, y = dataset
    p = params(method="sgf", dt=0.002, time=40.0, n_runs=32, init=(2.0, 0.1))
    record = sgf_balance(simulate(x, y, p), p.temperature, p.seed)
    assert record["passed"], record
    # Negative control recorded with it: a rate 2 T g would miss by ~100 %.
    assert record["details"]["negative_control_rate_2Tg"] > 0.5


def test_sgf_stays_finite_in_the_heavy_tail(dataset):
    # Euler-Maruyama with a fixed step diverges on the D = 1 SGF at T = 0.5 (superlinear
    # coefficients); the state-dependent substeps keep every run finite.
    x, y = dataset
    p = params(method="sgf", eta=0.5, dt=0.002, time=10.0, n_runs=256, init=balanced_init(0.5, 1))
    assert not simulate(x, y, p)["diverged"].any()


def test_params_reject_bad_values():
    with pytest.raises(ValueError, match="eta"):
        params(eta=-0.1)
    with pytest.raises(ValueError, match="D \\+ 1"):
        params(depth=2)
    with pytest.raises(ValueError, match="dt"):
        params(method="sgf")
    with pytest.raises(ValueError, match="burn_in"):
        params(burn_in=10.0)


@pytest.mark.parametrize("method", ["sgd", "sgf"])
def test_a_2d_init_with_identical_rows_gives_the_same_bits_as_the_1d_init(dataset, method):
    x, y = dataset
    shared = dict(method=method, depth=2, width=3, n_runs=40, time=1.0, dt=0.01, burn_in=0.2)
    one = simulate(x, y, params(init=(1.0, 0.7, 0.4), **shared))
    rows = simulate(x, y, params(init=((1.0, 0.7, 0.4),) * 3, **shared))
    assert one.keys() == rows.keys()
    for key in one:
        np.testing.assert_array_equal(one[key], rows[key], err_msg=key)


@pytest.mark.parametrize(
    "method, depth, init",
    [
        ("sgf", 1, ((1.2, 1.2), (-0.3, 0.3))),  # balanced paths of opposite signs
        ("sgf", 2, ((0.9, 0.8, 0.7), (0.2, 0.5, 0.3), (-0.4, 0.6, 0.5))),
        ("sgd", 1, ((1.0, 0.5), (0.1, 0.9))),
    ],
)
def test_kernel_matches_the_reference_with_different_paths(dataset, method, depth, init):
    x, y = dataset
    p = params(
        method=method,
        depth=depth,
        width=len(init),
        init=init,
        n_runs=5,
        time=60 * 0.05,
        dt=0.01,
        eta=0.5 if method == "sgf" else 0.05,
        n_checkpoints=200,
    )
    out = simulate(x, y, p)
    for r in range(p.n_runs):  # every run, as in the bit-for-bit test above
        states, v_ref = reference_run(x, y, p, r)
        paths = np.array([[math.prod(reversed(u)) for u in state] for state in states])
        np.testing.assert_array_equal(out["v_paths"][r], paths[out["checkpoint_steps"]].T)
        np.testing.assert_array_equal(out["v_paths_final"][r], paths[-1])
        np.testing.assert_array_equal(out["v"][r], v_ref[out["checkpoint_steps"]])


def test_path_values_add_up_to_v_and_are_nan_after_divergence(dataset):
    x, y = dataset
    out = simulate(x, y, params(method="sgf", depth=2, width=3, dt=0.01, init=(0.9, 0.8, 0.7)))
    np.testing.assert_allclose(out["v_paths"].sum(axis=1), out["v"], rtol=1e-14)
    np.testing.assert_allclose(out["v_paths_final"].sum(axis=1), out["v_final"], rtol=1e-14)
    single = simulate(x, y, params())
    np.testing.assert_array_equal(single["v_paths"][:, 0], single["v"])  # width 1: v itself
    gone = simulate(x, y, params(eta=2.0, time=40.0))
    assert gone["diverged"].all() and np.isnan(gone["v_paths_final"]).all()


def test_init_of_the_wrong_shape_is_rejected_naming_init():
    for init in [(1.0, 0.5, 0.2), ((1.0, 0.5),) * 3, ((1.0, 0.5), (1.0,)), "ab"]:
        with pytest.raises(ValueError, match=r"init must have shape \(D \+ 1,\)"):
            params(width=2, init=init)
    assert params(width=2, init=((1.0, 0.5), (0.2, -0.3))).path_factors.shape == (2, 2)
    np.testing.assert_allclose(balanced_paths([0.125, -8.0], 2), [[0.5] * 3, [-2.0, 2.0, 2.0]])


@pytest.mark.parametrize(
    "method, depth, batch", [("sgd", 1, 1), ("sgd", 3, 2), ("gd", 2, 1), ("sgf", 1, 1)]
)
def test_weight_decay_matches_the_reference_bit_for_bit(dataset, method, depth, batch):
    x, y = dataset
    p = params(
        method=method,
        depth=depth,
        batch=batch,
        init=tuple(np.linspace(1.3, 0.4, depth + 1)),
        n_runs=3,
        time=40 * 0.05,
        eta=0.05,
        dt=0.01 if method == "sgf" else None,
        n_checkpoints=100,
        weight_decay=0.2,
    )
    out = simulate(x, y, p)
    _, v_ref = reference_run(x, y, p, 0)
    np.testing.assert_array_equal(out["v"][0], v_ref[out["checkpoint_steps"]])
    # and it changes the dynamics: without it, other bits
    plain = simulate(x, y, dataclasses.replace(p, weight_decay=0.0))
    assert not np.array_equal(plain["v_final"], out["v_final"])


def test_gd_with_weight_decay_shrinks_the_imbalance_at_rate_4_gamma(dataset):
    # GD conserves u^2 - w^2; with gamma |theta|^2 both factors shrink by (1 - 2 gamma eta)
    # per step on top, so the imbalance decays like (1 - 2 gamma eta)^2 per step, to O(eta^2).
    x, y = dataset
    gamma, eta = 0.05, 0.01
    p = params(method="gd", eta=eta, init=(2.0, 0.1), time=4.0, n_runs=1, weight_decay=gamma)
    out = simulate(x, y, p)
    imb = out["imbalance"][0]
    rate = -np.log(imb[-1] / imb[0]) / out["checkpoint_time"][-1]
    assert rate == pytest.approx(4 * gamma, rel=0.05)


def test_integer_valued_settings_do_not_compile_the_kernel_again(dataset):
    """A config may write 0 for a float (weight_decay: 0, hist lo: -1): each new type
    signature would cost a compilation of about 15 s in every fresh job."""
    x, y = dataset
    simulate(x, y, params(weight_decay=0.0, hist_range=(-1.0, 2.0), max_relative_step=0.2))
    before = len(kernels.advance.signatures)
    simulate(x, y, params(weight_decay=0, hist_range=(-1, 2), max_relative_step=1, batch=2))
    assert len(kernels.advance.signatures) == before


@pytest.mark.parametrize(
    "method, depth, width, batch, weight_decay",
    [
        ("sgd", 0, 1, 1, 0.0),
        ("sgd", 1, 1, 1, 0.0),  # the unrolled two-layer heavy-ball move
        ("sgd", 1, 1, 3, 0.0),
        ("sgd", 1, 2, 1, 0.0),  # width 2: the general loop at D = 1
        ("sgd", 3, 2, 2, 0.0),
        ("sgd", 3, 1, 8, 0.0),  # the unrolled D = 3 heavy-ball move
        ("sgd", 3, 1, 1, 0.2),
        ("gd", 2, 1, 1, 0.0),
        ("sgd", 1, 1, 1, 0.2),  # weight decay through the velocity
        ("gd", 3, 1, 1, 0.2),
    ],
)
def test_momentum_matches_the_readable_reference_bit_for_bit(
    dataset, method, depth, width, batch, weight_decay
):
    x, y = dataset
    p = params(
        method=method,
        depth=depth,
        width=width,
        batch=batch,
        init=tuple(np.linspace(1.3, 0.4, depth + 1)),
        n_runs=5,
        time=80 * 0.01,
        eta=0.01,  # eta / (1 - beta) = 0.1: stable, and a long way from the start in 80 steps
        n_checkpoints=200,
        weight_decay=weight_decay,
        momentum=0.9,
    )
    out = simulate(x, y, p)
    for r in range(p.n_runs):
        _, v_ref = reference_run(x, y, p, r)
        np.testing.assert_array_equal(out["v"][r], v_ref[out["checkpoint_steps"]])
        assert out["v_final"][r] == v_ref[-1]
    # and momentum changes the dynamics: without it, other bits
    plain = simulate(x, y, dataclasses.replace(p, momentum=0.0))
    assert not np.array_equal(plain["v_final"], out["v_final"])


@pytest.mark.parametrize("method, depth, batch", [("sgd", 1, 1), ("sgd", 2, 3), ("gd", 1, 1)])
def test_momentum_any_split_of_runs_steps_or_threads_gives_the_same_bits(
    dataset, method, depth, batch, monkeypatch
):
    # The velocity is per-run state carried across kernel calls: a split of the steps (7 per
    # call), of the runs (at an odd run) or of the threads must not reset or mix it.
    x, y = dataset
    init = tuple(np.linspace(1.2, 0.5, depth + 1))
    p = params(method=method, depth=depth, batch=batch, init=init, n_runs=100, time=0.5,
               eta=0.01, burn_in=0.1, momentum=0.8)  # fmt: skip
    whole = assert_splits_give_the_same_bits(x, y, p, monkeypatch)
    lean = simulate(x, y, dataclasses.replace(p, record="v"))
    np.testing.assert_array_equal(lean["v"], whole["v"])


def test_zero_momentum_is_plain_sgd_bit_for_bit(dataset):
    x, y = dataset
    a = simulate(x, y, params())
    b = simulate(x, y, params(momentum=0.0))
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_momentum_outside_its_range_or_on_the_sgf_is_refused():
    for beta in (1.0, -0.1, 1.5):
        with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\)"):
            params(momentum=beta)
    for method in ("sgf", "gd_iso"):
        with pytest.raises(ValueError, match="momentum applies to methods"):
            params(method=method, dt=0.01, momentum=0.5)
    assert params(momentum=0.9).temperature == pytest.approx(0.05 / 0.1)
    assert params(momentum=0.9).sgf_time(5.0) == pytest.approx(5.0 / 0.1)
    assert params().sgf_time(5.0) == 5.0


def test_heavy_ball_step_keeps_the_imbalance_recursion(dataset):
    # The engine's own heavy-ball move against the exact (Q, J, K, R) recursion of
    # discrete.momentum, from random states and velocities, 30 steps.
    from sgdbalance.discrete.momentum import imbalance_step
    from sgdbalance.simulate.ensemble import step_momentum

    x, y = dataset
    rng = np.random.default_rng(np.random.SeedSequence(9))
    eta, beta = 0.005, 0.9  # eta / (1 - beta) = 0.05: stable from these states
    U = rng.normal(size=(500, 1, 2)) * [1.5, 0.3]
    V = rng.normal(size=(500, 1, 2)) * 0.05

    def invariants(U, V):
        u, w, mu, mw = U[:, 0, 0], U[:, 0, 1], V[:, 0, 0], V[:, 0, 1]
        return (u * u - w * w, u * mu - w * mw, mu * mu - mw * mw, w * mu - u * mw)

    state = invariants(U, V)
    for _ in range(30):
        v = U[:, 0, 0] * U[:, 0, 1]
        delta = sgd_delta(v, x * x, x * y, rng.integers(0, x.size, size=(500, 1)), eta)
        state = imbalance_step(*state, delta / eta, eta, beta)
        U, V = step_momentum(U, V, delta, beta)
    scale = (U**2).sum(axis=(1, 2)) + (V**2).sum(axis=(1, 2))
    for a, b in zip(state, invariants(U, V), strict=True):
        assert np.max(np.abs(a - b) / scale) < 1e-11
