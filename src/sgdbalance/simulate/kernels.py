"""Compiled ensemble kernel: every method's update, run by run, in parallel over blocks of runs.

One function, ``advance``, moves an ensemble from one step to another and accumulates its
statistics in place. Runs are independent and draw from their own counter-based stream
(``rng.py``), so the result is the same bit for bit for any number of threads, any split of the
runs and any split of the steps. ``reference.py`` is the same update written plainly in Python;
the tests hold the two to identical bits. No fastmath: it would change bits across machines.

numba's cache (``cache=True``) checks only the file that defines a compiled function, not the
files of the functions inlined into it; ``kernel_cache`` adds a digest of all the kernels'
sources to its stamp, here and in ``draws.py`` and ``splitting.py``.
"""

import math

import numpy as np
from numba import njit, prange

from . import kernel_cache
from .draws import bits, index, minibatch_sums, normal
from .params import GD_ISO, SGD, SGF

RUNS_PER_BLOCK = 32  # runs interleaved in one thread: hides the latency of S = 1 steps
MAX_SUBSTEPS = 100_000  # SGF sub-steps allowed in one step before a run counts as diverged


@njit(cache=True, inline="always")
def _value(U, r):
    """v of run r and the largest |v_i| of its paths (each product taken from the last
    factor down, as ``_move`` forms it)."""
    v = 0.0
    largest = 0.0
    for i in range(U.shape[1]):
        p = 1.0
        for k in range(U.shape[2] - 1, -1, -1):
            p *= U[r, i, k]
        v += p
        largest = max(largest, abs(p))
    return v, largest


@njit(cache=True, inline="always")
def _move(U, r, delta, keep, prefix):
    """``U[r] = keep * U[r] - delta * grad_U v``; returns the new v and largest |v_i|.

    The gradient of factor k is (product of the factors before it) x (product after it);
    ``keep = 1 - 2 gamma h`` is weight decay ``gamma |theta|^2`` over the step h (exactly 1.0,
    which changes no bit, without it); ``prefix`` is scratch of length D + 1.
    """
    nf = U.shape[2]
    if nf == 1 and U.shape[1] == 1:  # D = 0, linear regression (the Kesten sweeps): unrolled
        u_new = keep * U[r, 0, 0] - delta * (1.0 * 1.0)
        U[r, 0, 0] = u_new
        v = 1.0 * u_new
        return v, abs(v)
    if nf == 2 and U.shape[1] == 1:  # the two-layer scalar model: same operations, unrolled
        u, w = U[r, 0, 0], U[r, 0, 1]
        u_new = keep * u - delta * (1.0 * w)
        w_new = keep * w - delta * (u * 1.0)
        U[r, 0, 0], U[r, 0, 1] = u_new, w_new
        v = 1.0 * w_new * u_new
        return v, abs(v)
    if nf == 4 and U.shape[1] == 1:  # D = 3, width 1: the loops below written out (1.7x)
        u0, u1, u2, u3 = U[r, 0, 0], U[r, 0, 1], U[r, 0, 2], U[r, 0, 3]
        p1 = 1.0 * u0
        p2 = p1 * u1
        p3 = p2 * u2
        n3 = keep * u3 - delta * (p3 * 1.0)
        s = 1.0 * u3
        n2 = keep * u2 - delta * (p2 * s)
        s *= u2
        n1 = keep * u1 - delta * (p1 * s)
        s *= u1
        n0 = keep * u0 - delta * (1.0 * s)
        U[r, 0, 0], U[r, 0, 1], U[r, 0, 2], U[r, 0, 3] = n0, n1, n2, n3
        v = 1.0 * n3 * n2 * n1 * n0
        return v, abs(v)
    v = 0.0
    largest = 0.0
    for i in range(U.shape[1]):
        p = 1.0
        for k in range(nf):
            prefix[k] = p
            p *= U[r, i, k]
        suffix = 1.0
        p = 1.0
        for k in range(nf - 1, -1, -1):
            u = U[r, i, k]
            U[r, i, k] = keep * u - delta * (prefix[k] * suffix)
            suffix *= u
            p *= U[r, i, k]
        v += p
        largest = max(largest, abs(p))
    return v, largest


@njit(cache=True, inline="always")
def _move_momentum(U, V, r, delta, decay, beta, prefix):
    """Heavy ball: ``V[r] = beta V[r] - (delta grad_U v + decay U[r])``, ``U[r] += V[r]``;
    returns the new v and largest |v_i|.

    ``decay = 2 gamma h`` is weight decay ``gamma |theta|^2`` taken into the gradient, so that
    it goes through the velocity (coupled, as ``torch.optim.SGD``'s ``weight_decay``); the
    gradient is formed from the factors before the step, as ``_move`` forms it. Only ever
    called with beta > 0: plain SGD and GD keep ``_move`` and its bits.
    """
    nf = U.shape[2]
    if nf == 2 and U.shape[1] == 1:  # the two-layer scalar model: same operations, unrolled
        u, w = U[r, 0, 0], U[r, 0, 1]
        mu = beta * V[r, 0, 0] - (delta * (1.0 * w) + decay * u)
        mw = beta * V[r, 0, 1] - (delta * (u * 1.0) + decay * w)
        V[r, 0, 0], V[r, 0, 1] = mu, mw
        u_new, w_new = u + mu, w + mw
        U[r, 0, 0], U[r, 0, 1] = u_new, w_new
        v = 1.0 * w_new * u_new
        return v, abs(v)
    if nf == 4 and U.shape[1] == 1:  # D = 3, width 1: the loop below written out
        u0, u1, u2, u3 = U[r, 0, 0], U[r, 0, 1], U[r, 0, 2], U[r, 0, 3]
        p1 = 1.0 * u0
        p2 = p1 * u1
        p3 = p2 * u2
        s = 1.0 * u3
        m3 = beta * V[r, 0, 3] - (delta * (p3 * 1.0) + decay * u3)
        m2 = beta * V[r, 0, 2] - (delta * (p2 * s) + decay * u2)
        s *= u2
        m1 = beta * V[r, 0, 1] - (delta * (p1 * s) + decay * u1)
        s *= u1
        m0 = beta * V[r, 0, 0] - (delta * (1.0 * s) + decay * u0)
        V[r, 0, 0], V[r, 0, 1], V[r, 0, 2], V[r, 0, 3] = m0, m1, m2, m3
        n0, n1, n2, n3 = u0 + m0, u1 + m1, u2 + m2, u3 + m3
        U[r, 0, 0], U[r, 0, 1], U[r, 0, 2], U[r, 0, 3] = n0, n1, n2, n3
        v = 1.0 * n3 * n2 * n1 * n0
        return v, abs(v)
    v = 0.0
    largest = 0.0
    for i in range(U.shape[1]):
        p = 1.0
        for k in range(nf):
            prefix[k] = p
            p *= U[r, i, k]
        suffix = 1.0
        p = 1.0
        for k in range(nf - 1, -1, -1):
            u = U[r, i, k]
            vel = beta * V[r, i, k] - (delta * (prefix[k] * suffix) + decay * u)
            V[r, i, k] = vel
            U[r, i, k] = u + vel
            suffix *= u
            p *= U[r, i, k]
        v += p
        largest = max(largest, abs(p))
    return v, largest


@njit(cache=True, inline="always")
def g_of(v, m):
    """``g(v) = alpha1 v^2 - 2 alpha2 v + alpha3``, the SGF's noise strength; every method
    records its integral over time."""
    return m[0] * v * v - 2.0 * m[1] * v + m[2]


@njit(cache=True, inline="always")
def sgf_terms(v, m):
    """``g(v)`` and the SGF drift ``2 (beta1 v - beta2)``."""
    return g_of(v, m), 2.0 * (m[3] * v - m[4])


@njit(cache=True, inline="always")
def sgf_scale(g_v, drift, largest, h, temp, q):
    """Typical move of a factor over an SGF step h (drift and noise, times ``largest^q``, q =
    (D-1)/(D+1)); the step takes about ``(scale / max_rel)^2`` sub-steps."""
    return (h * abs(drift) + math.sqrt(4.0 * temp * g_v * h)) * largest**q


@njit(cache=True, inline="always")
def sgf_substep_length(g_v, drift, largest, h, remaining, temp, max_rel, depth):
    """The next Euler-Maruyama sub-step of an SGF step h with ``remaining`` of it left, at a
    state of ``sgf_terms`` ``(g_v, drift)``."""
    if depth < 1:
        return remaining
    scale = sgf_scale(g_v, drift, largest, h, temp, (depth - 1) / (depth + 1))
    if scale <= 0.0:
        return remaining
    ratio = max_rel / scale  # squared as a product, as reference.py does
    return min(remaining, h * (ratio * ratio))


@njit(cache=True, inline="always")
def sgf_substep(U, r, g_v, drift, state, hs, temp, wd, g_int, em2, prefix):
    """One Euler-Maruyama sub-step hs of the SGF for run r from a state of ``sgf_terms``
    ``(g_v, drift)``; returns the new v and largest ``|v_i|``, and adds to the run's integrals
    of g and of the squared increments."""
    noise = math.sqrt(4.0 * temp * g_v * hs)
    g_int[r] += g_v * hs
    em2[r] += (hs * drift) ** 2 + 1.5 * noise**4
    xi = normal(state, r)
    return _move(U, r, hs * drift - noise * xi, 1.0 - 2.0 * wd * hs, prefix)


@njit(cache=True, inline="always")
def _step(
    U,
    r,
    v,
    largest,
    state,
    data,
    m,
    method,
    h,
    temp,
    batch,
    inv_batch,
    iso,
    wd,
    max_rel,
    g_int,
    em2,
    prefix,
):
    """One step of run r from its current v; returns the new v and largest |v_i|."""
    b1, b2 = m[3], m[4]
    depth = U.shape[2] - 1
    if method == SGF:
        # Steps chosen from the state (never from the noise) so that no factor moves more
        # than about max_rel: fixed-step Euler-Maruyama diverges for D >= 1 (superlinear SDE).
        remaining = h
        for _ in range(MAX_SUBSTEPS):
            g_v, drift = sgf_terms(v, m)
            hs = sgf_substep_length(g_v, drift, largest, h, remaining, temp, max_rel, depth)
            v, largest = sgf_substep(U, r, g_v, drift, state, hs, temp, wd, g_int, em2, prefix)
            remaining -= hs
            if remaining <= 1e-12 * h:
                return v, largest
        return np.nan, np.nan  # no finite step size reached the end: count the run as diverged
    g_int[r] += g_of(v, m) * h
    if method == SGD:
        # data[j] holds (x_j^2, x_j y_j) side by side: one cache line per sample.
        s2, sxy = minibatch_sums(state, r, data, batch)
        delta = h * 2.0 * (v * (s2 * inv_batch) - sxy * inv_batch)
    else:
        delta = h * 2.0 * (b1 * v - b2)
    # One call for both: every inlined copy of _move is seconds more to compile.
    v, largest = _move(U, r, delta, 1.0 - 2.0 * wd * h, prefix)
    if method == GD_ISO:
        amplitude = math.sqrt(h * temp * iso)
        for i in range(U.shape[1]):
            for k in range(U.shape[2]):
                U[r, i, k] += amplitude * normal(state, r)
        v, largest = _value(U, r)
    return v, largest


@njit(cache=True, inline="always")
def _imbalance_and_norm(U, r):
    """``sum_i u_i^(0)^2 - u_i^(D)^2`` and the squared norm of all factors of run r."""
    imb = 0.0
    norm2 = 0.0
    last = U.shape[2] - 1
    for i in range(U.shape[1]):
        imb += U[r, i, 0] ** 2 - U[r, i, last] ** 2
        for j in range(U.shape[2]):
            norm2 += U[r, i, j] ** 2
    return imb, norm2


@njit(cache=True)
def values(U):
    """v of every run, formed exactly as the kernel forms it."""
    out = np.empty(U.shape[0])
    for r in range(U.shape[0]):
        out[r] = _value(U, r)[0]
    return out


@njit(cache=True)
def apply_step(U, delta):
    """``U[r] -= delta[r] * grad_U v`` for every run: the move every method makes."""
    prefix = np.empty(U.shape[2])
    for r in range(U.shape[0]):
        _move(U, r, delta[r], 1.0, prefix)


@njit(cache=True)
def apply_momentum_step(U, V, delta, beta):
    """``V[r] = beta V[r] - delta[r] grad_U v``, ``U[r] += V[r]`` for every run (heavy ball,
    no weight decay)."""
    prefix = np.empty(U.shape[2])
    for r in range(U.shape[0]):
        _move_momentum(U, V, r, delta[r], 0.0, beta, prefix)


@njit(cache=True, inline="always")
def _stop_if_diverged(U, r, v, alive, diverge_at):
    """Mark run r dead and zero its factors once |v| passes ``diverge_at`` or is nan."""
    if abs(v) <= diverge_at:
        return False
    alive[r] = False
    U[r] = 0.0
    return True


@njit(cache=True, inline="always")
def _steps(U, first, stop, value, largest, alive, state, data, m, method, h, temp, batch,
           inv_batch, iso, wd, max_rel, g_int, em2, prefix, diverge_at):  # fmt: skip
    """One step of every live run in ``[first, stop)``; ``value``, ``largest`` per run."""
    for r in range(first, stop):
        if alive[r]:
            v, big = _step(U, r, value[r - first], largest[r - first], state, data, m, method, h,
                           temp, batch, inv_batch, iso, wd, max_rel, g_int, em2,
                           prefix)  # fmt: skip
            if _stop_if_diverged(U, r, v, alive, diverge_at):
                v, big = 0.0, 0.0
            value[r - first] = v
            largest[r - first] = big


@njit(cache=True, inline="always")
def _momentum_steps(U, V, first, stop, value, largest, alive, state, data, m, method, h, batch,
                    inv_batch, decay, beta, g_int, prefix, diverge_at):  # fmt: skip
    """One heavy-ball step (``_move_momentum``) of every live run in ``[first, stop)``: SGD
    with the minibatch drawn as ``_step`` draws it, or GD; ``value``, ``largest`` per run."""
    for r in range(first, stop):
        if alive[r]:
            v = value[r - first]
            g_int[r] += g_of(v, m) * h
            if method == SGD:
                s2, sxy = minibatch_sums(state, r, data, batch)
                delta = h * 2.0 * (v * (s2 * inv_batch) - sxy * inv_batch)
            else:
                delta = h * 2.0 * (m[3] * v - m[4])
            v, big = _move_momentum(U, V, r, delta, decay, beta, prefix)
            if _stop_if_diverged(U, r, v, alive, diverge_at):
                v, big = 0.0, 0.0
            value[r - first] = v
            largest[r - first] = big


@njit(cache=True, inline="always")
def _sgd_two_layer_momentum(U, V, first, stop, value, alive, state, data, m, h, decay, beta,
                            g_int, diverge_at, prefix):  # fmt: skip
    """``_momentum_steps`` for SGD with S = 1 on the scalar two-layer model, written out as
    ``_sgd_two_layer`` is: the same draws and operations, so the same bits."""
    for r in range(first, stop):
        if alive[r]:
            v = 1.0 * U[r, 0, 1] * U[r, 0, 0]
            g_int[r] += g_of(v, m) * h
            j = index(bits(state, r), data.shape[0])
            delta = h * 2.0 * (v * data[j, 0] - data[j, 1])
            v = _move_momentum(U, V, r, delta, decay, beta, prefix)[0]
            if _stop_if_diverged(U, r, v, alive, diverge_at):
                v = 0.0
            value[r - first] = v


@njit(cache=True, inline="always")
def _sgd_two_layer(U, first, stop, value, alive, state, data, m, h, keep, g_int, diverge_at,
                   prefix):  # fmt: skip
    """``_steps`` for SGD with S = 1 on the scalar two-layer model, written out.

    The same operations in the same order as the general path (the tests hold both to the
    reference's bits); this case is the paper's main model and the engine's hottest loop.
    """
    for r in range(first, stop):
        if alive[r]:
            v = 1.0 * U[r, 0, 1] * U[r, 0, 0]
            g_int[r] += g_of(v, m) * h
            j = index(bits(state, r), data.shape[0])
            v = _move(U, r, h * 2.0 * (v * data[j, 0] - data[j, 1]), keep, prefix)[0]
            if _stop_if_diverged(U, r, v, alive, diverge_at):
                v = 0.0
            value[r - first] = v


@njit(cache=True, parallel=True)
def advance(
    U,
    V,
    beta,
    state,
    alive,
    g_int,
    em2,
    data,
    m,
    method,
    h,
    temp,
    batch,
    iso,
    wd,
    max_rel,
    diverge_at,
    first_step,
    last_step,
    record_all,
    ck_steps,
    ck_v,
    ck_imb,
    ck_norm2,
    ck_gint,
    ck_em2,
    burn_in,
    every,
    lo,
    inv_width,
    counts,
    sum_v,
    sum_v2,
    n_samples,
):
    """Advance every run from step ``first_step`` to ``last_step``, recording as it goes.

    ``data`` (n, 2) holds ``x^2`` and ``x y`` of the training set. Arrays are updated in
    place: ``U`` (runs, width, D+1) and, with momentum ``beta > 0`` (sgd and gd only), its
    velocity ``V`` (same shape; untouched, and may have no rows, when ``beta == 0``); the
    per-run state ``state`` (the random stream's
    position, starting at the run's key), ``alive``, ``g_int`` and ``em2`` (runs,); the
    checkpoint arrays ``ck_*`` (runs, K) at the steps ``ck_steps`` (K,), of which only
    ``ck_v`` unless ``record_all`` (the others may then have no rows); the histogram
    ``counts`` (blocks, bins + 2: under, bins, over); and the per-run sample sums.
    """
    runs = U.shape[0]
    bins = counts.shape[1] - 2
    inv_batch = 1.0 / batch
    n_blocks = (runs + RUNS_PER_BLOCK - 1) // RUNS_PER_BLOCK
    for b in prange(n_blocks):
        prefix = np.empty(U.shape[2])
        first, stop = b * RUNS_PER_BLOCK, min(runs, (b + 1) * RUNS_PER_BLOCK)
        value = np.empty(stop - first)
        largest = np.empty(stop - first)
        for r in range(first, stop):
            value[r - first], largest[r - first] = _value(U, r)
        k = np.searchsorted(ck_steps, first_step + 1)
        for step in range(first_step + 1, last_step + 1):
            record = k < ck_steps.size and ck_steps[k] == step
            sample = step > burn_in and (step - burn_in) % every == 0
            if beta > 0.0:  # heavy ball: its own paths, so that plain SGD keeps its bits
                if method == SGD and batch == 1 and U.shape[1] == 1 and U.shape[2] == 2:
                    _sgd_two_layer_momentum(U, V, first, stop, value, alive, state, data, m, h,
                                            2.0 * wd * h, beta, g_int, diverge_at,
                                            prefix)  # fmt: skip
                else:
                    _momentum_steps(U, V, first, stop, value, largest, alive, state, data, m,
                                    method, h, batch, inv_batch, 2.0 * wd * h, beta, g_int,
                                    prefix, diverge_at)  # fmt: skip
            elif method == SGD and batch == 1 and U.shape[1] == 1 and U.shape[2] == 2:
                _sgd_two_layer(U, first, stop, value, alive, state, data, m, h, 1.0 - 2.0 * wd * h,
                               g_int, diverge_at, prefix)  # fmt: skip
            else:
                _steps(U, first, stop, value, largest, alive, state, data, m, method, h, temp,
                       batch, inv_batch, iso, wd, max_rel, g_int, em2, prefix,
                       diverge_at)  # fmt: skip
            if record:
                for r in range(first, stop):
                    ck_v[r, k] = value[r - first]
                    if record_all:
                        ck_imb[r, k], ck_norm2[r, k] = _imbalance_and_norm(U, r)
                        ck_gint[r, k] = g_int[r]
                        ck_em2[r, k] = em2[r]
            if sample:
                for r in range(first, stop):
                    if alive[r]:
                        v = value[r - first]
                        pos = math.floor((v - lo) * inv_width)
                        slot = 0 if pos < 0 else (bins + 1 if pos >= bins else np.int64(pos) + 1)
                        counts[b, slot] += 1
                        sum_v[r] += v
                        sum_v2[r] += v * v
                        n_samples[r] += 1
            if record:
                k += 1


kernel_cache.stamp_with_sources(globals())  # this file's cached functions: see kernel_cache
