"""Fluctuation inversion (PAPER.md section 2): Var[v] of the stationary density against T.

With ``c = d^(1 - 2/(D+1))`` the density depends on T only through the effective temperature
``T_e = T / c``. The shape of ``Var[v](T)`` at each depth, derived here and checked numerically:

- D = 0: Ito's formula for v and v^2 at stationarity gives ``E v = m = beta2/beta1`` and
  ``Var[v] = T_e g(m) / (beta1 - T_e alpha1)``: increasing, infinite from ``T_e = beta1/alpha1``
  on (the tail ``|v|^(-2 - beta1/(T_e alpha1))`` makes E v^2 diverge there), growing like
  ``1 / (T_div - T)``.
- D = 1: rising from 0, a peak, then the inversion. Below T_c, ``p ~ v^(delta - 1) h_T(v)`` with
  ``delta = (T_c/T - 1)/2``; the mass ``h(0)/delta`` near 0 dominates the normalisation, so
  ``Var[v] = A delta + O(delta^2)`` with ``A = ∫ v h_c(v) dv / h_c(0)`` at ``T = T_c``.
- D >= 2: the same peak, and no T_c. Near 0 the density is ``s^-a exp(-lambda s^-r)`` with
  ``a = 3D/(D+1)``, ``r = (D-1)/(D+1)``, ``lambda ∝ 1/T_e``: the mass near 0 grows like
  ``lambda^(-(a-1)/r)`` while E v^2 comes from the T-independent bulk, so at large T
  ``Var[v] ∝ T^(-(2D-1)/(D-1))``, with relative corrections ``T^-omega``,
  ``omega = min(1, 3/(D-1))`` (expansion of the bulk in lambda, and its cut-off at 0).
"""

import numpy as np
from scipy import optimize

from .density import (
    NotNormalisable,
    critical_temperature,
    log_unnormalised,
    stationary_density,
)
from .moments import Moments


def width_factor(depth: int, width: int) -> float:
    """``c = d^(1 - 2/(D+1))``: the density depends on ``T / c`` only."""
    return float(width) ** (1.0 - 2.0 / (depth + 1))


def variance_curve(moments: Moments, depth: int, temperatures, width: int = 1) -> np.ndarray:
    """Var[v] of the stationary density at each temperature.

    Parameters
    ----------
    moments : Moments
        Moments of the training set.
    depth : int
        D, number of hidden layers.
    temperatures : ndarray, shape (n,)
        T = eta / S, dimensionless.
    width : int
        d, number of nonzero paths.

    Returns
    -------
    ndarray, shape (n,)
        Var[v]; nan where no normalisable density exists, inf where the variance is infinite.
    """
    out = np.empty(np.size(temperatures))
    for i, t in enumerate(np.ravel(temperatures)):
        try:
            out[i] = stationary_density(moments, depth, float(t), width=width).variance
        except NotNormalisable:
            out[i] = np.nan
    return out


def linear_regression_variance(moments: Moments, temperature: float, width: int = 1) -> float:
    """Exact D = 0 variance ``T_e g(m) / (beta1 - T_e alpha1)``; inf from ``T_div`` on."""
    t_e = temperature / width_factor(0, width)
    m = moments.beta2 / moments.beta1
    if t_e * moments.alpha1 >= moments.beta1:
        return np.inf
    return float(t_e * moments.g(m) / (moments.beta1 - t_e * moments.alpha1))


def divergence_temperature(moments: Moments, width: int = 1) -> float:
    """``T_div = c beta1 / alpha1`` (``c = 1/d``): Var[v] is infinite from here on (D = 0)."""
    return width_factor(0, width) * moments.beta1 / moments.alpha1


def decay_exponent(depth: int) -> float:
    """``-(2D - 1)/(D - 1)``: large-T power law of Var[v] for D >= 2."""
    if depth < 2:
        raise ValueError(f"the power-law decay needs D >= 2, got {depth}")
    return -(2.0 * depth - 1.0) / (depth - 1.0)


def inversion_slope(moments: Moments) -> float:
    """``A = lim Var[v] / delta`` as ``T -> T_c`` from below (D = 1, any width).

    ``A = ∫ s^2 q_c(s) ds / lim_{s->0} s q_c(s)`` with ``q_c`` the unnormalised density at
    ``T = T_c``, where ``q_c ~ h_c(0) / s`` near 0; integrated in ``log s`` on the density's
    grid, with the power-law tail above it in closed form.
    """
    t_c = critical_temperature(moments)
    log_s = stationary_density(moments, 1, 0.5 * t_c).log_s
    log_q = log_unnormalised(log_s, 1, t_c, moments)
    log_h0 = log_q[0] + log_s[0]
    integrand = np.exp(log_q + 3.0 * log_s - log_h0)
    slope = (log_q[-1] - log_q[-2]) / (log_s[-1] - log_s[-2]) + 3.0
    return float(np.trapezoid(integrand, log_s) + integrand[-1] / -slope)


def variance_peak(
    moments: Moments, depth: int, width: int = 1, n_grid: int = 25, xtol: float = 1e-4
) -> tuple[float, float]:
    """Temperature of the maximum of Var[v](T) and the maximum, for D >= 1.

    A grid of ``n_grid`` temperatures, log-spaced over ``c beta2/alpha3 * [1e-3, 1)``
    (up to ``T_c (1 - 1e-4)`` for D = 1) or ``[1e-3, 10)`` (D >= 2), brackets the maximum;
    Brent's method refines it to ``xtol`` in ``log T``.
    """
    if depth < 1:
        raise ValueError("for D = 0, Var[v] increases with T up to its divergence: no peak")
    scale = width_factor(depth, width) * moments.beta2 / moments.alpha3
    top = scale * (1.0 - 1e-4) if depth == 1 else 10.0 * scale
    log_t = np.linspace(np.log(1e-3 * scale), np.log(top), n_grid)
    var = variance_curve(moments, depth, np.exp(log_t), width)
    i = int(np.argmax(var))
    if i in (0, n_grid - 1):
        raise ValueError(
            f"Var[v] has no interior maximum on T in [{np.exp(log_t[0]):.3g}, {top:.3g}]"
        )
    result = optimize.minimize_scalar(
        lambda x: -variance_curve(moments, depth, [np.exp(x)], width)[0],
        bounds=(log_t[i - 1], log_t[i + 1]),
        method="bounded",
        options={"xatol": xtol},
    )
    return float(np.exp(result.x)), float(-result.fun)
