"""Memory of the initialisation (Thm 4.1): checks on two paths started differently.

For balanced paths (``|u_i^(0)| = ... = |u_i^(D)| = a_i``, sign ``s_i`` on ``u_i^(0)``) every
factor of path i moves by ``s_i a_i^D dz``, with ``dz = -2 (beta1 v - beta2) dt + sqrt(4 T g(v))
dW`` shared by all paths (the SGF's noise has rank one). Ito's formula then gives, with
``sigma^2 = 4 T g(v) >= 4 T Delta / alpha1``:

- D = 1: ``d log|v_i| = 2 s_i dz - sigma^2 dt``. Same sign: ``log|v_i / v_j|`` is conserved.
  Opposite signs: ``d log|v_i v_j| = -2 sigma^2 dt``, so ``|v_i v_j|`` falls at least like
  ``exp(-8 T Delta t / alpha1)`` in every run, and the smaller path with it.
- D >= 2, ``b_i = a_i^(-c) / c`` with ``c = D - 1``: ``d b_i = -s_i dz + (D/2) a_i^c sigma^2 dt``.
  Same sign: ``d(b_i - b_j) = -(D c / 2) sigma^2 (a_i a_j)^c (b_i - b_j) dt``: the paths
  equalise. Opposite signs: ``B = b_i + b_j`` only grows, ``d(B^2) >= (4 D / c) sigma^2 dt``, so
  the smaller path dies algebraically, ``|v| <= (c B / 2)^(-(D+1)/c)``.

The Euler-Maruyama chain keeps these structures step by step: a move ``delta`` multiplies a
balanced D = 1 path by ``(1 - s delta)^2`` exactly, so same-sign ratios change only by rounding,
and ``|v_i v_j|`` of opposite signs by ``(1 - delta^2)^2 <= 1``. (So does discrete SGD, whose
move is ``delta = eta G`` for every path.)
"""

import numpy as np
from scipy import stats

from ..theory.density import NotNormalisable, stationary_density
from .record import verdict

EPS = np.finfo(float).eps


def _two_paths(run: dict, params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs that did not diverge: ``v_i`` at the start and at the end (runs, 2), and the mask."""
    if params.width != 2:
        raise ValueError(f"memory checks need width = 2 paths, got width = {params.width}")
    alive = ~run["diverged"]
    return run["v_paths"][alive, :, 0], run["v_paths_final"][alive], alive


def _log_ratio(v) -> np.ndarray:
    """``log|v_1 / v_2|`` of each run; ``v`` (runs, 2)."""
    with np.errstate(divide="ignore"):
        return np.log(np.abs(v[:, 0] / v[:, 1]))


def _density(moments, depth, temperature, width):
    """The right-sign stationary density of ``width`` equal paths, or None if there is none."""
    try:
        return stationary_density(moments, depth, temperature, width)
    except NotNormalisable:
        return None


def _mean(density, f) -> float:
    """``E[f(v)]`` under ``density`` (right sign), by the trapezoid rule in ``log v``."""
    if density is None:
        return float("nan")
    s = np.exp(density.log_s)
    return float(np.trapezoid(np.exp(density.log_pdf[1] + density.log_s) * f(s), density.log_s))


def _allowed_failures(n: int, p_fail: float, alpha: float) -> int:
    """Smallest k with ``P(Binomial(n, p_fail) > k) <= alpha``."""
    return int(np.argmax(stats.binom.sf(np.arange(n + 1), n, p_fail) <= alpha))


def opposite_signs_one_dies(
    run: dict, params, moments, cutoff: float = 1e-6, alpha: float = 1e-3
) -> dict:
    """Of two paths started with opposite signs, one dies: ``min |v_i| < cutoff`` at the end.

    The SGF guarantees it in every run once ``time`` is long enough (module docstring):
    D = 1, ``min |v_i| <= sqrt|v_1 v_2|(0) exp(-4 T Delta t / alpha1)``; D >= 2,
    ``B^2 >= B(0)^2 + (16 D T Delta / (c alpha1)) t``. The guaranteed progress L is compared
    with the progress the cutoff needs; the Euler-Maruyama chain realises the rate only on
    average, through ``sum delta^2``: ``sqrt(2 / n_steps)`` relative spread if g were constant,
    taken three times larger as g varies along a run (measured for D = 1, T = 0.3: 1.5 times).
    A run fails to die with probability ``p = Phi(-(L - need) / (3 L sqrt(2 / n_steps)))``, and
    the tolerance allows the k failures that ``Binomial(n, p)`` exceeds with probability
    ``alpha``. The check needs ``L > need`` (a ``time`` long enough for the guarantee).

    Parameters
    ----------
    run : dict of ndarray
        A width-2 ensemble: ``v_paths_final``, shape (runs, 2).
    params : EnsembleParams
        Its parameters (depth, T = eta / S, time, steps).
    moments : Moments
        Moments of the training set.
    cutoff : float
        ``|v_i|`` below which a path counts as dead.
    alpha : float
        Probability of more failures than the tolerance allows.

    Returns
    -------
    dict
        The verdict record (``record.verdict``).
    """
    p, m = params, moments
    if p.depth < 1:
        raise ValueError(f"paths die only for depth D >= 1, got D = {p.depth}")
    start, end, alive = _two_paths(run, p)
    n = int(alive.sum())
    t, temp, floor = p.time, p.temperature, moments.delta / moments.alpha1
    alone = _density(m, p.depth, temp, 1)  # the surviving path, once alone
    smaller = np.min(np.abs(end), axis=1)
    value = float(np.mean(smaller >= cutoff))  # runs where both paths survive
    details = {}
    if p.depth == 1:
        need = np.log(np.abs(start.prod(axis=1))) - 2.0 * np.log(cutoff)
        progress = 8.0 * temp * floor * t
        both = np.all(end != 0, axis=1)
        change = np.log(np.abs(end[both].prod(axis=1) / start[both].prod(axis=1)))
        ratio = -change / (8.0 * temp * run["g_integral"][alive][both, -1])
        mean_g = _mean(alone, m.g)
        details |= {
            "identity_log_v1v2_over_minus_8T_int_g_mean": float(ratio.mean()),
            "identity_log_v1v2_over_minus_8T_int_g_std": float(ratio.std()),
            "measured_rate_log_v1v2": float(np.mean(change) / t),
            "stationary_rate_log_v1v2_minus_8T_E_g": -8.0 * temp * mean_g,
            "guaranteed_rate_log_v1v2_minus_8T_Delta_over_alpha1": -8.0 * temp * floor,
        }
    else:
        c, d = p.depth - 1, p.depth
        b = np.abs(start) ** (-c / (d + 1)) / c
        need = ((2.0 / c) * cutoff ** (-c / (d + 1))) ** 2 - b.sum(axis=1) ** 2
        progress = 16.0 * d * temp * floor * t / c
        b_end = np.abs(end) ** (-c / (d + 1)) / c
        growth = 2.0 * d * temp * _mean(alone, lambda s: m.g(s) * s ** (c / (d + 1)))
        typical = (c * (b.max(axis=1) + growth * t)) ** (-(d + 1) / c)
        details |= {
            "B_start": float(np.median(b.sum(axis=1))),
            "B_end_median": float(np.median(b_end.sum(axis=1))),
            "B2_guaranteed_growth_per_time": 16.0 * d * temp * floor / c,
            "losing_b_stationary_growth_per_time": growth,
            "typical_smaller_v_predicted": float(np.median(typical)),
        }
    need = float(np.max(need))
    spread = 3.0 * progress * np.sqrt(2.0 / p.n_steps)
    p_fail = float(stats.norm.sf((progress - need) / spread)) if progress > 0 else 1.0
    k = _allowed_failures(n, p_fail, alpha)
    tolerance = k / n
    decisive = progress > need
    opposite = bool(np.all(np.sign(start[:, 0]) != np.sign(start[:, 1])))
    wrong = np.sign(start) != np.sign(moments.beta2)
    return verdict(
        f"Thm 4.1, D = {p.depth}, T = {temp:g}: of two paths started with opposite signs, one dies",
        f"fraction of runs in which both |v_i| at t = {t:g} are still >= {cutoff:g}",
        value,
        tolerance,
        f"guaranteed progress {progress:.4g} against {need:.4g} needed for the cutoff "
        f"(g >= Delta/alpha1); a run survives with probability <= {p_fail:.3g} "
        f"(Euler-Maruyama spread 3 sqrt(2/n_steps)); survivors allowed k = {k}, "
        f"P(Binomial(n = {n}, p) > k) <= {alpha:g}",
        n,
        p.seed,
        value <= tolerance and decisive,
        cutoff=cutoff,
        time=t,
        opposite_signs_at_start=opposite,
        guaranteed_progress=progress,
        progress_needed=need,
        survival_probability_bound=p_fail,
        survivors=int(np.sum(smaller >= cutoff)),
        wrong_sign_path_died=float(np.mean(np.any(wrong & (np.abs(end) < cutoff), axis=1))),
        right_sign_path_died=float(np.mean(np.any(~wrong & (np.abs(end) < cutoff), axis=1))),
        both_died=float(np.mean(np.all(np.abs(end) < cutoff, axis=1))),
        right_sign_alone_below_cutoff_stationary=(
            float(alone.cdf(cutoff)) if alone is not None else float("nan")
        ),
        smaller_v_median=float(np.median(smaller)),
        smaller_v_max=float(np.max(smaller)),
        diverged=int(run["diverged"].sum()),
        **details,
    )


def ratio_conserved(run: dict, params, ulps_per_step: float = 4.0) -> dict:
    """D = 1, same-sign balanced paths: ``log|v_1 / v_2|`` is conserved.

    Every move multiplies both paths by the same ``(1 - s delta)^2``, so the ratio changes
    only by rounding: a move rounds each factor once in ``w - delta u``, a relative error of at
    most ``eps/2 (1 + |delta| / (1 - |delta|))``, which moves ``log|v_1 / v_2|`` by at most
    ``2 eps (1 + |delta| / (1 - |delta|)) <= 4 eps`` while ``|delta| <= 1/2`` (the sub-steps
    keep it near ``max_relative_step``). The tolerance is ``ulps_per_step`` eps per step; a real
    change would be of order ``sqrt(T dt)`` per step, some 10^13 times more.

    Parameters
    ----------
    run : dict of ndarray
        A D = 1, width-2 ensemble: ``v_paths``, shape (runs, 2, checkpoints).
    params : EnsembleParams
        Its parameters (number of steps).
    ulps_per_step : float
        Allowed rounding per step, in units of eps.

    Returns
    -------
    dict
        The verdict record (``record.verdict``).
    """
    p = params
    start, end, alive = _two_paths(run, p)
    change = np.abs(_log_ratio(end) - _log_ratio(start))
    value = float(np.max(change))
    tolerance = ulps_per_step * EPS * p.n_steps
    return verdict(
        f"Thm 4.1, D = {p.depth}, T = {p.temperature:g}: log|v_1| - log|v_2| is conserved",
        "max over runs of |log(v_1/v_2) at the end - at the start|",
        value,
        tolerance,
        f"rounding: {ulps_per_step:g} eps per step x {p.n_steps} steps (one rounded move of "
        "each factor per step, |delta| <= 1/2)",
        change.size,
        p.seed,
        value <= tolerance,
        log_ratio_start=float(np.median(_log_ratio(start))),
        median_change_in_eps=float(np.median(change) / EPS),
        max_change_in_eps=value / EPS,
        random_walk_scale_eps_sqrt_steps=float(EPS * np.sqrt(p.n_steps)),
        same_sign_at_start=bool(np.all(np.sign(start[:, 0]) == np.sign(start[:, 1]))),
        diverged=int(run["diverged"].sum()),
    )


def paths_equalise(run: dict, params, moments, fraction: float = 0.1) -> dict:
    """D >= 2, same-sign paths: ``|log(v_1 / v_2)|`` shrinks (the paths equalise).

    In the SGF ``b_1 - b_2`` (``b = a^(-c)/c``, ``c = D - 1``) decays like
    ``exp(-(D c / 2) ∫ 4 T g(v) (a_1 a_2)^c dt)`` in every run; at stationarity with equal
    paths the rate is ``2 D c T E[g(v) (v/2)^(2c/(D+1))]`` under the width-2 density. The
    check passes when the median of ``|log(v_1/v_2)|_end / |log(v_1/v_2)|_start`` over runs
    is below ``fraction``. Details give the median measured contraction of ``b_1 - b_2`` and
    the stationary rate times the time, which overestimates it a little (early on the paths
    are unequal and the rate lower). No per-run prediction is given: its integrand grows like
    ``|v|^(8/3)`` (D = 2), so short excursions to large ``|v|`` that checkpoints miss dominate it.

    Parameters
    ----------
    run : dict of ndarray
        A D >= 2, width-2 ensemble: ``v_paths``, shape (runs, 2, checkpoints).
    params : EnsembleParams
        Its parameters (depth, T = eta / S, time).
    moments : Moments
        Moments of the training set.
    fraction : float
        Largest median ratio of the end and start values that passes.

    Returns
    -------
    dict
        The verdict record (``record.verdict``).
    """
    p, m = params, moments
    start, end, alive = _two_paths(run, p)
    shrink = np.abs(_log_ratio(end)) / np.abs(_log_ratio(start))
    value = float(np.median(shrink))
    details = {}
    if p.depth >= 2:
        d, c = p.depth, p.depth - 1
        b = np.abs(np.stack([start, end], axis=2)) ** (-c / (d + 1)) / c  # (runs, 2, 2)
        with np.errstate(divide="ignore"):
            measured = -np.log(np.abs((b[:, 0, 1] - b[:, 1, 1]) / (b[:, 0, 0] - b[:, 1, 0])))
        equal = _density(m, d, p.temperature, 2)
        weight = 2.0 * d * c * p.temperature
        rate = weight * _mean(equal, lambda s: m.g(s) * (s / 2) ** (2 * c / (d + 1)))
        details = {
            "stationary_rate": rate,
            "stationary_log_contraction_rate_x_time": rate * p.time,
            "measured_log_contraction_of_b1_minus_b2_median": float(np.median(measured)),
        }
    return verdict(
        f"Thm 4.1, D = {p.depth}, T = {p.temperature:g}: paths of the same sign equalise",
        f"median over runs of |log(v_1/v_2)| at t = {p.time:g} / at the start",
        value,
        fraction,
        f"stated fraction {fraction:g}: the SGF contracts the paths' difference exponentially "
        "(rate in details), so a fixed fraction is reached at a fixed time; no equalisation "
        "leaves the ratio at 1",
        shrink.size,
        p.seed,
        value <= fraction,
        log_ratio_start=float(np.median(_log_ratio(start))),
        quantile_90=float(np.quantile(shrink, 0.9)),
        same_sign_at_start=bool(np.all(np.sign(start[:, 0]) == np.sign(start[:, 1]))),
        diverged=int(run["diverged"].sum()),
        **details,
    )
