"""Ensembles of independent runs on the diagonal linear network, advanced by a compiled kernel.

The network of depth D and width d has parameters ``U[i, k] = u_i^(k)``, path values
``v_i = prod_k U[i, k]`` and output ``f(x) = v x`` with ``v = sum_i v_i``. Every per-sample
gradient is ``dl/dv * grad_U v`` with ``dl/dv = 2 x (v x - y)``, so each method moves the
parameters by a scalar per run times ``grad_U v`` (time step ``h``):

- ``sgd``: ``delta = eta * 2 (v m2 - mxy)``, with ``m2``, ``mxy`` the minibatch means of ``x^2``,
  ``x y`` over S samples drawn with replacement; ``h = eta``.
- ``gd``: the same with the full-batch means ``beta1``, ``beta2``; ``h = eta``.
- ``gd_iso``: GD plus isotropic Gaussian noise of variance ``eta T c`` per parameter per step,
  i.e. SGF with ``Sigma = c I`` (``c = iso_noise``); ``h = eta``.
- ``sgd`` and ``gd`` with momentum ``beta > 0`` (heavy ball): ``m = beta m - (delta grad_U v
  + 2 gamma h U)``, ``U = U + m``, with a velocity ``m`` per factor starting at 0; weight decay
  ``gamma`` enters the gradient (coupled), so it goes through the velocity.
- ``sgf``: Euler-Maruyama for ``dU = grad_U v (-2 (beta1 v - beta2) dt + sqrt(4 T g(v)) dW)``,
  the SGF of PAPER.md section 0 (its noise has rank one, along ``grad_U v``); ``h = dt``.

Each run draws from its own counter-based stream keyed by ``(seed, run index)`` (``rng.py``),
and the compiled kernel (``kernels.py``) advances runs independently, so any split of the runs
into jobs, of the steps into calls, or of the work into threads gives the same bits.
"""

from collections.abc import Callable

import numpy as np

from .._shares import join_shares
from ..theory.moments import Moments
from . import kernel_cache, kernels
from .params import METHOD_CODES, EnsembleParams
from .rng import run_keys

STEPS_PER_CALL = 2000  # steps per kernel call, between progress reports
RECORDED = ("v", "imbalance", "norm2", "g_integral", "em_second_order")  # (runs, K) each


def path_values(U) -> np.ndarray:
    """``v_i`` of every path, shape (runs, width), each product taken from its last factor
    down, as the kernel forms it; ``U`` (runs, width, D+1)."""
    out = np.ones(U.shape[:2])
    for k in range(U.shape[2] - 1, -1, -1):
        out = out * U[:, :, k]
    return out


def sgd_delta(v, x2, xy, idx, eta):
    """``eta G`` with ``G = 2 (v m2 - mxy)`` the minibatch mean of ``dl/dv``.

    Parameters
    ----------
    v : ndarray, shape (runs,)
    x2, xy : ndarray, shape (n,)
        ``x^2`` and ``x y`` of the training set.
    idx : ndarray of int, shape (runs, S)
        Minibatch indices, drawn with replacement.
    """
    return eta * 2.0 * (v * x2[idx].mean(axis=1) - xy[idx].mean(axis=1))


def step_factors(U, delta):
    """The engine's move ``U - delta * grad_U v``; ``U`` (runs, width, D+1), ``delta`` (runs,)."""
    out = np.array(U, dtype=float, order="C")
    kernels.apply_step(out, np.asarray(delta, dtype=float))
    return out


def step_momentum(U, V, delta, beta):
    """The engine's heavy-ball move: ``V' = beta V - delta grad_U v``, ``U' = U + V'``.

    Parameters
    ----------
    U, V : ndarray, shape (runs, width, D+1)
        Factors and their velocities.
    delta : ndarray, shape (runs,)
        ``eta G`` per run.
    beta : float
        Momentum, in (0, 1).

    Returns
    -------
    U_next, V_next : ndarray, shape (runs, width, D+1)
    """
    out = np.array(U, dtype=float, order="C")
    vel = np.array(V, dtype=float, order="C")
    kernels.apply_momentum_step(out, vel, np.asarray(delta, dtype=float), float(beta))
    return out, vel


def checkpoint_steps(n_steps: int, n_checkpoints: int) -> np.ndarray:
    """Step 0 and up to ``n_checkpoints`` log-spaced steps ending at ``n_steps``."""
    steps = np.unique(np.geomspace(1, n_steps, n_checkpoints).round().astype(np.int64))
    return np.concatenate([[0], steps])


def simulate(
    x,
    y,
    params: EnsembleParams,
    runs: range | None = None,
    progress: Callable[[int, int, int], None] | None = None,
) -> dict:
    """Run the ensemble (or the runs with indices in ``runs``) and return its statistics.

    Compiled with numba on first use (about 20 s, cached beside the sources) and run in
    parallel over blocks of runs; every run draws from its own stream keyed by ``(seed, run
    index)``, so any split of the runs, the steps or the threads gives the same bits.

    Parameters
    ----------
    x, y : ndarray, shape (n,)
        The training set; full-batch methods and the SGF use its moments.
    params : EnsembleParams
        Method, network, step, duration and what to record.
    runs : range, optional
        Indices of the runs to simulate; all ``n_runs`` by default.
    progress : callable, optional
        Called as ``progress(first_run, runs, step)`` after every STEPS_PER_CALL steps.

    Returns
    -------
    dict of ndarray
        ``first_run``; ``v_final`` (runs,): v at the end, nan if diverged; ``v_paths_final``
        (runs, width): each path's ``v_i`` at the end, nan if diverged; ``diverged`` (runs,);
        ``checkpoint_steps``, ``checkpoint_time`` (K,); ``v`` (runs, K): v at the
        checkpoints; with ``record="all"`` also ``v_paths`` (runs, width, K): each path's
        ``v_i`` there (0 once a run has diverged), ``imbalance`` (``sum_i u_i^(0)2 -
        u_i^(D)2``), ``norm2`` (squared norm of all factors), ``g_integral`` (``∫ g(v)
        dt``), ``em_second_order`` (runs, K); ``hist_edges``
        (bins+1,), ``hist_counts`` (bins,), ``hist_under``, ``hist_over``; ``n_samples``,
        ``sum_v``, ``sum_v2`` (runs,): the samples of v taken after burn-in.

    Examples
    --------
    >>> import numpy as np
    >>> from sgdbalance.simulate import EnsembleParams, balanced_init
    >>> from sgdbalance.theory import Moments, stationary_density
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(1000)
    >>> y = 0.5 * x + 0.5 * rng.standard_normal(1000)
    >>> p = EnsembleParams(method="sgf", depth=1, eta=0.05, batch=1, dt=0.005, n_runs=1000,
    ...                    seed=3, time=20.0, init=balanced_init(0.5, depth=1))
    >>> run = simulate(x, y, p)
    >>> run["v_final"].shape, int(run["diverged"].sum())
    ((1000,), 0)
    >>> density = stationary_density(Moments.of_samples(x, y), depth=1, temperature=0.05)
    >>> v = run["v_final"]
    >>> bool(abs(v.mean() - density.mean) < 4 * v.std() / np.sqrt(v.size))  # 4 s.e.
    True
    """
    p = params
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    m = Moments.of_samples(x, y)
    runs = range(p.n_runs) if runs is None else runs
    n = len(runs)
    U = np.array(
        np.broadcast_to(p.path_factors, (n, p.width, p.depth + 1)), dtype=float, order="C"
    )  # a writable copy, even for 1 run
    # Heavy-ball velocity per run, carried across kernel calls like U (no rows without it).
    V = np.zeros(U.shape if p.momentum > 0 else (0, p.width, p.depth + 1))
    state = {
        "stream": run_keys(p.seed, runs),  # advanced by GOLDEN per draw
        "alive": np.ones(n, dtype=bool),
        "g_int": np.zeros(n),
        "em2": np.zeros(n),
    }
    ck = checkpoint_steps(p.n_steps, p.n_checkpoints)
    record_all = p.record == "all"
    kept = RECORDED if record_all else ("v",)
    rec = {name: np.zeros((n, ck.size) if name in kept else (0, 0)) for name in RECORDED}
    rec["v"][:, 0] = kernels.values(U)
    if record_all:
        v_paths = np.zeros((n, p.width, ck.size))
        v_paths[:, :, 0] = path_values(U)
        rec["imbalance"][:, 0] = (U[:, :, 0] ** 2 - U[:, :, -1] ** 2).sum(axis=1)
        rec["norm2"][:, 0] = (U**2).sum(axis=(1, 2))
    n_blocks = -(-n // kernels.RUNS_PER_BLOCK)
    counts = np.zeros((n_blocks, p.hist_bins + 2), dtype=np.int64)
    sums = {"sum_v": np.zeros(n), "sum_v2": np.zeros(n), "n_samples": np.zeros(n, np.int64)}
    lo, hi = p.hist_range
    moments = np.array([m.alpha1, m.alpha2, m.alpha3, m.beta1, m.beta2])
    data = np.ascontiguousarray(np.column_stack([x * x, x * y]))
    # Calls end every STEPS_PER_CALL steps and, to read the paths there, at every checkpoint
    # when all is recorded; any split of the steps gives the same bits.
    ends = np.union1d(ck[1:] if record_all else [p.n_steps],
                      np.arange(STEPS_PER_CALL, p.n_steps, STEPS_PER_CALL))  # fmt: skip

    def advance(first: int, last: int) -> None:
        """Steps ``first + 1`` to ``last`` of every run, in place."""
        kernels.advance(
            U,
            V,
            float(p.momentum),
            state["stream"],
            state["alive"],
            state["g_int"],
            state["em2"],
            data,
            moments,
            METHOD_CODES[p.method],
            # Compiled once per type signature (about 20 s): scalars go in as float or int, so
            # that a config's 0 where 0.0 was meant does not compile the kernel a second time.
            float(p.step),
            float(p.temperature),
            int(p.batch),
            float(p.iso_noise),
            float(p.weight_decay),
            float(p.max_relative_step),
            float(p.diverge_at),
            first,
            last,
            record_all,
            ck,
            rec["v"],
            rec["imbalance"],
            rec["norm2"],
            rec["g_integral"],
            rec["em_second_order"],
            int(p.burn_in_steps),
            int(p.sample_every),
            float(lo),
            float(p.hist_bins / (hi - lo)),
            counts,
            sums["sum_v"],
            sums["sum_v2"],
            sums["n_samples"],
        )

    kernel_cache.compile_once(kernels.advance, lambda: advance(0, 0))
    for first, last in zip(np.concatenate([[0], ends[:-1]]), ends, strict=True):
        first, last = int(first), int(last)
        advance(first, last)
        j = np.searchsorted(ck, last)
        if record_all and j < ck.size and ck[j] == last:
            v_paths[:, :, j] = path_values(U)
        if progress is not None and (last % STEPS_PER_CALL == 0 or last == p.n_steps):
            progress(runs.start, n, last)
    total = counts.sum(axis=0)
    records = {name: rec[name] for name in kept} | ({"v_paths": v_paths} if record_all else {})
    return {
        "first_run": np.int64(runs.start),
        "v_final": np.where(state["alive"], kernels.values(U), np.nan),
        "v_paths_final": np.where(state["alive"][:, None], path_values(U), np.nan),
        "diverged": ~state["alive"],
        "checkpoint_steps": ck,
        "checkpoint_time": ck * p.step,
        **records,
        "hist_edges": np.linspace(lo, hi, p.hist_bins + 1),
        "hist_counts": total[1:-1],
        "hist_under": total[0],
        "hist_over": total[-1],
        **sums,
    }


PER_RUN = (
    "v_final",
    "v_paths_final",
    "v_paths",
    "diverged",
    "v",
    "imbalance",
    "norm2",
    "g_integral",
    "em_second_order",
    "sum_v",
    "sum_v2",
    "n_samples",
)


def merge(parts: list[dict]) -> dict:
    """Join the statistics of disjoint, adjacent run ranges into one ensemble.

    Parameters
    ----------
    parts : list of dict
        Outputs of ``simulate`` for the same ``params`` and disjoint ``runs`` that together
        cover a range, in any order.

    Returns
    -------
    dict of ndarray
        As ``simulate`` returns for all the runs at once, bit for bit: per-run arrays
        joined in run order, histograms summed.
    """
    # record="v" keeps no paths, imbalance or norms: join_shares skips what is absent
    return join_shares(parts, PER_RUN, axis=0, summed=("hist_counts", "hist_under", "hist_over"))
