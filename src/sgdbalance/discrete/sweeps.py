"""Sweeps of discrete SGD over (T, S) and data, kept as the few numbers their checks and
figures read (never the samples): the evidence for ``collapse.py`` and ``kesten.py``.

- ``collapse_drift``: D = 1 started near v = 0; the drift of ``log|v|`` per step, which the
  linearisation predicts to be ``2 max(Lambda_+, Lambda_-)``.
- ``kesten_tails``: D = 0 at stationarity; the largest ``|v|`` of the ensemble and their runs,
  enough for a Hill estimate above a fixed count with a run bootstrap.
- ``divergence_map``: D = 1 started at the minimum on a grid of teacher slopes k and T, per
  S; the fraction of runs that diverge, beside the discrete and continuous thresholds of the
  same training sets.

Every ensemble runs on the compiled engine (``simulate.ensemble.simulate``) with a seed
derived from the sweep's seed and the ensemble's position in the sweep, in fixed chunks of
runs: results do not depend on the machine or on the number of jobs. Their parameters, and
``sweep_params`` that builds them from a config entry, are in ``sweeps_params.py``.
"""

from collections.abc import Callable

import numpy as np

from ..simulate.ensemble import simulate
from ..simulate.params import EnsembleParams, balanced_init
from ..theory.moments import Moments
from . import collapse
from .batches import batch_means
from .sweeps_params import CollapseDriftParams, DivergenceMapParams, KestenTailsParams

CHUNK_RUNS = 8192  # runs per engine call: bounds the memory of the checkpoint records of v


def _seed(seed: int, *position: int) -> int:
    """The engine seed of the ensemble at ``position`` in a sweep rooted at ``seed`` (the
    length is part of the entropy: SeedSequence pads short lists with zeros)."""
    entropy = [seed, len(position), *position]
    return int(np.random.SeedSequence(entropy).generate_state(1, np.uint64)[0] >> 1)


def _chunks(n_runs: int):
    return [range(a, min(a + CHUNK_RUNS, n_runs)) for a in range(0, n_runs, CHUNK_RUNS)]


# ---------------------------------------------------------------- D = 1: drift near v = 0


def collapse_drift(x, y, p: CollapseDriftParams, progress: Callable | None = None) -> dict:
    """Mean drift of ``log|v|`` per step from the checkpoint nearest ``steps / 2`` (40
    log-spaced checkpoints: within about 10 % of it) to the end, and its standard error over
    runs; the first half lets the faster-decaying amplitude die out.

    Returns
    -------
    dict of ndarray
        ``temperature``, ``eta``, ``drift``, ``drift_se``: shape (len(temperatures),);
        scalars ``batch``, ``n_runs``, ``steps``.
    """
    a = np.sqrt(p.v0 / 2)
    drift, se = [], []
    for i, t in enumerate(p.temperatures):
        eta = t * p.batch
        params = EnsembleParams(
            method="sgd", depth=1, eta=eta, batch=p.batch, n_runs=p.n_runs,
            seed=_seed(p.seed, i), time=p.steps * eta, init=(2 * a, a), n_checkpoints=40,
            diverge_at=1.0, record="v",
        )  # fmt: skip
        rates = []
        for runs in _chunks(p.n_runs):
            r = simulate(x, y, params, runs)
            if r["diverged"].any():
                raise RuntimeError(
                    f"T = {t}: a run left the linear regime (|v| reached 1); use fewer steps"
                )
            steps = r["checkpoint_steps"]
            mid = np.argmin(np.abs(steps - p.steps / 2))
            v = r["v"]
            rates.append(np.log(np.abs(v[:, -1] / v[:, mid])) / (steps[-1] - steps[mid]))
        rates = np.concatenate(rates)
        drift.append(rates.mean())
        se.append(rates.std(ddof=1) / np.sqrt(rates.size))
        if progress is not None:
            progress(i + 1, len(p.temperatures))
    return {
        "temperature": np.array(p.temperatures, float),
        "eta": np.array(p.temperatures, float) * p.batch,
        "batch": np.int64(p.batch),
        "drift": np.array(drift),
        "drift_se": np.array(se),
        "n_runs": np.int64(p.n_runs),
        "steps": np.int64(p.steps),
    }


# ---------------------------------------------------------------- D = 0: Kesten tails


def kesten_tails(x, y, p: KestenTailsParams, progress: Callable | None = None) -> dict:
    """Per point: the ``keep`` largest stationary ``|v|`` and their runs, the number of
    samples, and the runs that diverged (``|v| > 1e150``: none unless SGD has no stationary law).

    Returns
    -------
    dict of ndarray
        ``temperature``, ``batch``, ``eta``, ``n_samples``, ``n_diverged``: shape (points,);
        ``top_point``, ``top_run``, ``top_value``: shape (points * keep,), the point and run of
        each kept ``|v|``; scalar ``n_runs``.
    """
    point_col, run_col, value_col, n_samples, diverged = [], [], [], [], []
    for i, (t, s) in enumerate(p.points):
        eta, batch = t * s, int(s)
        params = EnsembleParams(
            method="sgd", depth=0, eta=eta, batch=batch, n_runs=p.n_runs,
            seed=_seed(p.seed, i), time=p.steps * eta, burn_in=p.burn_in * eta,
            init=(p.init_v,), n_checkpoints=p.n_checkpoints, diverge_at=1e150,
            sample_every=p.steps, record="v",
        )  # fmt: skip
        runs_kept, values_kept, count, lost = [], [], 0, 0
        for runs in _chunks(p.n_runs):
            r = simulate(x, y, params, runs)
            late = r["checkpoint_steps"] >= p.burn_in
            a = np.abs(r["v"][:, late])
            a[r["diverged"]] = np.nan
            lost += int(r["diverged"].sum())
            finite = np.isfinite(a)
            count += int(finite.sum())
            run_index = np.broadcast_to(np.arange(runs.start, runs.stop)[:, None], a.shape)
            # The top `keep` of the union of each chunk's top `keep` is the ensemble's top.
            order = np.argsort(np.where(finite, a, -1.0), axis=None)[-p.keep :]
            runs_kept.append(run_index.ravel()[order])
            values_kept.append(a.ravel()[order])
        runs_kept, values_kept = np.concatenate(runs_kept), np.concatenate(values_kept)
        top = np.argsort(values_kept)[-p.keep :]
        point_col.append(np.full(top.size, i))
        run_col.append(runs_kept[top])
        value_col.append(values_kept[top])
        n_samples.append(count)
        diverged.append(lost)
        if progress is not None:
            progress(i + 1, len(p.points))
    points = np.array(p.points, float)
    return {
        "temperature": points[:, 0],
        "batch": points[:, 1].astype(np.int64),
        "eta": points[:, 0] * points[:, 1],
        "n_samples": np.array(n_samples, np.int64),
        "n_diverged": np.array(diverged, np.int64),
        "n_runs": np.int64(p.n_runs),
        "top_point": np.concatenate(point_col),
        "top_run": np.concatenate(run_col),
        "top_value": np.concatenate(value_col),
    }


# ---------------------------------------------------------------- D = 1: the (T, k) plane


MAX_ROOTS = 4  # thresholds stored per (S, k); Lambda's sign changes come in pairs


def divergence_map(p: DivergenceMapParams, progress: Callable | None = None) -> dict:
    """Fraction of runs diverged, and the thresholds of each training set.

    Returns
    -------
    dict of ndarray
        ``diverged_fraction`` (S, k, T); ``thresholds`` (S, k, MAX_ROOTS): the discrete
        thresholds in T, nan-padded; ``second_order_threshold`` (S, k); ``sgf_critical_
        temperature`` (k,); the grids ``ks``, ``temperatures``, ``batches``.
    """
    shape = (len(p.batches), len(p.ks))
    fraction = np.zeros(shape + (len(p.temperatures),))
    thresholds = np.full(shape + (MAX_ROOTS,), np.nan)
    second_order = np.zeros(shape)
    t_c = np.zeros(len(p.ks))
    done = 0
    for j, k in enumerate(p.ks):
        x, y = p.training_set(k)
        m = Moments.of_samples(x, y)
        t_c[j] = m.beta2 / m.alpha3
        v_star = m.beta2 / m.beta1
        for b, s in enumerate(p.batches):
            s = int(s)
            bm = batch_means(x * y, s, [p.seed, 1, b, j], draws=p.theory_draws)
            roots = collapse.collapse_thresholds(bm, eta_max=4.0 * s)[:MAX_ROOTS]
            thresholds[b, j, : len(roots)] = np.array(roots) / s
            second_order[b, j] = collapse.second_order_threshold(m, s)
            for i, t in enumerate(p.temperatures):
                params = EnsembleParams(
                    method="sgd", depth=1, eta=t * s, batch=s, n_runs=p.n_runs,
                    seed=_seed(p.seed, 0, b, j, i), time=p.steps * t * s,
                    init=balanced_init(v_star, 1), n_checkpoints=2, record="v",
                )  # fmt: skip
                fraction[b, j, i] = simulate(x, y, params)["diverged"].mean()
            done += 1
            if progress is not None:
                progress(done, shape[0] * shape[1])
    return {
        "ks": np.array(p.ks, float),
        "temperatures": np.array(p.temperatures, float),
        "batches": np.array(p.batches, np.int64),
        "sigma": np.float64(p.sigma),
        "diverged_fraction": fraction,
        "thresholds": thresholds,
        "second_order_threshold": second_order,
        "sgf_critical_temperature": t_c,
        "n_runs": np.int64(p.n_runs),
        "steps": np.int64(p.steps),
    }


def run(params, data: tuple | None = None, progress: Callable | None = None) -> dict:
    """Run one sweep; ``data = (x, y)`` is the training set (divergence maps draw their own)."""
    if isinstance(params, DivergenceMapParams):
        return divergence_map(params, progress)
    if data is None:
        raise ValueError(f"{type(params).__name__} needs a training set")
    if isinstance(params, CollapseDriftParams):
        return collapse_drift(*data, params, progress)
    return kesten_tails(*data, params, progress)
