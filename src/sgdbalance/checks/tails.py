"""Tails (Thm 4.2): Hill indices of simulated ``|v|`` against the theory at the same threshold."""

import numpy as np

from ..theory import tails
from .record import verdict


def tail_index(samples, theory, asymptotic: float, tail_fraction, n_boot, seed, n_sigma=4.0):
    """Hill estimate of the tail index against its theory value at the same threshold.

    ``samples`` (runs, k) are stationary v; the threshold is their ``1 - tail_fraction``
    quantile. The bootstrap resamples whole runs (their samples are correlated).

    Parameters
    ----------
    samples : ndarray, shape (runs, k)
        Stationary samples of v, k per run.
    theory : StationaryDensity
        The density at the same depth and T.
    asymptotic : float
        The paper's asymptotic tail index (reported beside).
    tail_fraction : float
        Fraction of the samples above the threshold.
    n_boot : int
        Bootstrap resamples of the runs.
    seed : int
        Seed of the bootstrap.
    n_sigma : float
        Bootstrap standard deviations the tolerance allows.

    Returns
    -------
    dict
        The verdict record (``record.verdict``).
    """

    fit = tails.hill_bootstrap(samples, tail_fraction, n_boot, seed)
    expected = tails.theory_hill(theory, fit["threshold"])
    value = abs(fit["kappa"] - expected)
    tolerance = n_sigma * fit["std"]
    return verdict(
        f"Tail of the stationary density, D = {theory.depth}, T = {theory.temperature:g}",
        "|Hill tail index above the threshold - theory's index at that threshold|",
        value,
        tolerance,
        f"{n_sigma:g} bootstrap standard errors ({n_boot} resamples of {fit['n_runs']} runs, "
        f"{fit['n_tail']} samples above the threshold)",
        fit["n_tail"],
        seed,
        value <= tolerance,
        **fit,
        theory_at_threshold=expected,
        asymptotic_index=asymptotic,
    )


def tail_window(edges, theory_probability, asymptotic_slope, within, roots, min_roots):
    """The bins to fit: from where the theory's local slope stays within ``within`` of its
    asymptote (in every bin further out), as far as each bin's estimate rests on at least
    ``min_roots`` independent root excursions. A boolean mask (bins,), contiguous or empty.

    Fixed by the theory and by how much data each bin holds, never by the estimate's values.
    The local slope of bin i is taken between bins i - 1 and i + 1 (on the way out of the
    bulk it may cross the asymptote: only where it stays close counts).
    """
    centre, density = tails.bin_density(edges, theory_probability)
    log_centre = np.log(centre)
    with np.errstate(divide="ignore"):
        log_density = np.log(density)
    local = np.full(log_centre.size, np.nan)
    local[1:-1] = (log_density[2:] - log_density[:-2]) / (log_centre[2:] - log_centre[:-2])
    far = np.isfinite(local) & (np.abs(local - asymptotic_slope) > within)
    start = far.nonzero()[0][-1] + 1 if far.any() else 1
    window = np.zeros(local.size, dtype=bool)
    for i in range(start, local.size - 1):
        if roots[i] < min_roots:
            break
        window[i] = True
    return window


def tail_slope(split, theory, asymptotic_slope, within, min_roots, n_boot, seed, n_sigma=4.0):
    """Power-law slope of the stationary density far out, from a splitting estimate.

    The window is ``tail_window``; the slope is fitted (``tails.power_law_slope``) to the mean
    over replicates of the estimated bin probabilities, and compared with the same fit to the
    theory's bin probabilities over the same window; the bootstrap resamples whole replicates
    (independent main trajectories). The paper's asymptotic slope is reported beside: by the
    choice of window the theory's fitted slope lies within about ``within`` of it.

    Parameters
    ----------
    split : dict
        ``splitting.tail_splitting``'s output: ``edges``, ``probability`` (replicates, bins),
        ``roots``, ``visits``.
    theory : StationaryDensity
        The density of the same experiment.
    asymptotic_slope : float
        The paper's exponent of ``p(v) ~ |v|^slope`` (``density.tail_exponent``).
    within : float
        Largest distance of the theory's local slope from the asymptote inside the window.
    min_roots : int
        Fewest root excursions (all replicates together) behind a bin of the window: far
        bins reached by few of them are underestimated on average (the estimate of a bin is
        a sum of rare, large contributions), which steepens the fitted slope.
    n_boot : int
        Bootstrap resamples of the replicates.
    seed : int
        Seed of the bootstrap's ``SeedSequence``.
    n_sigma : float
        Bootstrap standard deviations the tolerance allows.

    Returns
    -------
    dict
        The verdict record (``record.verdict``).
    """
    edges, prob = split["edges"], np.asarray(split["probability"])
    expected_prob = tails.bin_probability(theory, edges)
    window = tail_window(
        edges, expected_prob, asymptotic_slope, within, split["roots"].sum(axis=0), min_roots
    )
    claim = f"Tail slope of the stationary density, D = {theory.depth}, T = {theory.temperature:g}"
    statistic = "|fitted slope of log p(|v|) in the asymptotic window - theory's fitted slope|"
    idx = np.flatnonzero(window)
    if idx.size < 3 or (idx[-1] - idx[0] + 1) != idx.size:
        return verdict(
            claim, statistic, np.inf, 0.0, "no window: see details", prob.shape[0], seed, False,
            reason=f"the asymptotic window is {idx.size} bins, not contiguous or fewer than 3: "
            "the estimate does not reach where the theory's slope is within "
            f"{within:g} of {asymptotic_slope:g}",
        )  # fmt: skip
    lo, hi = idx[0], idx[-1] + 1
    window_edges = edges[lo : hi + 1]
    reps = prob[:, lo:hi]
    slope = tails.power_law_slope(window_edges, reps.mean(axis=0))
    expected = tails.power_law_slope(window_edges, expected_prob[lo:hi])
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    boot = []
    for _ in range(n_boot):
        mean = reps[rng.integers(0, reps.shape[0], reps.shape[0])].mean(axis=0)
        if (mean > 0).all():  # a resample with an empty bin has no slope
            boot.append(tails.power_law_slope(window_edges, mean))
    std = float(np.std(boot, ddof=1))
    value = abs(slope - expected)
    tolerance = n_sigma * std
    tail_reached = prob[:, hi - 1 :].sum(axis=1) + split["over"]
    return verdict(
        claim,
        statistic,
        value,
        tolerance,
        f"{n_sigma:g} bootstrap standard errors ({len(boot)} of {n_boot} resamples of "
        f"{reps.shape[0]} independent replicates had every bin non-empty)",
        reps.shape[0],
        seed,
        value <= tolerance,
        slope=slope,
        lo=float(np.percentile(boot, 2.5)),
        hi=float(np.percentile(boot, 97.5)),
        std=std,
        theory_slope_in_window=expected,
        asymptotic_slope=asymptotic_slope,
        window=[float(window_edges[0]), float(window_edges[-1])],
        bins=int(hi - lo),
        tail_probability_reached=float(tail_reached.mean()),
        theory_tail_probability_reached=float(tails.survival(theory, window_edges[-2:-1])[0]),
        visits_in_window=int(split["visits"][:, lo:hi].sum()),
        fewest_roots_in_window=int(split["roots"][:, lo:hi].sum(axis=0).min()),
    )


def tail_level(split, theory, probability, allowance, n_sigma=4.0):
    """The splitting estimate of ``P(|v| > x)`` against the theory's, far out.

    ``x`` is the bin edge where the theory's tail probability is nearest ``probability``.
    The estimate is the mean over independent replicates; it passes when its relative gap
    to the theory is within ``n_sigma`` standard errors plus ``allowance``, which stands for
    the step bias of the chain (the experiment's dt) that the theory of the SGF does not have.

    Parameters
    ----------
    split : dict
        ``splitting.tail_splitting``'s output.
    theory : StationaryDensity
        The density of the same experiment.
    probability : float
        Where to compare, as a theory tail probability.
    allowance : float
        Relative gap allowed beyond the standard errors.
    n_sigma : float
        Standard errors of the mean allowed.

    Returns
    -------
    dict
        The verdict record (``record.verdict``).
    """
    edges = split["edges"]
    survival = tails.survival(theory, edges[:-1])
    i = int(np.argmin(np.abs(np.log(survival) - np.log(probability))))
    reps = _above(split, edges[i])
    ratio = reps.mean() / survival[i]
    se = reps.std(ddof=1) / np.sqrt(reps.size) / survival[i]
    value, tolerance = abs(ratio - 1.0), n_sigma * se + allowance
    return verdict(
        f"Splitting estimate of P(|v| > x) against the theory, D = {theory.depth}, "
        f"T = {theory.temperature:g}, near P = {probability:g}",
        "|estimate / theory - 1| of P(|v| > x)",
        value,
        tolerance,
        f"{n_sigma:g} standard errors of the mean over {reps.size} independent replicates "
        f"plus {allowance:g} for the chain's step bias",
        reps.size,
        None,
        value <= tolerance,
        x=float(edges[i]),
        theory=float(survival[i]),
        estimate=float(reps.mean()),
        ratio=float(ratio),
        standard_error=float(se),
    )


def _above(split, x) -> np.ndarray:
    """Each replicate's estimate of ``P(|v| > x)`` (x a bin edge) from a splitting output."""
    edges, prob = split["edges"], np.asarray(split["probability"])
    return prob[:, edges[:-1] >= x].sum(axis=1) + split["over"]


def splitting_against_plain(split, plain, tail_probabilities, n_sigma=4.0):
    """The splitting estimate of ``P(|v| > x)`` against plain simulation where both reach.

    ``x`` runs over the bin edges of the splitting estimate nearest to the plain simulation's
    upper quantiles ``1 - q`` for q in ``tail_probabilities``. Standard errors: over
    independent replicates (splitting) and over runs (plain; the samples of one run are
    correlated, so each run's fraction above x is the unit).

    Parameters
    ----------
    split : dict
        ``splitting.tail_splitting``'s output.
    plain : ndarray, shape (runs, k), or dict
        Stationary samples of v from plain simulation of the same dynamics, or
        ``tail_splitting``'s output without levels (its replicates are the runs).
    tail_probabilities : sequence of float
        Where to compare, as plain tail probabilities.
    n_sigma : float
        Largest ``|z|`` that passes, at every point.

    Returns
    -------
    dict
        The verdict record (``record.verdict``).
    """
    edges, prob = split["edges"], np.asarray(split["probability"])
    if isinstance(plain, dict):  # per replicate, at every bin edge
        plain_edges = np.stack([_above(plain, x) for x in edges[:-1]], axis=1)
        runs = plain_edges.shape[0]
    else:
        a = np.abs(np.asarray(plain, dtype=float))
        a = a[np.isfinite(a).all(axis=1)]
        runs = a.shape[0]
    points = []
    for q in tail_probabilities:
        if isinstance(plain, dict):
            i = np.argmin(np.abs(np.log(plain_edges.mean(axis=0) + 1e-300) - np.log(q)))
            x, above_runs, extra = edges[i], plain_edges[:, i], {}
        else:
            x = edges[np.argmin(np.abs(np.log(edges / np.quantile(a, 1.0 - q))))]
            above_runs, extra = (a > x).mean(axis=1), {"samples_above": int((a > x).sum())}
        above_reps = _above(split, x)
        se = np.hypot(above_runs.std(ddof=1) / np.sqrt(runs),
                      above_reps.std(ddof=1) / np.sqrt(prob.shape[0]))  # fmt: skip
        z = (above_reps.mean() - above_runs.mean()) / se
        points.append({"x": float(x), "plain": float(above_runs.mean()),
                       "splitting": float(above_reps.mean()), "z": float(z), **extra})  # fmt: skip
    value = max(abs(p["z"]) for p in points)
    return verdict(
        "Splitting estimator of the tail against plain simulation of the same SGF",
        "largest |z| of P(|v| > x) between splitting and plain simulation",
        value,
        n_sigma,
        f"{n_sigma:g} standard errors at each of {len(points)} points (replicates and runs)",
        prob.shape[0],
        None,
        value <= n_sigma,
        points=points,
        plain_runs=int(runs),
    )
