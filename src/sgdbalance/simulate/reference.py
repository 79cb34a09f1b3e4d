"""The ensemble update written plainly, one run at a time, in pure Python.

Slow, and meant to be read: it is the specification the compiled kernel (``kernels.py``) is
tested against, draw for draw and bit for bit. Only the trajectory of one run is computed.
"""

import math

from ..theory.moments import Moments
from . import rng
from .params import EnsembleParams


def _value(U):
    """v and the largest |v_i|; each path's product is taken from its last factor down."""
    paths = [math.prod(reversed(u)) for u in U]
    return sum(paths), max(abs(p) for p in paths)


def _move(U, delta, keep=1.0):
    """``U = keep * U - delta * grad_U v``: each factor's gradient is the product of the
    factors before it times the product of those after it; ``keep = 1 - 2 gamma h`` is weight
    decay."""
    for u in U:
        before = [math.prod(u[:k]) for k in range(len(u))]
        after = 1.0
        for k in reversed(range(len(u))):
            old = u[k]
            u[k] = keep * old - delta * (before[k] * after)
            after *= old


def _move_momentum(U, V, delta, decay, beta):
    """Heavy ball: ``V = beta V - (delta grad_U v + decay U)``, ``U = U + V``; the gradient
    from the factors before the step; ``decay = 2 gamma h`` is weight decay."""
    for u, vel in zip(U, V, strict=True):
        before = [math.prod(u[:k]) for k in range(len(u))]
        after = 1.0
        for k in reversed(range(len(u))):
            old = u[k]
            vel[k] = beta * vel[k] - (delta * (before[k] * after) + decay * old)
            u[k] = old + vel[k]
            after *= old


class Stream:
    """The counter-based random stream of one run."""

    def __init__(self, key: int):
        self.key, self.counter = key, 0

    def bits(self) -> int:
        value, self.counter = rng.draw(self.key, self.counter)
        return value

    def normal(self) -> float:
        u1, u2 = rng.uniform(self.bits()), rng.uniform(self.bits())
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(rng.TWO_PI * u2)


def trajectory(
    x2, xy, moments: Moments, params: EnsembleParams, key: int, substeps: list | None = None
) -> list[list]:
    """The factors of one run after every step: a list of ``n_steps + 1`` states.

    The engine's update written out in plain Python, one run at a time: the specification
    the compiled kernel is tested against, bit for bit. Slow; for tests and small checks.

    Parameters
    ----------
    x2, xy : ndarray, shape (n,)
        ``x^2`` and ``x y`` of the training set.
    moments : Moments
        Its moments (full-batch methods and the SGF use them).
    params : EnsembleParams
        The ensemble the run belongs to.
    key : int
        The run's key, ``run_keys(params.seed, range(r, r + 1))[0]`` for run r.
    substeps : list, optional
        For the SGF: appended with ``(length, v)`` after every sub-step, the state the
        splitting estimate records (``splitting.py``).

    Returns
    -------
    list of list of list of float, shape (n_steps + 1, width, D + 1)
        The factors ``u_i^(k)`` at steps 0 .. n_steps.
    """
    p, m = params, moments
    U = [list(map(float, u)) for u in p.path_factors]
    stream = Stream(key)
    h, temp, depth = p.step, p.temperature, p.depth
    keep = 1.0 - 2.0 * p.weight_decay * h  # weight decay over one step (1.0 without it)
    V = [[0.0] * len(u) for u in U]  # heavy-ball velocities (momentum > 0 only)
    states = [[list(u) for u in U]]
    for _ in range(p.n_steps):
        v, largest = _value(U)
        if p.method == "sgf":
            remaining = h
            while True:
                g_v = m.alpha1 * v * v - 2.0 * m.alpha2 * v + m.alpha3
                drift = 2.0 * (m.beta1 * v - m.beta2)
                hs = remaining
                if depth >= 1:
                    scale = (h * abs(drift) + math.sqrt(4.0 * temp * g_v * h)) * largest ** (
                        (depth - 1) / (depth + 1)
                    )
                    if scale > 0.0:
                        # A product, as the kernel squares: Python's ** 2 calls libm's pow,
                        # which misses the rounded square by an ulp about once in 1400.
                        ratio = p.max_relative_step / scale
                        hs = min(remaining, h * (ratio * ratio))
                noise = math.sqrt(4.0 * temp * g_v * hs)
                _move(U, hs * drift - noise * stream.normal(), 1.0 - 2.0 * p.weight_decay * hs)
                remaining -= hs
                if substeps is not None:
                    substeps.append((hs, _value(U)[0]))
                if remaining <= 1e-12 * h:
                    break
                v, largest = _value(U)
        elif p.method == "sgd":
            # Minibatch means; each 64 random bits give two indices (top, bottom 32 bits).
            s2 = sxy = 0.0
            for t in range(p.batch):
                if t % 2 == 0:
                    bits = stream.bits()
                    j = rng.index(bits, len(x2))
                else:
                    j = rng.index((bits << 32) & rng.MASK, len(x2))
                s2 += x2[j]
                sxy += xy[j]
            inv_batch = 1.0 / p.batch
            delta = h * 2.0 * (v * (s2 * inv_batch) - sxy * inv_batch)
            if p.momentum > 0:
                _move_momentum(U, V, delta, 2.0 * p.weight_decay * h, p.momentum)
            else:
                _move(U, delta, keep)
        elif p.method == "gd" and p.momentum > 0:
            _move_momentum(U, V, h * 2.0 * (m.beta1 * v - m.beta2), 2.0 * p.weight_decay * h,
                           p.momentum)  # fmt: skip
        else:
            _move(U, h * 2.0 * (m.beta1 * v - m.beta2), keep)
            if p.method == "gd_iso":
                amplitude = math.sqrt(h * temp * p.iso_noise)
                for u in U:
                    for k in range(len(u)):
                        u[k] += amplitude * stream.normal()
        states.append([list(u) for u in U])
    return states
