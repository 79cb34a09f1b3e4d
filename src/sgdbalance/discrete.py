"""Discrete SGD at finite eta and S, exactly: where the two-layer model collapses (D = 1) and
how heavy the tail of linear regression is (D = 0).

**D = 1 near v = 0.** One SGD step on ``l = (u w x - y)^2`` with ``u w`` small is linear:
``(u', w') = (I + 2 eta m J)(u, w)``, ``m`` the minibatch mean of ``x y`` and
``J = [[0, 1], [1, 0]]``. The eigenvectors of J, (1, 1) and (1, -1), do not depend on the
batch, so the balanced amplitude ``(u + w)/sqrt 2`` is multiplied by ``1 + 2 eta m`` and the
antibalanced one by ``1 - 2 eta m`` at every step. Their Lyapunov exponents are
``Lambda_pm = E log|1 pm 2 eta m|``, and 0 attracts iff both are negative (v = u w decays
like ``exp(2 max Lambda_pm t)``). ``Lambda_+ = 2 eta beta2 - 2 eta^2 E[m^2] + O(eta^3)`` has
its root at ``T = beta2 / (alpha3 + S beta2^2)`` to second order: the modified-loss T_c for
S = 1, below the SGF's ``beta2 / alpha3`` for every S.

**D = 0.** SGD is the Kesten recursion ``v' = (1 - 2 eta m2) v + 2 eta mxy``, ``m2`` the
minibatch mean of ``x^2``. If ``E log|A| < 0`` for ``A = 1 - 2 eta m2`` and ``|A| > 1`` has
positive probability, its stationary law has ``P(|v| > x) ~ x^-kappa`` with
``E|A|^kappa = 1`` (Kesten 1973, Goldie 1991); to second order in eta,
``kappa = 1 + beta1 / (T (alpha1 + S beta1^2))`` against the SGF's ``1 + beta1 / (T alpha1)``.

Expectations over minibatches are exact averages when every batch can be listed (S = 1, or
``n^S`` small), else Monte Carlo averages over drawn batches whose standard errors are
returned. For the population of the CLI, ``x ~ N(0, 1)`` and ``y = k x + sigma eps``, they are
quadratures.
"""

from dataclasses import dataclass

import numpy as np
from scipy import integrate, optimize, special

from .moments import Moments

MAX_EXACT_BATCHES = 2**21  # list every batch when n^S is at most this
MC_BATCHES = 2**21  # else draw this many


@dataclass(frozen=True)
class BatchMeans:
    """Minibatch means of a per-sample quantity: every batch (``exact``), or random draws."""

    values: np.ndarray
    exact: bool
    batch: int


def batch_means(per_sample, batch: int, seed: int, draws: int = MC_BATCHES) -> BatchMeans:
    """Means over S samples drawn with replacement, as the engine draws them.

    Lists all ``n^S`` ordered batches when that is at most MAX_EXACT_BATCHES (each has
    probability ``n^-S``); otherwise draws ``draws`` batches from ``SeedSequence(seed)``.
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


def _mean_and_se(values, exact: bool) -> tuple[float, float]:
    se = 0.0 if exact else float(values.std(ddof=1) / np.sqrt(values.size))
    return float(values.mean()), se


# ---------------------------------------------------------------- D = 1: collapse at v = 0


def lyapunov_exponents(xy_means: BatchMeans, eta: float) -> dict:
    """``Lambda_+`` and ``Lambda_-`` (per step) of the balanced and antibalanced amplitudes.

    ``xy_means`` holds minibatch means of ``x y``; the Monte Carlo standard errors are 0 when
    every batch was listed.
    """
    m = xy_means.values
    plus, plus_se = _mean_and_se(np.log(np.abs(1.0 + 2.0 * eta * m)), xy_means.exact)
    minus, minus_se = _mean_and_se(np.log(np.abs(1.0 - 2.0 * eta * m)), xy_means.exact)
    return {"plus": plus, "plus_se": plus_se, "minus": minus, "minus_se": minus_se}


def top_exponent(xy_means: BatchMeans, eta: float) -> float:
    """``max(Lambda_+, Lambda_-)``: 0 attracts iff it is negative."""
    e = lyapunov_exponents(xy_means, eta)
    return max(e["plus"], e["minus"])


def collapse_thresholds(xy_means: BatchMeans, eta_max: float, n_grid: int = 150) -> list:
    """Learning rates in ``[eta_max / 1000, eta_max]`` where the top exponent changes sign.

    It is 0 at eta = 0 with slope ``2 |beta2| > 0`` (0 repels for small steps). Sign changes
    on a log-spaced grid (about 5 % apart) are refined by Brent's method; with Monte Carlo
    batches the exponent is a smooth function of eta (the same draws at every eta), so its
    roots are well defined.
    """
    etas = np.geomspace(eta_max / 1e3, eta_max, n_grid)
    values = np.array([top_exponent(xy_means, e) for e in etas])
    return [
        optimize.brentq(lambda e: top_exponent(xy_means, e), etas[i], etas[i + 1], xtol=1e-12)
        for i in np.flatnonzero(np.diff(np.sign(values)) != 0)
    ]


def threshold_se(xy_means: BatchMeans, eta: float, h: float = 1e-4) -> float:
    """Monte Carlo standard error of a root of the top exponent: its error over its slope."""
    if xy_means.exact:
        return 0.0
    e = lyapunov_exponents(xy_means, eta)
    se = e["plus_se"] if e["plus"] >= e["minus"] else e["minus_se"]
    slope = (top_exponent(xy_means, eta + h) - top_exponent(xy_means, eta - h)) / (2 * h)
    return float(se / abs(slope))


def second_order_threshold(moments, batch: int) -> float:
    """Root of ``Lambda_+`` in T to second order in eta: ``beta2 / (alpha3 + S beta2^2)``."""
    return moments.beta2 / (moments.alpha3 + batch * moments.beta2**2)


def _expected_log_exponential(c: float) -> float:
    """``E log|1 + c s|`` for ``s ~ Exp(1)``: by parts, the principal value
    ``int_0^inf exp(-s) / (s + 1/c) ds``, which is ``e^z E1(z)`` (c > 0) or ``-e^-z Ei(z)``
    (c < 0) with ``z = 1/|c|``. For small |c| these overflow; their asymptotic series
    ``sum_j (-1)^(j+1) (j-1)! c^j`` is then exact to rounding (its error is ~ exp(-1/|c|))."""
    if c == 0.0:
        return 0.0
    if abs(c) < 1 / 40:
        total, term, j = 0.0, 1.0, 1
        while j < 1 / abs(c):
            term = c if j == 1 else -term * (j - 1) * c
            total += term
            if abs(term) < 1e-17 * abs(total):
                break
            j += 1
        return float(total)
    z = 1 / abs(c)
    return float(np.exp(z) * special.exp1(z) if c > 0 else -np.exp(-z) * special.expi(z))


def _expected_log_gamma(c: float, shape: float) -> float:
    """``E log|1 + c s|`` for ``s ~ Gamma(shape, 1)``."""
    if shape == 1.0:
        return _expected_log_exponential(c)
    if c == 0.0:
        return 0.0
    log_norm = special.gammaln(shape)

    def f(s):
        return np.exp((shape - 1) * np.log(s) - s - log_norm) * np.log(np.abs(1 + c * s))

    upper = shape + 60 * np.sqrt(shape) + 60
    points = [-1 / c] if c < 0 and -1 / c < upper else None
    return float(integrate.quad(f, 0, upper, points=points, limit=400, epsabs=1e-13)[0])


def population_lyapunov(eta: float, batch: int, k: float, sigma: float, nodes: int = 96) -> dict:
    """``Lambda_pm`` for ``x ~ N(0, 1)``, ``y = k x + sigma eps``, by quadrature.

    ``x y = a U^2 - b V^2`` with U, V independent N(0, 1), ``a, b = s (1 pm rho) / 2``,
    ``s^2 = k^2 + sigma^2``, ``rho = k / s``. So S times the batch mean is
    ``a G1 - b G2`` with G1, G2 independent chi-square(S), and writing ``G1 + G2 = 2 R``
    (``R ~ Gamma(S, 1)``) and ``B = G1 / (G1 + G2) ~ Beta(S/2, S/2)`` (independent of R),
    ``m = 2 R (a B - b (1 - B)) / S``: a Gauss-Jacobi rule in B around the exact or
    one-dimensional expectation in R.
    """
    s = np.hypot(k, sigma)
    rho = k / s
    a, b = s * (1 + rho) / 2, s * (1 - rho) / 2
    half = batch / 2.0
    # B = (1 + t) / 2 with t on [-1, 1] and weight (1 - t)^(S/2-1) (1 + t)^(S/2-1).
    t, w = special.roots_jacobi(nodes, half - 1, half - 1)
    w = w / w.sum()
    B = (1 + t) / 2
    q = 2 * (a * B - b * (1 - B)) / batch  # m = q R
    out = {}
    for name, sign in (("plus", 1.0), ("minus", -1.0)):
        vals = [_expected_log_gamma(sign * 2 * eta * qi, float(batch)) for qi in q]
        out[name] = float(np.dot(w, vals))
    return out


def population_collapse_thresholds(
    batch: int, k: float, sigma: float, eta_max: float, n_grid: int = 80
) -> list:
    """Roots of ``max(Lambda_+, Lambda_-)`` in ``(0, eta_max]`` for the population, found on a
    log-spaced grid (the quadrature costs ~50 ms per eta for S > 1) and refined by Brent."""

    def top(eta):
        e = population_lyapunov(eta, batch, k, sigma)
        return max(e["plus"], e["minus"])

    etas = np.geomspace(eta_max / 1e3, eta_max, n_grid)
    values = np.array([top(e) for e in etas])
    return [
        optimize.brentq(top, etas[i], etas[i + 1], xtol=1e-10)
        for i in np.flatnonzero(np.diff(np.sign(values)) != 0)
    ]


# ---------------------------------------------------------------- D = 0: Kesten tail index


def _log_mean_power(log_abs_a, kappa: float) -> float:
    """``log E|A|^kappa`` from equally weighted samples of ``log|A|`` (log-sum-exp)."""
    return float(special.logsumexp(kappa * log_abs_a) - np.log(log_abs_a.size))


def kesten_index(x2_means: BatchMeans, eta: float) -> dict:
    """Root ``kappa > 0`` of ``E|1 - 2 eta m2|^kappa = 1`` over the batches of ``x2_means``.

    ``log E|A|^kappa`` is convex in kappa, 0 at kappa = 0 with slope ``E log|A|``; a positive
    root exists iff that slope is negative (a stationary law exists) and some batch has
    ``|A| > 1``. Without such a batch the stationary law has bounded support: ``kappa = inf``.
    Evaluated by log-sum-exp, so that large kappa, where a few batches carry the average,
    neither overflows nor underflows.
    """
    log_a = np.log(np.abs(1.0 - 2.0 * eta * x2_means.values))
    drift = float(log_a.mean())
    out = {"kappa": None, "kappa_se": None, "mean_log_a": drift, "max_log_a": float(log_a.max())}
    if drift >= 0:
        out["kappa"] = 0.0  # no stationary law: |v| grows
        return out
    if log_a.max() <= 0:
        out["kappa"] = np.inf
        return out
    hi = 1.0
    while _log_mean_power(log_a, hi) < 0:
        hi *= 2
    kappa = optimize.brentq(lambda c: _log_mean_power(log_a, c), hi / 2 if hi > 1 else 1e-9, hi,
                            xtol=1e-12, rtol=1e-12)  # fmt: skip
    out["kappa"] = float(kappa)
    weights = np.exp(kappa * log_a)  # mean 1 at the root
    out["effective_batches"] = float(weights.sum() ** 2 / (weights**2).sum())
    if not x2_means.exact:
        # Delta method: se of log mean |A|^kappa over d/dkappa of it (= E[|A|^kappa log|A|]).
        slope = float(np.mean(weights * log_a))
        out["kappa_se"] = float(weights.std(ddof=1) / np.sqrt(weights.size) / slope)
    else:
        out["kappa_se"] = 0.0
    return out


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
    ``E log|A| >= 0`` (no stationary law)."""
    if population_log_mean_power(eta, batch, 1e-6) >= 0:
        return 0.0
    hi = 1.0
    while population_log_mean_power(eta, batch, hi) < 0:
        hi *= 2
    lo = hi / 2 if hi > 1 else 1e-6
    return float(
        optimize.brentq(lambda c: population_log_mean_power(eta, batch, c), lo, hi, xtol=1e-10)
    )


def second_order_kappa(moments, temperature: float, batch: int) -> float:
    """``1 + beta1 / (T (alpha1 + S beta1^2))``: Kesten's kappa to second order in eta."""
    return 1 + moments.beta1 / (temperature * (moments.alpha1 + batch * moments.beta1**2))


def threshold_report(x, y, batches, eta_max: float, seed: int, draws: int = MC_BATCHES) -> dict:
    """The discrete collapse thresholds of a training set for several S (in T = eta / S),
    beside the SGF's ``T_c`` and the second-order values: a measurement, not a check."""
    m = Moments.of_samples(x, y)
    xy = np.asarray(x, float) * np.asarray(y, float)
    t_c = m.beta2 / m.alpha3
    rows = []
    for s in batches:
        bm = batch_means(xy, int(s), seed, draws)
        roots = collapse_thresholds(bm, eta_max * s)
        rows.append({
            "batch": int(s),
            "thresholds": [r / s for r in roots],
            "threshold_se": [threshold_se(bm, r) / s for r in roots],
            "first_over_t_c": roots[0] / s / t_c if roots else None,
            "second_order": second_order_threshold(m, int(s)),
            "exact_batches": bm.exact,
        })  # fmt: skip
    return {
        "quantity": "T = eta / S where max E log|1 +- 2 eta m| changes sign (m: batch mean of xy)",
        "sgf_critical_temperature": t_c,
        "modified_loss_critical_temperature": m.beta2 / (m.alpha3 + m.beta2**2),
        "eta_max_at_s1": eta_max,
        "per_batch": rows,
    }
