"""Stationary distribution of v under the SGF (Thm 4.2 of the paper).

On the side ``sign`` of zero, with ``s = |v|``, ``p = 2D / (D + 1)`` and ``c = d^(1 - 2/(D+1))``, ::

    p_sign(s) ∝ s^(-3D/(D+1)) / g_sign(s) * exp(-(c/T) Phi(s)),
    Phi(s) = ∫ (beta1 r - sign beta2) / ((D + 1) r^p g_sign(r)) dr,
    g_sign(r) = alpha1 r^2 - 2 sign alpha2 r + alpha3  (= g(v) at v = sign r).

The integrand of Phi is singular at 0 like ``-sign beta2 / ((D+1) alpha3) r^-p``; that part is
integrated analytically and the remainder, integrable at 0, by the trapezoid rule on a grid
uniform in ``log s`` from the smallest normal double upwards. Just below T_c (D = 1) most of the
mass lies far below 1e-10, so a grid in ``v`` would miss it; the mass below the grid and above it
is added from the local power law at each end.
"""

import numpy as np

from .distribution import StationaryDensity
from .moments import Moments

LOG_S_MIN = np.log(np.finfo(float).tiny)  # about -708.4
LOG_STEP = 0.0025  # grid spacing in log s; bulk features are wider than 1 %


class NotNormalisable(ValueError):
    """No normalisable stationary density exists; the message says why.

    A subclass of ``ValueError``, raised by ``stationary_density`` (the message is that of
    ``why_not_normalisable``).
    """


def critical_temperature(moments: Moments, depth: int = 1, weight_decay: float = 0.0) -> float:
    """``T_c = (beta2 - gamma) / alpha3`` of the two-layer model (D = 1), any width.

    Above it the right-sign density is not normalisable at 0: ``u = w = 0`` with probability 1.
    For D = 0 and D >= 2 there is no sharp transition, and this raises ``ValueError``.

    Parameters
    ----------
    moments : Moments
        Moments of the training set SGD sees.
    depth : int
        D, number of hidden layers; only D = 1 has a critical temperature.
    weight_decay : float
        gamma, with the term ``gamma |theta|^2`` added to the loss.

    Returns
    -------
    float
        ``T_c`` in units of ``T = eta / S`` (dimensionless): the SGF collapses for
        ``eta >= S T_c``. Discrete SGD has thresholds of its own (``sgdbalance.discrete``).

    Examples
    --------
    The paper's example ``y = k x + sigma eps`` has ``T_c = k / (2 k^2 + sigma^2)``:

    >>> from sgdbalance.theory import Moments
    >>> critical_temperature(Moments.population(k=1.0, sigma=0.5))
    0.4444444444444444
    >>> critical_temperature(Moments.population(k=1.0, sigma=0.5), weight_decay=0.1)
    0.4
    """
    if depth != 1:
        raise ValueError(
            f"a critical temperature exists only for depth D = 1, got D = {depth}: "
            "D = 0 has no transition, and for D >= 2 the density vanishes at 0 at every T"
        )
    return (moments.beta2 - weight_decay) / moments.alpha3


def why_not_normalisable(
    moments: Moments, depth: int, temperature: float, width: int = 1, sign: int = 1
) -> str | None:
    """The reason no normalisable density exists on this side, or None if one exists.

    Parameters
    ----------
    moments : Moments
        Moments of the training set.
    depth : int
        D, number of hidden layers (D + 1 factors per path).
    temperature : float
        T = eta / S, dimensionless.
    width : int
        d, number of nonzero paths (it never decides normalisability).
    sign : {+1, -1}
        Side of zero: +1 the correct sign (that of ``beta2 > 0``), -1 the wrong one.

    Returns
    -------
    str or None

    Examples
    --------
    >>> from sgdbalance.theory import Moments
    >>> m = Moments.population(k=1.0, sigma=0.5)
    >>> why_not_normalisable(m, depth=1, temperature=0.5)
    'D = 1 and T = 0.5 >= T_c = beta2/alpha3 = 0.4444'
    >>> why_not_normalisable(m, depth=2, temperature=0.5) is None
    True
    """
    if moments.beta2 <= 0:
        return f"beta2 = E[xy] = {moments.beta2:.4g} <= 0; the theory assumes beta2 > 0"
    if not moments.has_label_noise:
        return (
            "no label noise (Delta = alpha1 alpha3 - alpha2^2 = 0): the mass concentrates "
            f"at the minimum v = {moments.alpha2 / moments.alpha1:.4g}"
        )
    if depth >= 1 and sign < 0:
        return f"depth D = {depth} >= 1: the wrong-sign side (v < 0) is never normalisable"
    if depth == 1:
        t_c = critical_temperature(moments)
        if temperature >= t_c:
            return f"D = 1 and T = {temperature:.4g} >= T_c = beta2/alpha3 = {t_c:.4g}"
    return None


def _phi_singular_integral(s, depth, moments, sign):
    """Antiderivative of the singular part ``-sign beta2 / ((D+1) alpha3) s^-p``."""
    coef = -sign * moments.beta2 / ((depth + 1) * moments.alpha3)
    q = 1.0 - 2.0 * depth / (depth + 1)
    if depth == 1:
        return coef * np.log(s)
    return coef * s**q / q


def _phi_integrand(s, depth, moments, sign):
    """Integrand of Phi: ``(beta1 s - sign beta2) / ((D + 1) s^p g_sign(s))``."""
    m = moments
    g = m.alpha1 * s**2 - 2 * sign * m.alpha2 * s + m.alpha3
    p = 2.0 * depth / (depth + 1)
    return (m.beta1 * s - sign * m.beta2) / ((depth + 1) * s**p * g)


def _phi_remainder(s, depth, moments, sign):
    """Integrand of Phi minus its singular part; behaves like ``s^(2/(D+1) - 1)`` at 0.

    Written without the cancellation of the two parts, so it is accurate at tiny s.
    """
    m = moments
    g = m.alpha1 * s**2 - 2 * sign * m.alpha2 * s + m.alpha3
    p = 2.0 * depth / (depth + 1)
    numerator = m.beta1 * m.alpha3 - 2 * m.alpha2 * m.beta2 + sign * m.alpha1 * m.beta2 * s
    return s ** (1.0 - p) * numerator / (m.alpha3 * g * (depth + 1))


def _cumulative_trapezoid(f, dx):
    return np.concatenate([[0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * dx)])


def log_unnormalised(log_s, depth, temperature, moments, width=1, sign=1):
    """``log p_sign`` up to a constant, on a grid uniform in ``log s`` starting at LOG_S_MIN.

    The singular part of Phi is subtracted only below ``s* = sqrt(alpha3/alpha1)``: above it
    the two parts grow together and their difference would lose all precision.

    Parameters
    ----------
    log_s : ndarray, shape (n,)
        Increasing grid of ``log |v|``, uniform, with ``log_s[0] = LOG_S_MIN``.
    """
    s = np.exp(log_s)
    dx = log_s[1] - log_s[0]
    j = min(int(np.searchsorted(log_s, 0.5 * np.log(moments.alpha3 / moments.alpha1))), len(s) - 1)
    lo = _phi_singular_integral(s[: j + 1], depth, moments, sign) + _cumulative_trapezoid(
        _phi_remainder(s[: j + 1], depth, moments, sign) * s[: j + 1], dx
    )
    hi = lo[-1] + _cumulative_trapezoid(_phi_integrand(s[j:], depth, moments, sign) * s[j:], dx)
    phi = np.concatenate([lo, hi[1:]])
    c = float(width) ** (1.0 - 2.0 / (depth + 1))
    g = moments.alpha1 * s**2 - 2 * sign * moments.alpha2 * s + moments.alpha3
    return -3.0 * depth / (depth + 1) * log_s - np.log(g) - (c / temperature) * phi


def stationary_density(
    moments: Moments,
    depth: int,
    temperature: float,
    width: int = 1,
    sign: int = 1,
    log_s_max: float | None = None,
) -> StationaryDensity:
    """The normalised stationary density of v under the SGF (Thm 4.2).

    The density of ``v`` (the sum over paths of the product of each path's D + 1 factors) for
    the per-sample loss ``(v x - y)^2``, at stationarity of the SGF with ``T = eta / S``, the
    paths balanced and of one sign (Thm 4.1). It is tabulated on a grid uniform in
    ``log |v|`` that reaches down to the smallest normal double, so the mass that piles up
    near 0 just below ``T_c`` is kept.

    Parameters
    ----------
    moments : Moments
        Moments of the training set the SGD sees.
    depth : int
        D, number of hidden layers (D + 1 factors per path); D = 0 is linear regression.
    temperature : float
        T = eta / S, dimensionless.
    width : int
        d, number of nonzero paths.
    sign : {+1, -1}
        Side of zero for D >= 1 (ignored for D = 0, whose density covers the whole line).
    log_s_max : float, optional
        Top of the grid in ``log |v|``; by default 25 above the scale of the data.

    Returns
    -------
    StationaryDensity
        With ``pdf``, ``cdf``, ``quantile``, ``mean``, ``variance`` and ``moment``.

    Raises
    ------
    NotNormalisable
        If no normalisable density exists (e.g. D = 1 and T >= T_c), with the reason.

    Examples
    --------
    >>> from sgdbalance.theory import Moments
    >>> m = Moments.population(k=1.0, sigma=0.5)
    >>> p = stationary_density(m, depth=0, temperature=0.05)
    >>> round(p.mean, 4)  # linear regression: E v = beta2 / beta1 exactly
    1.0
    >>> round(p.variance, 6)  # T g(v*) / (beta1 - T alpha1) = 0.05 * 0.25 / 0.9
    0.013889
    >>> q = stationary_density(m, depth=1, temperature=0.05)
    >>> float(q.cdf(0.0)), round(float(q.cdf(10.0)), 4)  # all mass at v > 0
    (0.0, 1.0)
    """
    if depth < 0 or width < 1 or temperature <= 0 or sign not in (1, -1):
        raise ValueError(
            f"need depth >= 0, width >= 1, temperature > 0, sign in (+1, -1); got "
            f"{depth!r}, {width!r}, {temperature!r}, {sign!r}"
        )
    sides = (-1, 1) if depth == 0 else (sign,)
    for side in sides:
        reason = why_not_normalisable(moments, depth, temperature, width, side)
        if reason:
            raise NotNormalisable(reason)
    if log_s_max is None:
        # Far enough that the power-law tail formula is accurate to well below 1e-6.
        scale = max(1.0, moments.beta2 / moments.beta1, np.sqrt(moments.alpha3 / moments.alpha1))
        log_s_max = np.log(scale) + 25.0
    n = int(np.ceil((log_s_max - LOG_S_MIN) / LOG_STEP)) + 1
    log_s = np.linspace(LOG_S_MIN, log_s_max, n)
    ds = log_s[1] - log_s[0]

    log_q = {
        side: log_unnormalised(log_s, depth, temperature, moments, width, side) for side in sides
    }
    shift = max(np.max(lq + log_s) for lq in log_q.values())
    mass_below, cum_mass, tail_slope, mass = {}, {}, {}, {}
    for side, lq in log_q.items():
        w = np.exp(lq + log_s - shift)  # q(s) s: the density per unit log s
        bottom_slope = (lq[1] - lq[0]) / ds
        tail_slope[side] = (lq[-1] - lq[-2]) / ds
        # Below the grid q ~ s^slope, so the mass there is q s / (slope + 1).
        mass_below[side] = w[0] / (bottom_slope + 1.0) if w[0] > 0 else 0.0
        cum = mass_below[side] + np.concatenate([[0.0], np.cumsum(0.5 * (w[1:] + w[:-1]) * ds)])
        top = w[-1] / -(tail_slope[side] + 1.0)
        cum_mass[side] = cum
        mass[side] = cum[-1] + top
    z = sum(mass.values())
    log_pdf = {side: log_q[side] - shift - np.log(z) for side in sides}
    return StationaryDensity(
        depth=depth,
        temperature=temperature,
        width=width,
        sides=sides,
        log_s=log_s,
        log_pdf=log_pdf,
        mass_below={side: mass_below[side] / z for side in sides},
        cum_mass={side: cum_mass[side] / z for side in sides},
        tail_slope=tail_slope,
    )


def linear_regression_density(v, moments: Moments, temperature: float):
    """Unnormalised D = 0 density in closed form (PAPER.md section 2).

    ``p(v) ∝ g^(-1 - beta1/(2 T alpha1)) exp(-(alpha2 beta1 - alpha1 beta2)
    / (T alpha1 sqrt(Delta)) arctan((alpha1 v - alpha2) / sqrt(Delta)))``.

    Parameters
    ----------
    v : float or ndarray, any shape
    moments : Moments
        Moments of the training set; needs label noise (``Delta > 0``).
    temperature : float
        T = eta / S, dimensionless.

    Returns
    -------
    ndarray, the shape of ``v``
        Proportional to ``p(v)`` with an arbitrary constant; ``stationary_density(moments,
        0, T)`` is its normalised form, computed by quadrature instead.
    """
    m = moments
    v = np.asarray(v, dtype=float)
    root = np.sqrt(m.delta)
    log_p = (-1.0 - m.beta1 / (2 * temperature * m.alpha1)) * np.log(m.g(v)) - (
        (m.alpha2 * m.beta1 - m.alpha1 * m.beta2) / (temperature * m.alpha1 * root)
    ) * np.arctan((m.alpha1 * v - m.alpha2) / root)
    return np.exp(log_p)


def tail_exponent(moments: Moments, depth: int, temperature: float, width: int = 1) -> float:
    """Predicted exponent of ``p(v) ~ |v|^exponent`` at large ``|v|``.

    ``-2 - beta1 / (T alpha1 d)`` for D = 0, ``-5 + 3/(D+1)`` for D >= 1 (``-7/2`` at D = 1),
    independent of the data and T (Thm 4.2).

    Parameters
    ----------
    moments : Moments
        Moments of the training set.
    depth : int
        D, number of hidden layers.
    temperature : float
        T = eta / S, dimensionless.
    width : int
        d, number of nonzero paths.

    Returns
    -------
    float

    Examples
    --------
    >>> from sgdbalance.theory import Moments
    >>> m = Moments.population(k=1.0, sigma=0.5)
    >>> tail_exponent(m, depth=0, temperature=0.25), tail_exponent(m, depth=1, temperature=0.25)
    (-4.0, -3.5)
    """
    if depth == 0:
        return -2.0 - moments.beta1 / (temperature * moments.alpha1 * width)
    return -5.0 + 3.0 / (depth + 1)
