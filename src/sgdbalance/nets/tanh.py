"""SGD on scalar tanh models: the sign of v (Fig. 3, right) and loss against eta (Fig. 5, middle).

Both experiments train ``f(x) = w tanh(u x)`` with the per-sample loss ``l = (f(x) - y)^2`` on a
teacher ``y = w_star tanh(u_star x) + sigma eps``, ``x, eps ~ N(0, 1)``, a training set of ``n``
samples drawn once. A model with ``w`` frozen is the one-layer model (D = 0); training both is
the two-layer model (D = 1), with ``v = w u``. Fig. 3's D = 0 model ``tanh(v x)`` is ``w = 1``.

Randomness: the training set comes from ``SeedSequence(seed, spawn_key=(0,))``, run ``r`` draws
its minibatches from ``SeedSequence(seed, spawn_key=(1, r))``, STEPS_PER_DRAW steps at a time,
so a run's noise depends on ``(seed, r)`` only, never on which runs share a call. Within a run,
both models and (Fig. 5) every learning rate see the same minibatches: common random numbers,
so differences between them are not sampling noise.
"""

from collections.abc import Callable

import numpy as np

from .._shares import join_shares
from ..theory.moments import Moments
from .tanh_params import TanhSignParams, TanhStabilityParams

STREAM_DATA, STREAM_RUNS = 0, 1
STEPS_PER_DRAW = 256  # minibatch indices drawn per run at once; fixed, so draws never shift
DEPTHS = np.array([0, 1])  # model axis of every result: D = 0 (w frozen), D = 1 (both trained)
TRAIN_W = DEPTHS[:, None] == 1


def teacher_data(n: int, u_star: float, w_star: float, sigma: float, seed: int):
    """The training set, from the data stream of ``seed``.

    Returns
    -------
    x, y : ndarray, shape (n,)
        ``x ~ N(0, 1)`` and ``y = w_star tanh(u_star x) + sigma eps``, ``eps ~ N(0, 1)``.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(STREAM_DATA,)))
    x = rng.standard_normal(n)
    return x, w_star * np.tanh(u_star * x) + sigma * rng.standard_normal(n)


def loss(u, w, x, y):
    """Mean over the last axis of ``(w tanh(u x) - y)^2``; ``u, w`` (...), ``x, y`` (..., m)."""
    u, w = np.asarray(u, float)[..., None], np.asarray(w, float)[..., None]
    return ((w * np.tanh(u * x) - y) ** 2).mean(axis=-1)


def gradients(u, w, x, y):
    """Mean over the last axis of ``(dl/du, dl/dw)`` for ``l = (w tanh(u x) - y)^2``.

    Parameters
    ----------
    u, w : ndarray, shape (...)
    x, y : ndarray, shape (..., m)
        Samples, broadcast against ``u[..., None]``.
    """
    u, w = np.asarray(u, float)[..., None], np.asarray(w, float)[..., None]
    t = np.tanh(u * x)
    r = 2.0 * (w * t - y)  # dl/df
    return (r * w * x * (1.0 - t * t)).mean(axis=-1), (r * t).mean(axis=-1)


def sgd_step(u, w, x, y, eta, train_w):
    """One step ``theta - eta * grad``; ``w`` moves only where ``train_w`` (bool, broadcast)."""
    gu, gw = gradients(u, w, x, y)
    return u - eta * gu, np.where(train_w, w - eta * gw, w)


def minibatches(seed: int, runs: range, n: int, batch: int, steps: int):
    """Yield each step's minibatch indices, shape (len(runs), batch), drawn with replacement."""
    gens = [
        np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(STREAM_RUNS, r)))
        for r in runs
    ]
    for first in range(0, steps, STEPS_PER_DRAW):
        block = np.stack([g.integers(n, size=(STEPS_PER_DRAW, batch)) for g in gens])
        yield from block.transpose(1, 0, 2)[: steps - first]


def _advance(state, x, y, idx, eta, bound, step):
    """Move ``state['u'], state['w']`` one step; stop (freeze) runs that leave ``|.| <= bound``."""
    u, w = sgd_step(state["u"], state["w"], x[idx], y[idx], eta, state["train_w"])
    ok = np.isfinite(u) & np.isfinite(w) & (np.abs(u) <= bound) & (np.abs(w) <= bound)
    state["diverge_step"][state["alive"] & ~ok] = step
    state["alive"] &= ok
    state["u"] = np.where(state["alive"], u, state["u"])
    state["w"] = np.where(state["alive"], w, state["w"])


def _state(u, w, train_w):
    u = np.array(u, dtype=float)
    return {
        "u": u,
        "w": np.broadcast_to(np.asarray(w, float), u.shape).copy(),
        "train_w": train_w,
        "alive": np.ones(u.shape, dtype=bool),
        "diverge_step": np.full(u.shape, -1, dtype=np.int64),
    }


def _sampled(step: int, p) -> bool:
    return step > p.burn_in and (step - p.burn_in) % p.sample_every == 0


def train_signs(
    params: TanhSignParams,
    progress: Callable[[int, int], None] | None = None,
    *,
    runs: range | None = None,
) -> dict[str, np.ndarray]:
    """Fig. 3 (right): train both models from ``+v0`` and ``-v0``; sample v after burn-in.

    D = 0 is ``tanh(v x)`` (``u = v``, ``w = 1`` frozen); D = 1 starts balanced,
    ``|u| = |w| = sqrt(v0)`` with the sign on ``u``. Both see the same minibatches in a run.

    Parameters
    ----------
    runs : range, optional
        Run indices to simulate (default all); results of disjoint ranges join with ``merge``.
    progress : callable, optional
        Called as ``progress(steps_done, steps)`` every STEPS_PER_DRAW steps.

    Returns
    -------
    dict of ndarray
        Model axis first (``depth`` = 0, 1), run axis last. ``first_run``; ``start_sign`` (runs,);
        ``v_final``, ``v_abs_min`` (smallest ``|v|`` over training), ``wrong_fraction``
        (fraction of samples with ``v < -v_tol``), ``diverged``, ``diverge_step`` (2, runs);
        ``checkpoint_steps`` (K,), ``v_checkpoints`` (2, K, runs); ``hist_edges`` (bins+1,),
        ``hist_counts`` (2, 2, bins) over (model, start sign +/-), ``hist_under``,
        ``hist_over`` (2, 2); ``n_samples``: samples per run; ``x``, ``y`` (n,): the training
        set; ``t_c_linear``: ``beta2 / alpha3`` of the training set, the D = 1 critical
        temperature of the linearised model ``w u x``.
    """
    p = params
    runs = range(p.n_runs) if runs is None else runs
    x, y = teacher_data(p.n, p.v_star, 1.0, p.sigma, p.seed)
    sign = np.where(np.asarray(runs) < p.n_runs // 2, 1.0, -1.0)
    root = np.sqrt(p.v0)
    state = _state([sign * p.v0, sign * root], [[1.0], [root]], TRAIN_W)
    checkpoints = np.unique(np.geomspace(1, p.steps, p.n_checkpoints).round().astype(np.int64))
    checkpoints = np.concatenate([[0], checkpoints])
    v_ck = np.zeros((2, checkpoints.size, len(runs)))
    v_ck[:, 0] = state["u"] * state["w"]
    v_abs_min = np.abs(v_ck[:, 0]).copy()
    wrong = np.zeros((2, len(runs)), dtype=np.int64)
    lo, hi = p.hist_range
    # flat bin index of (model, start sign, bin), with one under- and one overflow bin each
    group = (np.arange(2)[:, None] * 2 + (sign < 0)) * (p.hist_bins + 2)
    counts = np.zeros(4 * (p.hist_bins + 2), dtype=np.int64)
    batches = minibatches(p.seed, runs, p.n, p.batch, p.steps)
    for step, idx in enumerate(batches, start=1):
        _advance(state, x, y, idx, p.eta, p.diverge_at, step)
        v = state["u"] * state["w"]
        np.minimum(v_abs_min, np.abs(v), out=v_abs_min)
        if _sampled(step, p):
            wrong += v < -p.v_tol
            b = np.clip(np.floor((v - lo) * (p.hist_bins / (hi - lo))), -1, p.hist_bins) + 1
            counts += np.bincount((group + b.astype(np.int64)).ravel(), minlength=counts.size)
        if step in checkpoints:
            v_ck[:, np.searchsorted(checkpoints, step)] = v
        if progress is not None and step % STEPS_PER_DRAW == 0:
            progress(step, p.steps)
    counts = counts.reshape(2, 2, p.hist_bins + 2)
    n_samples = (p.steps - p.burn_in) // p.sample_every
    m = Moments.of_samples(x, y)
    return {
        "first_run": np.int64(runs.start),
        "depth": DEPTHS,
        "start_sign": sign,
        "v_final": state["u"] * state["w"],
        "v_abs_min": v_abs_min,
        "wrong_fraction": wrong / n_samples,
        "diverged": ~state["alive"],
        "diverge_step": state["diverge_step"],
        "checkpoint_steps": checkpoints,
        "v_checkpoints": v_ck,
        "hist_edges": np.linspace(lo, hi, p.hist_bins + 1),
        "hist_counts": counts[:, :, 1:-1],
        "hist_under": counts[:, :, 0],
        "hist_over": counts[:, :, -1],
        "n_samples": np.int64(n_samples),
        "x": x,
        "y": y,
        "t_c_linear": np.float64(m.beta2 / m.alpha3),
    }


def train_stability(
    params: TanhStabilityParams,
    progress: Callable[[int, int], None] | None = None,
    *,
    runs: range | None = None,
) -> dict[str, np.ndarray]:
    """Fig. 5 (middle): train u alone (D = 0) and u, w (D = 1) at every eta; average the loss.

    All (model, eta, run) triples advance together; run ``r`` uses the same minibatches at
    every eta and in both models.

    Returns
    -------
    dict of ndarray
        Axes (model, eta, run). ``first_run``; ``depth`` (2,); ``etas`` (E,); ``loss_mean``: loss
        averaged over the samples after burn-in, nan for a diverged run; ``u2_mean``,
        ``w2_mean``: time averages of ``u^2``, ``w^2`` (nan if diverged); ``diverged``,
        ``diverge_step`` (step at which the run left the bound, -1 if never) (2, E, runs);
        ``loss_teacher``: training loss of the teacher's weights; ``loss_zero``: ``mean y^2``,
        the loss of ``f = 0``, where ``u = w = 0`` (a fixed point of D = 1) sits.
    """
    p = params
    runs = range(p.n_runs) if runs is None else runs
    x, y = teacher_data(p.n, p.u_star, p.w_star, p.sigma, p.seed)
    etas = np.asarray(p.etas, dtype=float)
    shape = (2, etas.size, len(runs))
    state = _state(np.full(shape, p.u0), p.w0, TRAIN_W[:, :, None])
    sums = {key: np.zeros(shape) for key in ("loss_mean", "u2_mean", "w2_mean")}
    batches = minibatches(p.seed, runs, p.n, p.batch, p.steps)
    for step, idx in enumerate(batches, start=1):
        _advance(state, x, y, idx, etas[:, None], p.diverge_at, step)
        if _sampled(step, p):
            sums["loss_mean"] += loss(state["u"], state["w"], x, y)
            sums["u2_mean"] += state["u"] ** 2
            sums["w2_mean"] += state["w"] ** 2
        if progress is not None and step % STEPS_PER_DRAW == 0:
            progress(step, p.steps)
    n_samples = (p.steps - p.burn_in) // p.sample_every
    out = {key: np.where(state["alive"], s / n_samples, np.nan) for key, s in sums.items()}
    return {
        "first_run": np.int64(runs.start),
        "depth": DEPTHS,
        "etas": etas,
        **out,
        "diverged": ~state["alive"],
        "diverge_step": state["diverge_step"],
        "loss_teacher": np.float64(loss(p.u_star, p.w_star, x, y)),
        "loss_zero": np.float64(np.mean(y * y)),
    }


# keys whose last axis is the run axis, joined by merge; histogram counts add up
PER_RUN = ("start_sign", "v_final", "v_abs_min", "wrong_fraction", "diverged", "diverge_step")
PER_RUN += ("v_checkpoints", "loss_mean", "u2_mean", "w2_mean")
SUMMED = ("hist_counts", "hist_under", "hist_over")


def merge(parts: list[dict]) -> dict:
    """Join results of disjoint, adjacent run ranges (of either experiment) into one."""
    return join_shares(parts, PER_RUN, axis=-1, summed=SUMMED)
