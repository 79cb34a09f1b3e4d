"""Scaling law (Thm 4.2, width and depth): the density at fixed (d/D)(S/eta) against its
D -> infinity limit, in theory and in simulation."""

import numpy as np
from scipy import stats

from ..theory.density import stationary_density
from ..theory.moments import Moments
from ..theory.scaling import (
    exponent_coefficient,
    ks_distance,
    limit_density,
    regimes,
    scaling_collapse,
)
from .record import verdict


def scaling_check(
    moments: Moments,
    d_over_D_T: float = 1.0,
    depths=(4, 8, 16, 32),
    regime_depth: int = 32,
    regime_temperature: float = 1.0,
    seed=None,
) -> dict:
    """One verdict record on the scaling law ``(d/D)(S/eta) = const`` (theory only).

    The statistic is the KS distance between the density at the largest depth and the
    D -> infinity limit, both at ``K = d/(D T)`` (``d = D``). Its tolerance extrapolates the
    observed convergence: by the triangle inequality the distance is at most the sum of the
    consecutive distances beyond, and if each doubling of D shrinks them by at least the
    last observed ratio r (the ratios grow towards 2 as log(D)/D decays), that sum is at
    most ``last / (r - 1)``. Also required: consecutive distances and distances to the limit
    decrease with D; at ``regime_depth`` and ``regime_temperature``, ``d = 1`` has its mean
    below ``0.1 m`` (collapse, ``m = beta2/beta1``), ``d = D`` a mean and std above
    ``0.25 m`` (a finite spread), and ``d = 100 D`` a mean and std within ``3 / kappa`` of
    m and of Laplace's std (concentration; Laplace's method errs by O(1/kappa)).
    ``seed`` is only recorded (nothing here is random).

    Parameters
    ----------
    moments : Moments
        Moments of the training set.
    d_over_D_T : float
        K = d / (D T), with T = eta / S.
    depths : sequence of int
        Depths D at which the density is compared with the limit (width d = D).
    regime_depth : int
        D of the three regimes' densities.
    regime_temperature : float
        T = eta / S of the three regimes' densities.
    seed : optional
        Recorded only.

    Returns
    -------
    dict
        The verdict record (``record.verdict``).
    """
    collapse = scaling_collapse(moments, d_over_D_T, depths)
    ks, to_limit = collapse["ks_consecutive"], collapse["ks_to_limit"]
    if len(ks) < 2:
        raise ValueError(f"need at least 3 depths to extrapolate, got {depths!r}")
    ratio = ks[-2] / ks[-1]
    tolerance = ks[-1] / (ratio - 1.0) if ratio > 1.0 else 0.0
    value = to_limit[-1]
    shrinking = bool(np.all(np.diff(ks) < 0) and np.all(np.diff(to_limit) < 0))

    d = regime_depth
    reg = regimes(moments, d, regime_temperature, (1, d, 100 * d))
    small, middle, large = reg["rows"]
    m = reg["minimum"]
    kappa = exponent_coefficient(d, 100 * d, regime_temperature)
    regimes_ok = (
        small["mean"] < 0.1 * m
        and min(middle["mean"], middle["std"]) > 0.25 * m
        and abs(large["mean"] / m - 1.0) <= 3.0 / kappa
        and abs(large["std"] / large["laplace_std"] - 1.0) <= 3.0 / kappa
    )
    # Negative control: d = 1 and T fixed (only the depth grows) does not converge.
    fixed = [stationary_density(moments, D, regime_temperature) for D in depths]
    fixed_ks = [ks_distance(a, b) for a, b in zip(fixed[:-1], fixed[1:], strict=True)]
    return verdict(
        "Scaling law (d/D)(S/eta) = const: at fixed d/(D T) the stationary densities converge "
        "as D grows; d = o(D) collapses to 0, d ~ D spreads, d >> D concentrates at beta2/beta1",
        f"KS distance between the density at D = {depths[-1]} and the D -> infinity limit, at "
        f"d/(D T) = {d_over_D_T:g}, d = D",
        value,
        tolerance,
        f"geometric extrapolation of the consecutive KS distances: last {ks[-1]:.4g} "
        f"(D = {depths[-2]} to {depths[-1]}), ratio {ratio:.3g} per doubling; bound "
        "last / (ratio - 1) on the distance still to go. Also required: monotone decrease, and "
        "the three regimes (see the docstring of scaling.scaling_check)",
        len(depths),
        seed,
        shrinking and regimes_ok and value <= tolerance,
        collapse=collapse,
        regimes=reg,
        regimes_ok=regimes_ok,
        shrinking=shrinking,
        large_width_kappa=kappa,
        negative_control_fixed_width_and_T_ks_consecutive=fixed_ks,
    )


def scaling_simulation_check(
    series: dict, moments: Moments, regimes: dict, seed, alpha: float = 0.001
) -> dict:
    """The scaling law in simulation: SGF ensembles of deep, wide diagonal nets.

    ``series`` maps each ensemble's name to ``(run, params, theory)``: those on one curve of
    fixed ``K = d/(D T)`` (in increasing D), and the two that ``regimes`` names (``collapse``:
    d = o(D), ``concentrate``: d >> D). On the curve the statistic is the largest
    ``|KS(sim_D, p_inf) - KS(p_D, p_inf)|``: how far the simulated distance to the D -> infinity
    limit lies from the theory's. By the triangle inequality it is at most ``KS(sim_D, p_D)``,
    which is below the KS critical value at level ``alpha / n_ensembles`` (Bonferroni) with
    probability ``1 - alpha`` when the density of Thm 4.2 is right: that critical value, fixed by
    n before the run, is the tolerance. Also required, each within the same tolerance: every
    ensemble's KS distance to its own density; the simulated distance to the limit falling with
    D on the curve; the collapse ensemble's mean below ``0.1 m`` (``m = beta2/beta1``); the
    concentrating ensemble's mean and std within ``3 / kappa`` (Laplace's error) plus four
    standard errors of m and of Laplace's std.
    """
    roles = {name: role for role, name in regimes.items()}
    limit = None
    curve, rows = [], {}
    n_tests = len(series)
    worst_own, value, tolerance = 0.0, 0.0, np.inf
    for name, (run, p, theory) in series.items():
        v = run["v_final"][~run["diverged"]]
        critical = float(stats.kstwo.isf(alpha / n_tests, v.size))
        tolerance = min(tolerance, critical)
        own = float(stats.kstest(v, theory.cdf).statistic)
        worst_own = max(worst_own, own - critical)
        row = {"depth": p.depth, "width": p.width, "temperature": p.temperature, "n": int(v.size),
               "ks_to_own_density": own, "critical": critical, "mean": float(v.mean()),
               "std": float(v.std(ddof=1)), "theory_mean": theory.mean,
               "theory_std": float(np.sqrt(theory.variance)),
               "kappa": exponent_coefficient(p.depth, p.width, p.temperature)}  # fmt: skip
        role = roles.get(name)
        if role is None:
            k = p.width / (p.depth * p.temperature)
            limit = limit or limit_density(moments, k)
            sim_to_limit = float(stats.kstest(v, limit.cdf).statistic)
            row |= {"d_over_D_T": k, "ks_sim_to_limit": sim_to_limit,
                    "ks_theory_to_limit": ks_distance(theory, limit)}  # fmt: skip
            value = max(value, abs(sim_to_limit - row["ks_theory_to_limit"]))
            curve.append(row)
        rows[role or name] = row
    m = moments.beta2 / moments.beta1
    small, large = rows["collapse"], rows["concentrate"]
    laplace_std = np.sqrt(m ** (2 * large["depth"] / (large["depth"] + 1)) * moments.g(m)
                          / (moments.beta1 * large["kappa"]))  # fmt: skip
    se = large["std"] / np.sqrt(large["n"])
    slack = 3.0 / large["kappa"]
    regimes_ok = bool(
        small["mean"] < 0.1 * m
        and abs(large["mean"] - m) <= slack * m + 4 * se
        and abs(large["std"] - laplace_std) <= slack * laplace_std + 4 * se / np.sqrt(2)
    )
    to_limit = [row["ks_sim_to_limit"] for row in curve]
    approaching = bool(np.all(np.diff(to_limit) < 0))
    return verdict(
        "Scaling law (d/D)(S/eta) = const, simulated: SGF ensembles at fixed d/(D T) follow their "
        "densities towards the D -> infinity limit; d = o(D) collapses, d >> D concentrates",
        "largest |KS(simulated v, limit) - KS(theory density, limit)| over the curve's depths",
        value,
        tolerance,
        f"KS critical value at level {alpha:g}/{n_tests} (Bonferroni) for the smallest ensemble: "
        "the triangle inequality bounds the statistic by each ensemble's distance to its own "
        "density. Also required: every ensemble within it of its own density, the simulated "
        "distance to the limit falling with D, and the two regimes (see the docstring)",
        min(row["n"] for row in rows.values()),
        seed,
        value <= tolerance and worst_own <= 0 and approaching and regimes_ok,
        ensembles=rows,
        laplace_std=float(laplace_std),
        approaching_limit=approaching,
        regimes_ok=regimes_ok,
        all_within_own_density=bool(worst_own <= 0),
    )
