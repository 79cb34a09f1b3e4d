"""Expectations over the minibatches of discrete SGD, and the roots in eta of such expectations:
what ``collapse.py`` (D = 1) and ``kesten.py`` (D = 0) share.

A minibatch holds S samples drawn with replacement, as the engine draws them. An expectation
over minibatches is an exact average when every batch can be listed (S = 1, or ``n^S``
small), else a Monte Carlo average over drawn batches whose standard error is returned.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize

MAX_EXACT_BATCHES = 2**21  # list every batch when n^S is at most this
MC_BATCHES = 2**21  # else draw this many


@dataclass(frozen=True)
class BatchMeans:
    """Minibatch means of a per-sample quantity: every batch (``exact``), or random draws.

    ``values`` has shape (number of batches,); each batch weighs the same.
    """

    values: np.ndarray
    exact: bool
    batch: int


def batch_means(per_sample, batch: int, seed, draws: int = MC_BATCHES) -> BatchMeans:
    """Means over S samples drawn with replacement.

    Lists all ``n^S`` ordered batches when that is at most MAX_EXACT_BATCHES (each has
    probability ``n^-S``); otherwise draws ``draws`` batches from ``SeedSequence(seed)``
    (``seed`` an int or a list of ints).
    """
    z = np.asarray(per_sample, dtype=float)
    if batch < 1:
        raise ValueError(f"batch must be >= 1, got {batch!r}")
    if z.size**batch <= MAX_EXACT_BATCHES:
        sums = np.zeros(1)
        for _ in range(batch):
            sums = (sums[:, None] + z[None, :]).ravel()
        return BatchMeans(sums / batch, True, batch)
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    sums = np.zeros(draws)
    for _ in range(batch):
        sums += z[rng.integers(z.size, size=draws)]
    return BatchMeans(sums / batch, False, batch)


def mean_and_se(values, exact: bool) -> tuple[float, float]:
    """Mean over batches, and its Monte Carlo standard error (0 when every batch is listed)."""
    se = 0.0 if exact else float(values.std(ddof=1) / np.sqrt(values.size))
    return float(values.mean()), se


def sign_changes(f: Callable[[float], float], grid, xtol: float = 1e-12) -> list[float]:
    """Roots of ``f`` between neighbours of ``grid`` where its sign changes, refined by Brent.

    Roots closer together than the grid spacing can be missed; callers state the spacing.
    """
    values = np.array([f(x) for x in grid])
    roots = [float(x) for x, v in zip(grid, values, strict=True) if v == 0]
    roots += [
        optimize.brentq(f, grid[i], grid[i + 1], xtol=xtol)
        for i in np.flatnonzero(values[:-1] * values[1:] < 0)
    ]
    return sorted(roots)


def positive_root(f: Callable[[float], float], start: float = 1.0, tiny: float = 1e-9) -> float:
    """The positive root of a convex ``f`` with ``f(0) = 0``, ``f'(0) < 0`` and ``f > 0`` for
    large arguments: bracketed by doubling from ``start``, refined by Brent."""
    hi = start
    while f(hi) < 0:
        hi *= 2
    lo = hi / 2 if hi > start else tiny
    return float(optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-12))
