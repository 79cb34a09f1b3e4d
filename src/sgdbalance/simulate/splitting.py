"""Stationary tails by splitting: RESTART on levels of ``|v|`` for the SGF of a diagonal network.

Plain simulation sees ``P(|v| > x)`` down to about one over its number of samples. RESTART
(Villén-Altamirano & Villén-Altamirano 1991) reaches far below at the same cost: a trajectory
that climbs past level ``L_l`` is split into R copies of weight 1/R each, and every copy but
the original dies when it falls back below ``L_(l-1)``; the original then takes back the weight
it had. The weighted time spent in each bin of ``|v|``, divided by the main trajectory's time,
estimates the stationary probability of that bin without bias (each copy's future below the
exit level has the same expected contribution as the original's, which stands in for all R;
edge effects at the end of the main run are of one excursion in the whole run).

The dynamics is the experiment's own chain: the engine's Euler-Maruyama sub-steps of its SGF
step dt (``kernels.sgf_substep``, bit for bit as an ensemble takes them). Levels are checked,
and time is recorded, at every sub-step: far out the sub-steps shorten with the motion
(relative moves of about the engine's ``max_relative_step``), so no excursion is missed and
no interval needs choosing. Each state counts for the sub-step taken from it.

Each replicate is one main trajectory with its own random stream; its copies take new streams
drawn from their parent's, in a fixed depth-first order, so the result does not depend on the
number of threads. Replicates are independent: their spread gives honest standard errors.
"""

import math
from collections.abc import Callable

import numpy as np
from numba import njit

from ..theory.moments import Moments
from . import kernel_cache, kernels
from .draws import bits
from .params import EnsembleParams, SplittingParams
from .rng import run_keys
from .threads import in_threads

REPLICATES_PER_CALL = 16  # replicates between progress reports
# What _restart returns for a replicate that stopped, in place of its deepest stack:
COPY_FAILED = -1  # a copy ran away (no fall below its level) or diverged
MAIN_DIVERGED = -2  # the main run diverged as an ensemble's run of the experiment would


@njit(cache=True, inline="always")
def _record(occupation, visits, roots, last_root, rep, a, weight, root, log_lo, inv_log_width,
            bins):  # fmt: skip
    """Add ``weight`` (a copy's weight times its sub-step) to the bin of ``a = |v|``; count the
    visit, and the root excursion (the main run's climb past the first level that the copy
    descends from) if it is new to the bin. Copies of one root run one after another
    (depth first), so a change of root is a new one."""
    pos = np.int64(-1) if a <= 0.0 else np.int64(math.floor((math.log(a) - log_lo) * inv_log_width))
    slot = 0 if pos < 0 else (bins + 1 if pos >= bins else pos + 1)
    occupation[rep, slot] += weight
    visits[rep, slot] += 1
    if last_root[slot] != root:
        last_root[slot] = root
        roots[rep, slot] += 1


@njit(cache=True, inline="always")
def _main_diverged(v, left, h, in_step, diverge_at):
    """The main run's sub-steps so far in its current step h, and whether it has diverged as
    an ensemble's run would: ``|v|`` past ``diverge_at`` at the end of a step, or a step left
    unfinished after ``kernels.MAX_SUBSTEPS`` sub-steps. ``left == h``: a step has just ended."""
    if left == h:
        return 0, abs(v) > diverge_at
    return in_step + 1, in_step + 1 >= kernels.MAX_SUBSTEPS


@njit(cache=True, nogil=True)
def _restart(U0, keys, m, h, temp, max_rel, wd, burn_steps, main_steps, up, down, weights,
             splits, log_lo, inv_log_width, occupation, visits, roots, substeps, main_time,
             max_copy_substeps, diverge_at):  # fmt: skip
    """RESTART for the replicates of ``keys``, one after another; fills ``occupation``,
    ``visits``, ``roots`` (replicates, bins + 2: under, bins, over), ``substeps`` (replicates,
    2: the main run's and the copies') and ``main_time`` (replicates,: the main run's recorded
    SGF time). The runs take the engine's sub-steps of its SGF steps h (weight decay wd); the
    main runs ``burn_steps`` steps h, then records until its time reaches ``main_steps`` steps,
    which it may pass by a sub-step (the estimate divides by the time recorded). Returns each
    replicate's
    deepest stack, or where the replicate stopped, COPY_FAILED (a copy ran away: no fall below
    its level within ``max_copy_substeps``) or MAIN_DIVERGED (``diverge_at``,
    ``kernels.MAX_SUBSTEPS``)."""
    n_rep = keys.size
    n_levels = up.size
    slots = 2 + n_levels * (splits - 1)
    bins = occupation.shape[1] - 2
    depth = U0.shape[1] - 1
    deepest = np.zeros(n_rep, np.int64)
    for rep in range(n_rep):
        U = np.empty((slots, U0.shape[0], U0.shape[1]))
        state = np.zeros(slots, np.uint64)
        v = np.zeros(slots)
        big = np.zeros(slots)
        left = np.full(slots, h)  # what is left of each copy's current step h
        sub = np.zeros(slots)  # each copy's next sub-step, from its current state
        level = np.zeros(slots, np.int64)
        birth = np.zeros(slots, np.int64)
        age = np.zeros(slots, np.int64)
        fresh = np.zeros(slots, np.bool_)
        g_int = np.zeros(slots)
        em2 = np.zeros(slots)
        prefix = np.empty(U0.shape[1])
        root = np.zeros(slots, np.int64)  # the root excursion each copy descends from
        last_root = np.full(bins + 2, -1)
        n_roots = np.int64(-1)
        U[0] = U0
        state[0] = keys[rep]
        v[0], big[0] = kernels._value(U, 0)
        # The main's time in whole steps h and in sub-steps apart, so that where every
        # sub-step is a whole step (D = 0) the count is exact.
        whole, part = np.int64(0), 0.0
        in_step = 0
        while whole + part / h < burn_steps and math.isfinite(v[0]):
            g_v, drift = kernels.sgf_terms(v[0], m)
            hs = kernels.sgf_substep_length(g_v, drift, big[0], h, left[0], temp, max_rel, depth)
            v[0], big[0] = kernels.sgf_substep(U, 0, g_v, drift, state, hs, temp, wd, g_int, em2,
                                               prefix)  # fmt: skip
            left[0] = left[0] - hs if left[0] - hs > 1e-12 * h else h
            in_step, diverged = _main_diverged(v[0], left[0], h, in_step, diverge_at)
            if diverged:
                deepest[rep] = MAIN_DIVERGED  # the caller raises
                break
            substeps[rep, 0] += 1
            if hs == h:
                whole += 1
            else:
                part += hs
        if deepest[rep] == MAIN_DIVERGED:
            continue
        whole, part = np.int64(0), 0.0
        g_v, drift = kernels.sgf_terms(v[0], m)
        sub[0] = kernels.sgf_substep_length(g_v, drift, big[0], h, left[0], temp, max_rel, depth)
        top = 0  # the copy being simulated is always the top of the stack
        while math.isfinite(v[0]):
            c = top
            if c == 0 and whole + part / h >= main_steps:
                break  # the main is done, and so are the copies it started
            if fresh[c]:
                fresh[c] = False  # a new copy: its first state is recorded before any step
            else:
                g_v, drift = kernels.sgf_terms(v[c], m)
                v[c], big[c] = kernels.sgf_substep(U, c, g_v, drift, state, sub[c], temp, wd,
                                                   g_int, em2, prefix)  # fmt: skip
                left[c] = left[c] - sub[c] if left[c] - sub[c] > 1e-12 * h else h
                if not math.isfinite(v[c]):
                    break
                if c == 0:
                    in_step, diverged = _main_diverged(v[0], left[0], h, in_step, diverge_at)
                    if diverged:
                        deepest[rep] = MAIN_DIVERGED  # the caller raises
                        break
                substeps[rep, min(c, 1)] += 1
                if c > 0:
                    age[c] += 1
                    if age[c] > max_copy_substeps:
                        deepest[rep] = COPY_FAILED  # a runaway copy: the caller raises
                        break
            a = abs(v[c])
            # Fall back: an original reverts to its parent's level; a copy at its birth dies.
            dead = False
            while level[c] > 0 and a < down[level[c] - 1]:
                if level[c] == birth[c]:
                    dead = True
                    break
                level[c] -= 1
            if dead:
                top -= 1
                continue
            # Climb: at each level crossed, this copy goes on and splits - 1 new ones start.
            while level[c] < n_levels and a >= up[level[c]]:
                if level[c] == 0:  # the main run climbs past the first level: a new root
                    n_roots += 1
                    root[c] = n_roots
                level[c] += 1
                for _ in range(splits - 1):
                    top += 1
                    U[top] = U[c]
                    v[top], big[top], left[top] = v[c], big[c], left[c]
                    state[top] = bits(state, c)  # a fresh stream, drawn from the parent's
                    root[top] = root[c]
                    level[top] = level[c]
                    birth[top] = level[c]
                    age[top] = 0
                    fresh[top] = True
            deepest[rep] = max(deepest[rep], top)
            # The state counts for as long as it is held: the sub-step taken from it.
            g_v, drift = kernels.sgf_terms(v[c], m)
            sub[c] = kernels.sgf_substep_length(g_v, drift, big[c], h, left[c], temp, max_rel,
                                                depth)  # fmt: skip
            if c == 0:
                if sub[0] == h:
                    whole += 1
                else:
                    part += sub[0]
            _record(occupation, visits, roots, last_root, rep, a, weights[level[c]] * sub[c],
                    root[c] if level[c] > 0 else -2, log_lo, inv_log_width, bins)  # fmt: skip
        if not math.isfinite(v[top]):
            deepest[rep] = COPY_FAILED  # diverged: the caller raises
        main_time[rep] = whole * h + part
    return deepest


def tail_splitting(
    x,
    y,
    ensemble: EnsembleParams,
    split: SplittingParams,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Stationary probabilities of ``|v|`` in log-spaced bins, by RESTART, per replicate.

    The dynamics is that of ``ensemble`` (an SGF ensemble: depth, width, T, dt, relative
    sub-step, initial factors); its ``n_runs``, ``time`` and ``burn_in`` are replaced by the
    replicates, time and burn-in of ``split``.

    Parameters
    ----------
    x, y : ndarray, shape (n,)
        The training set (the SGF reads its moments).
    ensemble : EnsembleParams
        Method ``sgf``.
    split : SplittingParams
        Levels, splitting factor, replicates, duration, bins.
    progress : callable, optional
        Called as ``progress(done, replicates)`` after every REPLICATES_PER_CALL replicates.

    Returns
    -------
    dict of ndarray
        ``edges`` (bins + 1,); ``probability`` (replicates, bins): weighted time in each bin
        over the main trajectory's time, an unbiased estimate of the stationary probability;
        ``under``, ``over`` (replicates,): the same below and above the bins; ``visits``
        (replicates, bins): sub-steps recorded in each bin; ``roots`` (replicates, bins):
        distinct root excursions (climbs of the main run past the first level) whose copies
        reached the bin, the independent contributions behind each estimate (visits at
        level 0, below the first level, count as one root); ``levels``; ``main_time``
        (replicates,): the main trajectory's recorded SGF time; ``main_substeps``,
        ``copy_substeps`` (replicates,): the cost; ``deepest`` (replicates,): the largest
        number of pending copies.
    """
    p, s = ensemble, split
    if p.method != "sgf":
        raise ValueError(f"splitting runs the SGF, got method {p.method!r}")
    m = Moments.of_samples(np.asarray(x, float), np.asarray(y, float))
    moments = np.array([m.alpha1, m.alpha2, m.alpha3, m.beta1, m.beta2])
    up = s.levels
    down = np.concatenate([[s.first / s.factor], up[:-1]])
    weights = float(s.splits) ** -np.arange(s.count + 1)
    burn_steps = int(round(s.burn_in / p.step))
    main_steps = int(round(s.time / p.step))
    lo, hi, n_bins = s.bins
    inv_log_width = int(n_bins) / np.log(hi / lo)
    keys = run_keys(s.seed, range(s.replicates))
    occupation = np.zeros((s.replicates, int(n_bins) + 2))
    visits = np.zeros((s.replicates, int(n_bins) + 2), np.int64)
    roots = np.zeros((s.replicates, int(n_bins) + 2), np.int64)
    substeps = np.zeros((s.replicates, 2), np.int64)
    main_time = np.zeros(s.replicates)
    deepest = np.zeros(s.replicates, np.int64)
    U0 = np.array(p.path_factors, dtype=float)

    def restart(some: slice) -> np.ndarray:
        """The replicates of ``some``, in one compiled call; their deepest stacks."""
        return _restart(
            U0, keys[some], moments, float(p.step), float(p.temperature),
            float(p.max_relative_step), float(p.weight_decay), burn_steps, main_steps, up, down,
            weights, int(s.splits), float(np.log(lo)), float(inv_log_width), occupation[some],
            visits[some], roots[some], substeps[some], main_time[some], int(s.max_copy_substeps),
            float(p.diverge_at),
        )  # fmt: skip

    def replicate(i):
        """Replicate i, alone in its compiled call; its deepest stack."""
        return restart(slice(i, i + 1))[0]

    stop_reasons = {  # what _restart returns for a replicate that stopped, and why
        MAIN_DIVERGED: f"the main run diverged (|v| > diverge_at = {p.diverge_at:g} at the end "
        f"of a step, or a step of dt unfinished after {kernels.MAX_SUBSTEPS} sub-steps), as an "
        "ensemble's run of this experiment would; lower the temperature",
        COPY_FAILED: f"a copy diverged or stayed above its level for {s.max_copy_substeps} "
        "sub-steps; lower the levels, or put first / factor in the bulk (copies of the first "
        "level live until |v| falls below it)",
    }
    kernel_cache.compile_once(_restart, lambda: restart(slice(0, 0)))
    for first in range(0, s.replicates, REPLICATES_PER_CALL):
        part = slice(first, min(first + REPLICATES_PER_CALL, s.replicates))
        deepest[part] = in_threads(replicate, range(part.start, part.stop))
        for code, why in stop_reasons.items():
            stopped = deepest[part] == code
            if stopped.any():
                raise RuntimeError(f"replicate {first + int(np.argmax(stopped))}: {why}")
        if progress is not None:
            progress(part.stop, s.replicates)
    return {
        "edges": s.edges,
        "probability": occupation[:, 1:-1] / main_time[:, None],
        "under": occupation[:, 0] / main_time,
        "over": occupation[:, -1] / main_time,
        "visits": visits[:, 1:-1],
        "roots": roots[:, 1:-1],
        "levels": up,
        "main_time": main_time,
        "main_substeps": substeps[:, 0],
        "copy_substeps": substeps[:, 1],
        "deepest": deepest,
    }


kernel_cache.stamp_with_sources(globals())  # this file's cached functions: see kernel_cache
