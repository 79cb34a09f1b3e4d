"""Tails (Thm 4.2): Hill indices of simulated ``|v|`` against the theory at the same threshold."""

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
