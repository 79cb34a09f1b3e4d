"""Width-depth scaling of the stationary density (PAPER.md section 2, "Width and depth").

On the right side the density of Thm 4.2 is ``s^(-3D/(D+1)) / g(s) exp(-kappa Psi_D(s))`` with
``Psi_D(s) = ∫ (beta1 r - beta2) / (r^(2D/(D+1)) g(r)) dr`` and ::

    kappa = d^(1 - 2/(D+1)) / ((D + 1) T) = K * D/(D+1) * d^(-2/(D+1)),   K = d / (D T).

At fixed K (and ``log d = o(D)``) kappa -> K and the powers of s tend to -3 and 2, so the
densities converge to the D -> infinity limit ::

    p_inf(s) ∝ s^-3 / g(s) exp(-K ∫ (beta1 r - beta2) / (r^2 g(r)) dr),

one distribution per value of K, the paper's scaling law ``(d/D)(S/eta) = const``. The
convergence is slow: the factor ``d^(-2/(D+1)) = 1 - 2 log(d)/(D+1) + ...`` makes the
distance to the limit shrink like ``log(D)/D``. The three regimes are the ends of this family:

- K -> 0 (``d = o(D)``): ``p_inf ~ s^-3 exp(-K beta2 / (alpha3 s))`` near 0, so the mass
  collapses towards 0 with mean about ``K beta2 / alpha3``;
- K of order 1 (``d ~ D``): a spread of order ``beta2/beta1``;
- K -> infinity (``d >> D``): Laplace's method at the minimum ``m = beta2/beta1`` gives
  ``Var[v] ≈ m^(2D/(D+1)) g(m) / (beta1 kappa)``: concentration at m.
"""

import numpy as np

from .density import LOG_STEP, StationaryDensity, stationary_density
from .moments import Moments


def width_and_temperature(depth: int, d_over_D_T: float, width_per_depth: float = 1.0):
    """``(d, T)`` with ``d = max(1, round(width_per_depth * D))`` and ``T = d / (D K)``."""
    width = max(1, int(round(width_per_depth * depth)))
    return width, width / (depth * d_over_D_T)


def exponent_coefficient(depth: int, width: int, temperature: float) -> float:
    """``kappa = d^(1 - 2/(D+1)) / ((D+1) T)``: the only way d and T enter the density."""
    return float(width) ** (1.0 - 2.0 / (depth + 1)) / ((depth + 1) * temperature)


def limit_density(moments: Moments, d_over_D_T: float) -> StationaryDensity:
    """The D -> infinity density at fixed ``K = d/(D T)``, as a ``StationaryDensity``.

    ``depth`` is ``inf``, ``width`` 1 and ``temperature`` ``1/K``. The integrand of the
    exponent is split as ``-beta2 / (alpha3 r^2)`` (integrated exactly to ``beta2/(alpha3 s)``)
    plus a remainder ``((alpha3 beta1 - 2 alpha2 beta2) + alpha1 beta2 r) / (alpha3 r g(r))``,
    integrated by the trapezoid rule in ``log r``. The grid starts where ``K beta2/(alpha3 s)
    = 2000`` (the density is ``e^-2000`` of its bulk there) and ends where stationary_density's
    does; above it the tail ``s^-5`` is added in closed form.

    Parameters
    ----------
    moments : Moments
        Moments of the training set.
    d_over_D_T : float
        ``K = d / (D T)`` with d the width, D the depth and ``T = eta / S``: the paper's
        scaling variable ``(d/D)(S/eta)``.

    Returns
    -------
    StationaryDensity
        The density of v on ``v > 0``.
    """
    m, k = moments, float(d_over_D_T)
    scale = max(1.0, m.beta2 / m.beta1, np.sqrt(m.alpha3 / m.alpha1))
    lo, hi = np.log(k * m.beta2 / (2000.0 * m.alpha3)), np.log(scale) + 25.0
    log_s = np.linspace(lo, hi, int(np.ceil((hi - lo) / LOG_STEP)) + 1)
    ds = log_s[1] - log_s[0]
    s = np.exp(log_s)
    g = m.g(s)
    remainder = ((m.alpha3 * m.beta1 - 2 * m.alpha2 * m.beta2) + m.alpha1 * m.beta2 * s) / (
        m.alpha3 * g
    )  # times r: per unit log r
    cumulative = np.concatenate([[0.0], np.cumsum(0.5 * (remainder[1:] + remainder[:-1]) * ds)])
    log_q = -3.0 * log_s - np.log(g) - k * (m.beta2 / (m.alpha3 * s) + cumulative)
    shift = np.max(log_q + log_s)
    w = np.exp(log_q + log_s - shift)  # density per unit log s, unnormalised
    tail_slope = (log_q[-1] - log_q[-2]) / ds
    cum = np.concatenate([[0.0], np.cumsum(0.5 * (w[1:] + w[:-1]) * ds)])
    z = cum[-1] + w[-1] / -(tail_slope + 1.0)
    return StationaryDensity(
        depth=np.inf,
        temperature=1.0 / k,
        width=1,
        sides=(1,),
        log_s=log_s,
        log_pdf={1: log_q - shift - np.log(z)},
        mass_below={1: 0.0},
        cum_mass={1: cum / z},
        tail_slope={1: tail_slope},
    )


def ks_distance(a: StationaryDensity, b: StationaryDensity) -> float:
    """``sup_v |F_a(v) - F_b(v)|``, on the union of both grids (both CDFs are piecewise
    linear in ``log |v|`` between their nodes, so the supremum lies on a node)."""
    s = np.exp(np.union1d(a.log_s, b.log_s))
    v = np.concatenate([-s[::-1], [0.0], s])
    return float(np.max(np.abs(a.cdf(v) - b.cdf(v))))


def scaling_collapse(
    moments: Moments, d_over_D_T: float, depths=(4, 8, 16, 32), width_per_depth: float = 1.0
) -> dict:
    """Densities at fixed ``K = d/(D T)`` for each depth, and how far apart they are.

    Returns
    -------
    dict
        ``depths``, ``widths``, ``temperatures``, ``kappa`` (shape (n,)); ``ks_consecutive``
        (n - 1,): KS distance between depths i and i + 1; ``ks_to_largest`` (n - 1,): to the
        largest depth; ``ks_to_limit`` (n,): to the D -> infinity density; ``mean``, ``std``
        (n,) and ``limit_mean``, ``limit_std``.
    """
    depths = [int(x) for x in depths]
    limit = limit_density(moments, d_over_D_T)
    dens, widths, temps = [], [], []
    for depth in depths:
        width, temperature = width_and_temperature(depth, d_over_D_T, width_per_depth)
        widths.append(width)
        temps.append(temperature)
        dens.append(stationary_density(moments, depth, temperature, width=width))
    return {
        "d_over_D_T": float(d_over_D_T),
        "depths": depths,
        "widths": widths,
        "temperatures": temps,
        "kappa": [exponent_coefficient(*x) for x in zip(depths, widths, temps, strict=True)],
        "ks_consecutive": [ks_distance(a, b) for a, b in zip(dens[:-1], dens[1:], strict=True)],
        "ks_to_largest": [ks_distance(a, dens[-1]) for a in dens[:-1]],
        "ks_to_limit": [ks_distance(a, limit) for a in dens],
        "mean": [a.mean for a in dens],
        "std": [float(np.sqrt(a.variance)) for a in dens],
        "limit_mean": limit.mean,
        "limit_std": float(np.sqrt(limit.variance)),
    }


def regimes(moments: Moments, depth: int, temperature: float, widths) -> dict:
    """Mean, median and std of v at fixed D and T for several widths (``K = d/(D T)``),
    with the small-K prediction ``K beta2/alpha3`` of the mean and the Laplace std."""
    m = moments.beta2 / moments.beta1
    rows = []
    for width in widths:
        dens = stationary_density(moments, depth, temperature, width=int(width))
        kappa = exponent_coefficient(depth, int(width), temperature)
        k = width / (depth * temperature)
        laplace = m ** (2 * depth / (depth + 1)) * moments.g(m) / (moments.beta1 * kappa)
        rows.append(
            {
                "width": int(width),
                "d_over_D_T": float(k),
                "mean": dens.mean,
                "median": float(dens.quantile(0.5)),
                "std": float(np.sqrt(dens.variance)),
                "small_K_mean": float(k * moments.beta2 / moments.alpha3),
                "laplace_std": float(np.sqrt(laplace)),
            }
        )
    return {"depth": depth, "temperature": temperature, "minimum": m, "rows": rows}
