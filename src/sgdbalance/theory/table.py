"""Table 1: the closed-form D = 1 results (with and without weight decay and label noise) and
linear regression (D = 0), each evaluated on a training set and set against the quadrature
density of Thm 4.2 (``density.py``), which is computed without any of these closed forms.

Weight decay ``gamma (u^2 + w^2)`` on the balanced D = 1 path adds ``2 gamma |v|`` to the loss
``beta1 v^2 - 2 beta2 v``: the same as ``beta2 -> beta2 - gamma`` in the landscape, the noise
``g(v)`` unchanged. That is how the quadrature sees it (``with_weight_decay``); for D >= 2 the
penalty is not of this form.

Without label noise (``y = k x``) ``g = alpha1 (v - k)^2`` vanishes at the minimum, where
``p ~ |v - k|^(-2 - beta1 / (2 T alpha1 k))`` is not integrable: the mass concentrates at v = k.
"""

import dataclasses

import numpy as np
from scipy import integrate

from . import phase
from .density import (
    LOG_S_MIN,
    critical_temperature,
    linear_regression_density,
    log_unnormalised,
    stationary_density,
)
from .moments import Moments

COLUMNS = ("case", "quantity", "closed_form", "quadrature", "abs_diff", "formula")


def with_weight_decay(moments: Moments, gamma: float) -> Moments:
    """The D = 1 landscape with weight decay gamma: ``beta2 -> beta2 - gamma``."""
    return dataclasses.replace(moments, beta2=moments.beta2 - gamma)


def _slope(log_s, log_q, lo, hi):
    """Least-squares slope of ``log q`` against ``log s`` on ``lo <= log s <= hi``."""
    keep = (log_s >= lo) & (log_s <= hi)
    return float(np.polyfit(log_s[keep], log_q[keep], 1)[0])


def _power_at_zero(moments, temperature):
    """Exponent of the D = 1 quadrature density at ``v -> 0+`` (fitted over 1e-300..1e-200)."""
    log_s = np.arange(LOG_S_MIN, np.log(1e-150), 0.05)  # Phi is smooth there: a coarse grid
    log_q = log_unnormalised(log_s, 1, temperature, moments)
    return _slope(log_s, log_q, np.log(1e-300), np.log(1e-200))


def _quadrature_mode(density):
    """The largest local maximum of ``p(v)`` away from 0, refined by a parabola in log v."""
    lp = density.log_pdf[1]  # log p(v) at v = exp(log_s)
    inner = np.flatnonzero((lp[1:-1] > lp[:-2]) & (lp[1:-1] >= lp[2:])) + 1
    if inner.size == 0:
        return np.nan
    i = inner[-1]
    a, b, c = lp[i - 1], lp[i], lp[i + 1]
    offset = 0.5 * (a - c) / (a - 2 * b + c)
    return float(np.exp(density.log_s[i] + offset * (density.log_s[1] - density.log_s[0])))


def _critical_by_bisection(moments):
    """T at which the quadrature's power at 0 crosses -1 (normalisability lost)."""
    lo, hi = 1e-3, 10.0
    for _ in range(60):
        mid = np.sqrt(lo * hi)
        lo, hi = (mid, hi) if _power_at_zero(moments, mid) > -1 else (lo, mid)
    return np.sqrt(lo * hi)


def _rows_two_layer(case, moments, temperature, gamma=0.0):
    m = with_weight_decay(moments, gamma)
    t_c = critical_temperature(moments, 1, weight_decay=gamma)
    b2 = moments.beta2 - gamma
    rows = [
        (case, "T_c", t_c, _critical_by_bisection(m), "(beta2 - gamma) / alpha3"),
        (
            case,
            f"power of p at v -> 0+ (T = {temperature:g})",
            b2 / (2 * moments.alpha3 * temperature) - 1.5,
            _power_at_zero(m, temperature),
            "(beta2 - gamma) / (2 alpha3 T) - 3/2",
        ),
    ]
    if temperature < t_c:
        density = stationary_density(m, 1, temperature)
        mode = phase.modes(moments, temperature, gamma)
        rows += [
            (case, "tail power of p", -3.5, density.tail_slope[1], "-7/2"),
            (
                case,
                f"mode of p (T = {temperature:g})",
                mode[0] if mode.size else np.nan,
                _quadrature_mode(density),
                "7 T a1 v^2 + (b1 - 10 T a2) v - (b2 - gamma - 3 T a3) = 0",
            ),
        ]
    return rows


def _rows_no_label_noise(case, k, beta1, alpha1, temperature):
    m = Moments(
        alpha1=alpha1, alpha2=k * alpha1, alpha3=k * k * alpha1, beta1=beta1, beta2=k * beta1
    )
    # The exponent at the minimum, fitted on both sides within 1e-5..1e-3 of v = k (closer,
    # g ~ alpha1 (v - k)^2 drowns in the rounding of alpha1 v^2 - 2 alpha2 v + alpha3).
    log_d = np.linspace(np.log(1e-5), np.log(1e-3), 20)
    slopes = []
    for side in (-1, 1):
        log_q = _log_q_quad(k + side * np.exp(log_d), m, temperature, s0=k * (1 + side / 2))
        slopes.append(_slope(log_d, log_q, log_d[0], log_d[-1]))
    return [
        (
            case,
            "T_c",
            m.beta2 / m.alpha3,
            _critical_by_bisection(m),
            "beta2 / alpha3 = beta1 / (k alpha1)",
        ),
        (
            case,
            f"power of p at the minimum v -> k (T = {temperature:g})",
            -2 - beta1 / (2 * temperature * alpha1 * k),
            float(np.mean(slopes)),
            "-2 - beta1 / (2 T alpha1 k): not integrable, mass at v = k",
        ),
    ]


def _log_q_quad(s, moments, temperature, s0):
    """D = 1 ``log p`` (up to a constant) at points s on one side of the minimum, with Phi
    integrated from ``s0`` by adaptive quadrature (independent of the grid in ``density.py``)."""
    m = moments

    def integrand(r):
        return (m.beta1 * r - m.beta2) / (r * m.g(r))

    phi = np.array([integrate.quad(integrand, s0, si, limit=200)[0] for si in s])
    return -1.5 * np.log(s) - np.log(m.g(s)) - phi / (2 * temperature)


def _rows_linear_regression(case, moments, temperature):
    density = stationary_density(moments, 0, temperature)
    v = np.linspace(-3, 4, 2001)
    closed = linear_regression_density(v, moments, temperature)
    closed /= np.trapezoid(closed, v)
    quad = density.pdf(v)
    quad /= np.trapezoid(quad, v)
    return [
        (case, "T_c", np.nan, np.nan, "none: no transition"),
        (
            case,
            f"max relative difference of p on [-3, 4] (T = {temperature:g})",
            0.0,
            float(np.max(np.abs(closed - quad) / quad)),
            "g^(-1 - b1/(2 T a1)) exp(-(a2 b1 - a1 b2)/(T a1 sqrt(Delta)) arctan(...))",
        ),
        (
            case,
            "tail power of p",
            -2 - moments.beta1 / (temperature * moments.alpha1),
            max(density.tail_slope.values()),
            "-2 - beta1 / (T alpha1)",
        ),
        (
            case,
            "T at which Var[v] diverges",
            moments.beta1 / moments.alpha1,
            _variance_divergence(moments),
            "beta1 / alpha1",
        ),
    ]


def _variance_divergence(moments):
    """Smallest T at which the quadrature D = 0 density has no second moment (bisection)."""
    lo, hi = 1e-2, 10.0
    for _ in range(40):
        mid = np.sqrt(lo * hi)
        finite = np.isfinite(stationary_density(moments, 0, mid).moment(2))
        lo, hi = (mid, hi) if finite else (lo, mid)
    return np.sqrt(lo * hi)


def table1(moments: Moments, k: float, temperature: float, weight_decay: float) -> list[dict]:
    """Rows of Table 1 for a training set with moments ``moments`` (and slope k of its labels).

    Each row: case, quantity, the closed form's value, the quadrature's value, their absolute
    difference, and the formula.

    Parameters
    ----------
    moments : Moments
        Moments of the training set (with label noise).
    k : float
        Slope of the teacher ``y = k x``, for the case without label noise.
    temperature : float
        T = eta / S, dimensionless.
    weight_decay : float
        gamma (loss term ``gamma |theta|^2``) of the weight-decay case.

    Returns
    -------
    list of dict
        One dict per row, with keys ``COLUMNS``: ``case``, ``quantity``, ``closed_form``,
        ``quadrature``, ``abs_diff``, ``formula``.
    """
    rows = (
        _rows_two_layer("D = 1, label noise", moments, temperature)
        + _rows_two_layer(
            f"D = 1, weight decay {weight_decay:g}", moments, temperature, weight_decay
        )
        + _rows_no_label_noise(
            "D = 1, no label noise (y = k x)", k, moments.beta1, moments.alpha1, temperature
        )
        + _rows_linear_regression("D = 0 (linear regression)", moments, temperature)
    )
    return [
        dict(zip(COLUMNS, (case, q, float(a), float(b), float(abs(a - b)), f), strict=True))
        for case, q, a, b, f in rows
    ]
