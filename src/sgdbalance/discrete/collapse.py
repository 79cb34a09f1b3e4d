"""Where discrete SGD on the two-layer model collapses to v = 0 (D = 1), for any S.

Near v = 0 one SGD step on ``l = (u w x - y)^2`` is linear:
``(u', w') = (I + 2 eta m J)(u, w)``, ``m`` the minibatch mean of ``x y`` and
``J = [[0, 1], [1, 0]]``. The eigenvectors of J, (1, 1) and (1, -1), do not depend on the
batch, so the balanced amplitude ``(u + w)/sqrt 2`` is multiplied by ``1 + 2 eta m`` and the
antibalanced one by ``1 - 2 eta m`` at every step. Their Lyapunov exponents are
``Lambda_pm = E log|1 pm 2 eta m|``; ``v = u w`` is half the difference of their squares, so
``log|v|`` drifts at ``2 max Lambda_pm`` per step and 0 attracts iff both are negative.
``Lambda_+ = 2 eta beta2 - 2 eta^2 E[m^2] + O(eta^3)`` puts the lower threshold at
``T = beta2 / (alpha3 + S beta2^2)`` to second order: the modified-loss ``T_c`` for S = 1,
below the SGF's ``beta2 / alpha3`` for every S. For training sets the exponents come from
``discrete.batch_means``; for the population ``x ~ N(0, 1)``, ``y = k x + sigma eps``, from a
quadrature.
"""

import numpy as np
from scipy import integrate, special

from ..theory.moments import Moments
from .batches import MC_BATCHES, BatchMeans, batch_means, mean_and_se, sign_changes


def lyapunov_exponents(xy_means: BatchMeans, eta: float) -> dict:
    """``Lambda_+`` and ``Lambda_-`` (per step) of the balanced and antibalanced amplitudes,
    with their Monte Carlo standard errors; ``xy_means`` holds minibatch means of ``x y``.

    Parameters
    ----------
    xy_means : BatchMeans
        Minibatch means m of ``x y`` (``batch_means(x * y, S, seed)``).
    eta : float
        Learning rate; ``T = eta / S``.

    Returns
    -------
    dict of float
        ``plus`` (``E log|1 + 2 eta m|``), ``plus_se``, ``minus`` (``E log|1 - 2 eta m|``),
        ``minus_se``: Lyapunov exponents per SGD step, dimensionless.
    """
    m = xy_means.values
    plus, plus_se = mean_and_se(np.log(np.abs(1.0 + 2.0 * eta * m)), xy_means.exact)
    minus, minus_se = mean_and_se(np.log(np.abs(1.0 - 2.0 * eta * m)), xy_means.exact)
    return {"plus": plus, "plus_se": plus_se, "minus": minus, "minus_se": minus_se}


def top_exponent(xy_means: BatchMeans, eta: float) -> float:
    """``max(Lambda_+, Lambda_-)``: 0 attracts iff it is negative.

    Parameters
    ----------
    xy_means : BatchMeans
        Minibatch means of ``x y``.
    eta : float
        Learning rate; ``T = eta / S``.

    Returns
    -------
    float
        Per SGD step; near 0, ``log|v|`` drifts at twice this.

    Examples
    --------
    On ``y = x`` without noise every batch has ``m = 1``: ``log|1 + 2 eta|`` grows from 0.

    >>> import numpy as np
    >>> x = np.array([-1.0, 1.0])
    >>> means = batch_means(x * x, batch=1, seed=0)
    >>> round(top_exponent(means, eta=0.25), 6) == round(float(np.log(1.5)), 6)
    True
    """
    e = lyapunov_exponents(xy_means, eta)
    return max(e["plus"], e["minus"])


def collapse_thresholds(xy_means: BatchMeans, eta_max: float, n_grid: int = 150) -> list:
    """Learning rates in ``[eta_max / 1000, eta_max]`` where the top exponent changes sign.

    It is 0 at eta = 0 with slope ``2 |beta2| > 0`` (0 repels for small steps). Sign changes
    are sought on a log-spaced grid, about 5 % apart: a window narrower than that is missed.
    With Monte Carlo batches the exponent is the same draws' average at every eta, so its
    roots are well defined (no grid point lands on a drawn batch's singularity).

    Parameters
    ----------
    xy_means : BatchMeans
        Minibatch means of ``x y`` at batch size S.
    eta_max : float
        Largest learning rate searched.
    n_grid : int
        Points of the log-spaced search grid.

    Returns
    -------
    list of float
        Learning rates eta, increasing; divide by S for temperatures ``T = eta / S``. Odd
        entries (first, third, ...) enter a window where D = 1 SGD collapses to ``v = 0``,
        even ones leave it.

    Examples
    --------
    >>> import numpy as np
    >>> from sgdbalance.simulate import DatasetParams, make_dataset
    >>> data = DatasetParams(n=10_000, k=0.2, sigma=1.0, seed=20230816)
    >>> x, y = make_dataset(data, np.random.default_rng(np.random.SeedSequence(data.seed)))
    >>> roots = collapse_thresholds(batch_means(x * y, batch=1, seed=0), eta_max=4.0)
    >>> [round(r, 3) for r in roots]  # S = 1: collapse for 0.196 < T < 0.456
    [0.196, 0.456]
    """
    grid = np.geomspace(eta_max / 1e3, eta_max, n_grid)
    return sign_changes(lambda e: top_exponent(xy_means, e), grid)


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
        while j * abs(c) < 1:  # j < 1/|c| without overflowing for a subnormal c
            term = c if j == 1 else -term * (j - 1) * c
            total += term
            if abs(term) <= 1e-17 * abs(total):  # <=: both underflow to 0 for tiny c
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
    """``Lambda_pm`` for ``x ~ N(0, 1)``, ``y = k x + sigma eps``, by quadrature (the
    population, not a training set).

    ``x y = a U^2 - b V^2`` with U, V independent N(0, 1), ``a, b = s (1 pm rho) / 2``,
    ``s^2 = k^2 + sigma^2``, ``rho = k / s``. So S times the batch mean is
    ``a G1 - b G2`` with G1, G2 independent chi-square(S), and writing ``G1 + G2 = 2 R``
    (``R ~ Gamma(S, 1)``) and ``B = G1 / (G1 + G2) ~ Beta(S/2, S/2)`` (independent of R),
    ``m = 2 R (a B - b (1 - B)) / S``: a Gauss-Jacobi rule in B around the exact or
    one-dimensional expectation in R. Tested against Monte Carlo for S <= 16; beyond that the
    Beta law narrows and needs more nodes.
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


def population_top_exponent(eta: float, batch: int, k: float, sigma: float) -> float:
    """``max(Lambda_+, Lambda_-)`` for the population: 0 attracts iff it is negative."""
    e = population_lyapunov(eta, batch, k, sigma)
    return max(e["plus"], e["minus"])


def population_collapse_thresholds(
    batch: int, k: float, sigma: float, eta_max: float, n_grid: int = 80
) -> list:
    """Roots of ``max(Lambda_+, Lambda_-)`` in ``[eta_max / 1000, eta_max]`` for the
    population, on a log-spaced grid about 9 % apart (the quadrature costs ~50 ms per eta
    for S > 1).

    Parameters
    ----------
    batch : int
        S, samples per minibatch.
    k, sigma : float
        The population ``x ~ N(0, 1)``, ``y = k x + sigma eps``.
    eta_max : float
        Largest learning rate searched.
    n_grid : int
        Points of the log-spaced search grid.

    Returns
    -------
    list of float
        Learning rates eta where the top exponent changes sign, as ``collapse_thresholds``.
    """
    return sign_changes(
        lambda eta: population_top_exponent(eta, batch, k, sigma),
        np.geomspace(eta_max / 1e3, eta_max, n_grid),
        xtol=1e-10,
    )


def threshold_report(x, y, batches, eta_max: float, seed: int, draws: int = MC_BATCHES) -> dict:
    """The collapse thresholds of a training set for several S (in T = eta / S), beside the
    SGF's ``T_c`` and the second-order values: a measurement, not a check. ``eta_max`` is
    the largest learning rate searched at S = 1 (``S eta_max`` at S).

    Parameters
    ----------
    x, y : ndarray, shape (n,)
        The training set.
    batches : sequence of int
        Batch sizes S.
    eta_max : float
        Largest learning rate searched at S = 1, i.e. the largest temperature.
    seed : int
        Seed of the random batches at ``S`` (``batch_means(x * y, S, [seed, S], draws)``).
    draws : int
        Random batches where they cannot all be listed.

    Returns
    -------
    dict
        ``sgf_critical_temperature`` (``beta2 / alpha3``),
        ``modified_loss_critical_temperature`` (``beta2 / (alpha3 + beta2^2)``), and
        ``per_batch``: per S a dict with ``batch``, ``thresholds`` (temperatures
        ``T = eta / S`` where the top exponent changes sign, increasing), ``threshold_se``
        (their Monte Carlo standard errors, 0 when every batch is listed),
        ``first_over_t_c``, ``second_order`` (``beta2 / (alpha3 + S beta2^2)``) and
        ``exact_batches``.
    """
    m = Moments.of_samples(x, y)
    xy = np.asarray(x, float) * np.asarray(y, float)
    t_c = m.beta2 / m.alpha3
    rows = []
    for s in batches:
        bm = batch_means(xy, int(s), [seed, int(s)], draws)
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
        "seed": seed,
        "per_batch": rows,
    }
