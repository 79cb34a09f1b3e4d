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

    Parameters
    ----------
    values : ndarray, shape (n_batches,)
        The mean over each batch; each batch weighs the same.
    exact : bool
        True if ``values`` lists every ordered batch (``n_batches = n^S``), so that an
        average over them is exact; False for random draws.
    batch : int
        S, samples per batch.
    """

    values: np.ndarray
    exact: bool
    batch: int


def batch_means(per_sample, batch: int, seed, draws: int = MC_BATCHES) -> BatchMeans:
    """Means over S samples drawn with replacement.

    Lists all ``n^S`` ordered batches when that is at most MAX_EXACT_BATCHES (each has
    probability ``n^-S``); otherwise draws ``draws`` batches from ``SeedSequence(seed)``
    (``seed`` an int or a list of ints).

    Parameters
    ----------
    per_sample : ndarray, shape (n,)
        The quantity per training sample, e.g. ``x * y`` (collapse) or ``x**2`` (Kesten).
    batch : int
        S, samples per minibatch.
    seed : int or list of int
        Entropy of the ``SeedSequence`` for random draws (unused when exact).
    draws : int
        Random batches to draw when they cannot all be listed.

    Returns
    -------
    BatchMeans

    Examples
    --------
    >>> import numpy as np
    >>> means = batch_means(np.array([0.0, 1.0, 2.0]), batch=2, seed=0)
    >>> means.exact, means.values.tolist()  # all 3^2 ordered batches
    (True, [0.0, 0.5, 1.0, 0.5, 1.0, 1.5, 1.0, 1.5, 2.0])
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
    """Mean over batches, and its Monte Carlo standard error (0 when every batch is listed).

    Parameters
    ----------
    values : ndarray, shape (n_batches,)
        A function of each batch.
    exact : bool
        Whether the batches are all of them (then the standard error is 0).

    Returns
    -------
    mean, se : float
    """
    se = 0.0 if exact else float(values.std(ddof=1) / np.sqrt(values.size))
    return float(values.mean()), se


def sign_changes(f: Callable[[float], float], grid, xtol: float = 1e-12) -> list[float]:
    """Roots of ``f`` between neighbours of ``grid`` where its sign changes, refined by Brent.

    Roots closer together than the grid spacing can be missed; callers state the spacing.

    Parameters
    ----------
    f : callable
        ``float -> float``.
    grid : ndarray, shape (n,)
        Increasing points to evaluate ``f`` at.
    xtol : float
        Absolute tolerance of Brent's method.

    Returns
    -------
    list of float
        The roots, in increasing order.
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
    large arguments: bracketed by doubling from ``start``, refined by Brent.

    Parameters
    ----------
    f : callable
        ``float -> float``, convex.
    start : float
        First upper end of the bracket.
    tiny : float
        Lower end of the bracket when ``f(start) > 0`` already.

    Returns
    -------
    float
    """
    hi = start
    while f(hi) < 0:
        hi *= 2
    lo = hi / 2 if hi > start else tiny
    return float(optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-12))
