"""The stationary tail of discrete SGD on linear regression (D = 0): Kesten's index.

SGD is the Kesten recursion ``v' = (1 - 2 eta m2) v + 2 eta mxy``, ``m2`` and ``mxy`` the
minibatch means of ``x^2`` and ``x y``. If ``E log|A| < 0`` for ``A = 1 - 2 eta m2`` and
``|A| > 1`` has positive probability, its stationary law has ``P(|v| > x) ~ x^-kappa`` with
``E|A|^kappa = 1`` (Kesten 1973, Goldie 1991), against the SGF's ``1 + beta1 / (T alpha1)``.
At ``kappa = 2`` the equation is quadratic in eta and gives ``T = beta1 / (alpha1 + S
beta1^2)`` exactly (``1/(S + 2)`` for ``x ~ N(0, 1)``), where the variance diverges.
"""

import numpy as np
from scipy import integrate, special

from ..theory import tails
from .batches import BatchMeans, batch_means, positive_root


def _log_mean_power(log_abs_a, kappa: float) -> float:
    """``log E|A|^kappa`` from equally weighted samples of ``log|A|`` (log-sum-exp)."""
    return float(special.logsumexp(kappa * log_abs_a) - np.log(log_abs_a.size))


def kesten_index(x2_means: BatchMeans, eta: float) -> dict:
    """Root ``kappa > 0`` of ``E|1 - 2 eta m2|^kappa = 1`` over the batches of ``x2_means``.

    ``log E|A|^kappa`` is convex in kappa, 0 at kappa = 0 with slope ``E log|A|``; a positive
    root exists iff that slope is negative (a stationary law exists) and some batch has
    ``|A| > 1``. Without such a batch the stationary law has bounded support (``kappa = inf``);
    with a non-negative slope there is none (``kappa = 0``); the standard error is then nan.
    Evaluated by log-sum-exp, so that large kappa, where a few batches carry the average,
    neither overflows nor underflows. With Monte Carlo batches the standard error follows by
    the delta method; ``effective_batches`` says how many batches carry the average.

    Parameters
    ----------
    x2_means : BatchMeans
        Minibatch means m2 of ``x^2`` (``batch_means(x**2, S, seed)``).
    eta : float
        Learning rate; ``T = eta / S``.

    Returns
    -------
    dict of float
        ``kappa`` (``P(|v| > x) ~ x^-kappa``, density ``|v|^(-1 - kappa)``; ``inf``: bounded
        support, 0: no stationary law), ``kappa_se``, ``mean_log_a`` (``E log|A|``),
        ``max_log_a``, and ``effective_batches`` when kappa is finite and positive.

    Examples
    --------
    A training set with ``eta x^2 > 1`` for some sample has a power-law tail:

    >>> import numpy as np
    >>> x = np.array([0.5, 1.0, 1.5, 2.0])
    >>> k = kesten_index(batch_means(x**2, batch=1, seed=0), eta=0.3)
    >>> round(k["kappa"], 4), k["kappa_se"]  # every batch listed: no sampling error
    (3.6256, 0.0)
    >>> round(float(np.mean(np.abs(1 - 2 * 0.3 * x**2) ** k["kappa"])), 9)  # E|A|^kappa
    1.0
    """
    with np.errstate(divide="ignore"):  # A = 0 exactly: log|A| = -inf, |A|^kappa = 0
        log_a = np.log(np.abs(1.0 - 2.0 * eta * x2_means.values))
    drift = float(log_a.mean())
    out = {"mean_log_a": drift, "max_log_a": float(log_a.max())}
    if drift >= 0:
        return out | {"kappa": 0.0, "kappa_se": float("nan")}  # no stationary law
    if log_a.max() <= 0:
        return out | {"kappa": float("inf"), "kappa_se": float("nan")}  # bounded support
    kappa = positive_root(lambda c: _log_mean_power(log_a, c), tiny=1e-6)
    weights = np.exp(kappa * log_a)  # mean 1 at the root
    se = 0.0
    if not x2_means.exact:
        # se of the mean of |A|^kappa over d/dkappa of it (= E[|A|^kappa log|A|]).
        slope = float(np.mean(weights * log_a))
        se = float(weights.std(ddof=1) / np.sqrt(weights.size) / slope)
    return out | {
        "kappa": kappa,
        "kappa_se": se,
        "effective_batches": float(weights.sum() ** 2 / (weights**2).sum()),
    }


def population_log_mean_power(eta: float, batch: int, kappa: float) -> float:
    """``log E|1 - 2 eta m2|^kappa`` for ``x ~ N(0, 1)``: ``S m2 = r^2`` with r chi(S).

    The integrand ``r^(S-1) exp(-r^2/2) |1 - c r^2|^kappa`` peaks near
    ``r^2 = S - 1 + 2 kappa`` for large kappa, far in the tail of the chi law: it is
    integrated after dividing by its largest value (found on a grid reaching beyond that
    peak), in pieces split at the zero ``r0 = 1/sqrt(c)`` and at the peak, so that neither a
    fixed range nor overflow decides the root.
    """
    c = 2.0 * eta / batch
    log_norm = (batch / 2 - 1) * np.log(2) + special.gammaln(batch / 2)

    def log_f(r):
        r = np.asarray(r, dtype=float)
        with np.errstate(divide="ignore"):
            return (
                (batch - 1) * np.log(r)
                - r * r / 2
                + kappa * np.log(np.abs(1 - c * r * r))
                - log_norm
            )

    r0 = 1 / np.sqrt(c)
    peak_guess = np.sqrt(batch + 2 * kappa) + r0
    grid = np.linspace(1e-9, 2 * peak_guess + 40, 20001)
    lf = log_f(grid)
    top = float(np.max(lf[np.isfinite(lf)]))
    peak = float(grid[np.argmax(np.where(np.isfinite(lf), lf, -np.inf))])
    cuts = sorted({0.0, r0, peak, grid[-1]})
    total = 0.0
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
        if hi > lo:
            total += integrate.quad(lambda r: np.exp(log_f(r) - top), lo, hi, limit=400,
                                    epsabs=0, epsrel=1e-11)[0]  # fmt: skip
    total += integrate.quad(lambda r: np.exp(log_f(r) - top), grid[-1], np.inf,
                            epsabs=0, epsrel=1e-11)[0]  # fmt: skip
    return float(np.log(total) + top)


def population_kesten_index(eta: float, batch: int) -> float:
    """Kesten's kappa for ``x ~ N(0, 1)`` (always finite: x^2 is unbounded); 0 when
    ``E log|A| >= 0`` (no stationary law).

    Parameters
    ----------
    eta : float
        Learning rate.
    batch : int
        S, samples per minibatch; ``T = eta / S``.

    Returns
    -------
    float
        kappa of the tail ``P(|v| > x) ~ x^-kappa`` of D = 0 SGD.

    Examples
    --------
    kappa = 2 exactly at ``T = 1 / (S + 2)`` (PAPER.md section 4):

    >>> round(population_kesten_index(eta=4 / 6, batch=4), 6)
    2.0
    """
    if population_log_mean_power(eta, batch, 1e-6) >= 0:
        return 0.0
    return positive_root(lambda c: population_log_mean_power(eta, batch, c), tiny=1e-6)


def kappa_two_interpolation(moments, temperature: float, batch: int) -> float:
    """``1 + beta1 / (T (alpha1 + S beta1^2))``: equal to Kesten's kappa where that is 2
    (there ``E A^2 = 1`` is exact), an interpolation elsewhere. It is not an expansion in
    eta: the root has ``kappa eta = O(1)``, so every power of ``kappa eta`` counts."""
    return 1 + moments.beta1 / (temperature * (moments.alpha1 + batch * moments.beta1**2))


def hill_of_point(sweep: dict, point: int, n_tail: int, n_boot: int, seed) -> dict:
    sel = sweep["top_point"] == point
    return tails.hill_bootstrap_top(
        sweep["top_run"][sel], sweep["top_value"][sel], int(sweep["n_runs"]), n_tail, n_boot,
        seed,
    )  # fmt: skip


def kesten_of_point(sweep: dict, point: int, x, seed: int) -> dict:
    """Kesten's kappa of the training set at one point of a sweep; raises if none exists."""
    t, s = float(sweep["temperature"][point]), int(sweep["batch"][point])
    x2 = np.asarray(x, float) ** 2
    k = kesten_index(batch_means(x2, s, [seed, 0, point]), float(sweep["eta"][point]))
    if not 0 < k["kappa"] < np.inf:
        reason = "no stationary law" if k["kappa"] == 0 else "no power-law tail (|A| <= 1)"
        raise ValueError(f"T = {t:g}, S = {s}: {reason}; no tail index to compare with")
    return k


def hill_bias(sweep: dict, x, n_tails, n_boot: int, seed: int) -> dict:
    """Hill estimates at several tail counts against Kesten's kappa: a measurement of how far
    the reachable thresholds are from the asymptotic tail (no verdict).

    Parameters
    ----------
    sweep : dict of ndarray
        A ``kesten_tails`` sweep (``discrete.sweeps``): per point ``temperature``, ``batch``,
        ``eta``, ``n_samples``; the kept largest ``|v|`` with their point and run.
    x : ndarray, shape (n,)
        Inputs of the training set the sweep ran on.
    n_tails : sequence of int
        Numbers of largest samples above the Hill threshold.
    n_boot : int
        Bootstrap resamples of the runs.
    seed : int
        Seed of the batches and the bootstraps.

    Returns
    -------
    dict
        ``quantity``, ``seed`` and ``per_point``: one dict per (point, tail count) with
        ``temperature``, ``batch``, ``n_tail``, ``tail_probability``, ``hill``,
        ``hill_std``, ``kesten``, ``relative_bias``, ``z``.
    """
    rows = []
    for i, (t, s) in enumerate(zip(sweep["temperature"], sweep["batch"], strict=True)):
        k = kesten_of_point(sweep, i, x, seed)
        for n_tail in n_tails:
            fit = hill_of_point(sweep, i, int(n_tail), n_boot, [seed, 1, i, int(n_tail)])
            rows.append({
                "temperature": float(t),
                "batch": int(s),
                "n_tail": int(n_tail),
                "tail_probability": int(n_tail) / int(sweep["n_samples"][i]),
                "hill": fit["kappa"],
                "hill_std": fit["std"],
                "kesten": k["kappa"],
                "relative_bias": fit["kappa"] / k["kappa"] - 1,
                "z": (fit["kappa"] - k["kappa"]) / np.hypot(fit["std"], k["kappa_se"]),
            })  # fmt: skip
    return {
        "quantity": "Hill index of the n_tail largest |v| against Kesten's kappa",
        "seed": seed,
        "per_point": rows,
    }
