"""Tail exponents of stationary samples: the Hill estimator, its bootstrap interval, and the
value the theory density predicts for the same estimator at the same threshold.

The Hill estimator of the tail index kappa of ``P(|v| > x) ~ x^-kappa`` above a threshold u is
``1 / mean(log(|v_i| / u))`` over the samples beyond u; the density then falls like
``|v|^(-1 - kappa)``. At a finite threshold the density is not yet a pure power law (the
corrections decay like ``1/|v|``), so the estimator is compared with its theory value at the
same u, ``1 / E[log(|V|/u) | |V| > u]``, computed from the quadrature density; the asymptotic
exponent of the paper is drawn beside it.
"""

import numpy as np

from .density import StationaryDensity


def hill(samples, threshold: float) -> float:
    """Hill estimate of the tail index of ``|samples|`` above ``threshold``."""
    a = np.abs(np.asarray(samples, dtype=float))
    excess = np.log(a[a > threshold] / threshold)
    if excess.size < 2:
        raise ValueError(f"fewer than 2 samples above the threshold {threshold:g}")
    return 1.0 / excess.mean()


def hill_bootstrap(
    samples_by_run, tail_fraction: float, n_boot: int, seed: int, confidence: float = 0.95
) -> dict:
    """Hill estimate with a bootstrap interval that resamples whole runs.

    Samples of one run (taken at several times) are correlated, so runs, not samples, are the
    independent units the bootstrap draws with replacement. The threshold is the
    ``1 - tail_fraction`` quantile of all ``|v|`` and is held fixed in the resamples, so the
    interval is that of the estimator at this threshold, comparable with ``theory_hill``.

    Parameters
    ----------
    samples_by_run : ndarray, shape (runs, k)
        Stationary samples of v, k per run; nan marks a missing sample (diverged run).
    tail_fraction : float
        Fraction of all finite samples above the threshold, in (0, 1).
    n_boot : int
        Bootstrap resamples of the runs.
    seed : int
        Seed of the bootstrap's ``SeedSequence``.
    confidence : float
        Coverage of the percentile interval.

    Returns
    -------
    dict
        ``kappa`` (the Hill estimate of ``P(|v| > x) ~ x^-kappa``), ``lo``, ``hi`` (the
        interval), ``std`` (bootstrap standard deviation), ``n_tail`` (samples above the
        threshold), ``threshold``, ``n_runs``, ``n_samples``.
    """
    a = np.abs(np.asarray(samples_by_run, dtype=float))
    if a.ndim != 2:
        raise ValueError(f"samples_by_run must be 2-d (runs, k), got shape {a.shape}")
    finite = a[np.isfinite(a)]
    threshold = float(np.quantile(finite, 1.0 - tail_fraction))
    with np.errstate(divide="ignore", invalid="ignore"):
        excess = np.where(a > threshold, np.log(a / threshold), 0.0)
    fit = _run_bootstrap(excess.sum(axis=1), (a > threshold).sum(axis=1), n_boot, seed, confidence)
    return fit | {"threshold": threshold, "n_runs": int(a.shape[0]), "n_samples": int(finite.size)}


def hill_bootstrap_top(
    run, value, n_runs: int, n_tail: int, n_boot: int, seed: int, confidence: float = 0.95
) -> dict:
    """Hill estimate from the largest ``|v|`` of an ensemble, with a run bootstrap.

    ``run`` and ``value`` list samples of ``|v|`` (any superset of the ``n_tail + 1`` largest
    of the ensemble) and the run each came from. The threshold is the ``n_tail + 1``-th
    largest value, so ``n_tail`` samples lie above it: a fixed count rather than a fixed
    fraction, so that more samples move the threshold deeper into the tail (where the
    estimator's bias is smaller) instead of only shrinking its interval.
    """
    value = np.asarray(value, dtype=float)
    run = np.asarray(run)
    if value.size <= n_tail:
        raise ValueError(f"need more than n_tail = {n_tail} samples, got {value.size}")
    threshold = float(np.sort(value)[-(n_tail + 1)])
    above = value > threshold
    sum_excess = np.bincount(run[above], np.log(value[above] / threshold), minlength=n_runs)
    count = np.bincount(run[above], minlength=n_runs)
    fit = _run_bootstrap(sum_excess, count, n_boot, seed, confidence)
    return fit | {"threshold": threshold, "n_runs": int(n_runs)}


def _run_bootstrap(sum_excess, count, n_boot: int, seed: int, confidence: float) -> dict:
    """Hill estimate ``sum count / sum excess`` and its bootstrap over runs.

    Per-run sums make each resample a weighted sum over runs: cheap for many resamples.
    """
    kappa = count.sum() / sum_excess.sum()
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    runs = count.size
    boot = np.empty(n_boot)
    for b in range(n_boot):
        weights = np.bincount(rng.integers(runs, size=runs), minlength=runs)
        boot[b] = (weights @ count) / (weights @ sum_excess)
    lo, hi = np.quantile(boot, [(1 - confidence) / 2, (1 + confidence) / 2])
    return {
        "kappa": float(kappa),
        "lo": float(lo),
        "hi": float(hi),
        "std": float(boot.std(ddof=1)),
        "n_tail": int(count.sum()),
    }


def survival(density: StationaryDensity, x) -> np.ndarray:
    """``P(|V| > x)`` for ``x > 0`` under a stationary density (both sides counted).

    Summed from the top of the grid down, so that a tail mass of 1e-20 is not lost in the
    rounding of ``1 - CDF``.
    """
    log_s = density.log_s
    ds = log_s[1] - log_s[0]
    log_x = np.log(np.asarray(x, dtype=float))
    out = np.zeros_like(log_x)
    for sign in density.sides:
        w = np.exp(density.log_pdf[sign] + log_s)  # density per unit log|v|
        beyond = w[-1] / -(density.tail_slope[sign] + 1.0)  # power-law mass above the grid
        pieces = 0.5 * (w[1:] + w[:-1]) * ds
        above = beyond + np.concatenate([np.cumsum(pieces[::-1])[::-1], [0.0]])
        with np.errstate(divide="ignore"):
            out += np.exp(np.interp(log_x, log_s, np.log(above)))
    return out


def theory_hill(density: StationaryDensity, threshold):
    """``1 / E[log(|V|/u) | |V| > u]``: what the Hill estimator converges to at threshold u.

    Uses ``E[log(|V|/u); |V| > u] = ∫_u^inf P(|V| > x) dx / x``, integrated in ``log x`` on
    the density's grid (trapezoids from u to the next grid point, then between grid points),
    with the pure power law beyond the grid added in closed form. The survival function is
    evaluated on the grid once for any number of thresholds (a figure's curve takes 60).

    Parameters
    ----------
    density : StationaryDensity
        The theory's density of v.
    threshold : float or array_like
        u > 0, in units of v.

    Returns
    -------
    float or ndarray
        The tail index kappa (``p ~ |v|^(-1 - kappa)``) the estimator sees at each u.
    """
    log_s = density.log_s
    log_u = np.log(np.asarray(threshold, dtype=float))
    surv_grid = survival(density, np.exp(log_s))
    # ∫ from each grid point to the top of the grid, summed from the top down.
    pieces = 0.5 * (surv_grid[1:] + surv_grid[:-1]) * np.diff(log_s)
    from_point = np.concatenate([np.cumsum(pieces[::-1])[::-1], [0.0]])
    nxt = np.searchsorted(log_s, log_u)  # the first grid point at or above u
    inside = nxt < log_s.size
    j = np.minimum(nxt, log_s.size - 1)
    surv_u = survival(density, np.exp(log_u))
    first = np.where(inside, 0.5 * (surv_u + surv_grid[j]) * (log_s[j] - log_u), 0.0)
    # Beyond the grid P(|V| > x) ~ surv_top (x/x_top)^-kappa_top: its ∫ dlog x is surv/kappa.
    kappa_top = -(max(density.tail_slope.values()) + 1.0)
    beyond = np.where(inside, surv_grid[-1], surv_u) / kappa_top
    kappa = surv_u / (first + from_point[j] + beyond)  # u beyond the grid: from_point[-1] = 0
    return float(kappa) if kappa.ndim == 0 else kappa


def bin_probability(density: StationaryDensity, edges) -> np.ndarray:
    """``P(edges[i] < |V| <= edges[i+1])`` for each bin of ``|v|`` (both signs of v counted)."""
    s = survival(density, np.asarray(edges, dtype=float))
    return s[:-1] - s[1:]


def bin_density(edges, probability) -> tuple[np.ndarray, np.ndarray]:
    """``(centre, density)`` of log-spaced bins of ``|v|``: each bin's geometric centre, and
    its mass (``probability``, shape (..., bins)) over its width."""
    edges = np.asarray(edges, dtype=float)
    return np.sqrt(edges[1:] * edges[:-1]), np.asarray(probability, dtype=float) / np.diff(edges)


def power_law_slope(edges, probability) -> float:
    """Least-squares slope of ``log p(|v|)`` against ``log|v|`` over log-spaced bins.

    ``probability`` (bins,) is the mass in each bin (``bin_density`` turns it into a density).
    """
    centre, density = bin_density(edges, probability)
    return float(np.polyfit(np.log(centre), np.log(density), 1)[0])
