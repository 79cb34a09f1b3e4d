"""Heavy-ball momentum (beyond the paper): the law of balance at T_eff, the exact D = 0 variance,
and the finite-step gap of the stationary law at equal T_eff (``discrete.momentum``); and the
stationary spread of v under Adam and RMSProp (``discrete.adaptive``)."""

import numpy as np
from scipy import stats

from ..discrete.adaptive import adam_variance
from ..discrete.finite_step import discrete_variance
from ..discrete.momentum import balance_excess, momentum_variance, sgf_variance
from .finite_step import _variance_and_se
from .record import verdict


def momentum_balance(run: dict, params, moments, n_sigma: float = 4.0, start: float = 0.5) -> dict:
    """Heavy-ball SGD on the two-layer model balances at ``d(u^2 - w^2)/dt = -4 T_eff g(v)
    (u^2 - w^2)`` in SGF time ``t = steps x eta / (1 - beta)`` (``discrete.momentum``).

    With ``Lambda = 4 T_eff ∫ g dt`` per run (the engine's ``g_integral`` is ``∫ g`` over
    steps x eta, so ``∫ g dt = g_integral / (1 - beta)``), the law gives ``E I_t = E[I_0
    exp(-Lambda_t)]``. The measured rate is the ratio ``log(mean I_a / mean I_b) / log(mean
    exp(-Lambda_a) / mean exp(-Lambda_b))`` between the checkpoint a where the mean
    predicted ``Lambda`` first reaches ``start`` and the last one, b: ensemble means, because
    under momentum a run's imbalance fluctuates and may cross 0. Starting at ``start`` skips
    the velocity's start-up: from rest, the imbalance lags the steady decay by
    ``beta (1 + 2 beta) / (1 - beta^2)`` steps (13 at beta = 0.9).

    Tolerance, fixed by theory before the run: ``n_sigma`` standard errors of the ratio
    (delta method over runs) plus the finite-step excess. Its linear part is ``beta1 eta (u^2
    + w^2) / (1 + beta)`` (``balance_excess``); on top, the rate is the difference of two
    terms of size ``M = beta1 (u^2 + w^2) eta_eff (1 + beta) / (1 - beta)`` (``eta_eff = eta
    / (1 - beta)``) that cancel only to the accuracy of the linearised v-dynamics, whose
    relative error is of order ``T_eff alpha1 / beta1`` (as in the D = 0 variance): the
    allowance is ``T_eff alpha1 / beta1 x M``. Both are taken at checkpoint a, where
    ``u^2 + w^2`` is largest. The plain-SGD temperature ``eta / S`` in the plain time predicts
    a rate ``(1 - beta)^2`` times smaller, and T_eff in the plain time one ``1 - beta`` times
    smaller: recorded as negative controls.

    Parameters
    ----------
    run : dict of ndarray
        A heavy-ball SGD ensemble of the D = 1 model: ``imbalance``, ``norm2``,
        ``g_integral``, shape (runs, checkpoints).
    params : EnsembleParams
        Its parameters (eta, S, momentum, seed).
    moments : Moments
        Moments of the training set.
    n_sigma : float
        Standard errors of the ratio the tolerance allows.
    start : float
        Mean predicted ``Lambda`` at the first checkpoint of the window.

    Returns
    -------
    dict
        The verdict record (``record.verdict``).
    """
    p, beta, m = params, params.momentum, moments
    alive = ~run["diverged"]
    imb, norm2 = run["imbalance"][alive], run["norm2"][alive]
    lam = 4.0 * p.temperature * p.sgf_time(run["g_integral"][alive])
    a = int(np.argmax(lam.mean(axis=0) >= start))
    b = lam.shape[1] - 1
    q = imb[:, [a, b]] / imb[:, [a, b]].mean(axis=0)  # each run's share, per checkpoint
    e = np.exp(-lam[:, [a, b]])
    e = e / e.mean(axis=0)
    measured = np.log(imb[:, a].mean() / imb[:, b].mean())
    predicted = np.log(np.exp(-lam[:, a]).mean() / np.exp(-lam[:, b]).mean())
    ratio = measured / predicted
    influence = ((q[:, 0] - q[:, 1]) - ratio * (e[:, 0] - e[:, 1])) / predicted
    n = influence.size
    se = float(influence.std(ddof=1) / np.sqrt(influence.size))
    a2 = float(norm2[:, a].mean())
    linear = float(balance_excess(m.beta1, p.eta, a2, beta))
    scale = m.beta1 * a2 * p.temperature * p.batch * (1.0 + beta) / (1.0 - beta)  # M
    nonlinear = p.temperature * m.alpha1 / m.beta1 * scale
    tolerance = n_sigma * se + linear + nonlinear
    value = abs(ratio - 1.0)
    return verdict(
        f"Heavy ball (beta = {beta:g}): d(u^2 - w^2)/dt = -4 T_eff g(v) (u^2 - w^2), "
        "T_eff = eta / ((1 - beta) S), t = steps x eta / (1 - beta)",
        "|log(mean I_a / mean I_b) / log(mean e^-Lambda_a / mean e^-Lambda_b) - 1|, "
        "Lambda = 4 T_eff ∫g(v) dt",
        value,
        tolerance,
        f"{n_sigma:g} standard errors of the ratio at n = {n} runs, plus the finite-step "
        "excess beta1 eta (u^2 + w^2) / (1 + beta) and (T_eff alpha1 / beta1) M, M = beta1 "
        "(u^2 + w^2) eta_eff (1 + beta) / (1 - beta), at the window's start",
        n,
        p.seed,
        value <= tolerance,
        window_time=[float(p.sgf_time(run["checkpoint_time"][i])) for i in (a, b)],
        window_lambda=[float(lam[:, i].mean()) for i in (a, b)],
        rate_ratio=float(ratio),
        standard_error=se,
        linear_excess=linear,
        nonlinear_allowance=float(nonlinear),
        effective_temperature=float(p.temperature),
        negative_control_plain_T=float(abs(ratio / (1.0 - beta) ** 2 - 1.0)),
        negative_control_T_eff_plain_time=float(abs(ratio / (1.0 - beta) - 1.0)),
    )


def momentum_variance_check(series: list[tuple], moments, n_sigma: float = 4.0) -> dict:
    """D = 0 heavy-ball SGD: the stationary Var[v] at each (eta, S, beta) is the exact
    ``Var = T_eff g(v*) / (beta1 - T_eff alpha1 - eta beta1^2 / (1 + beta))``.

    Each ensemble's final v (independent runs) against the exact variance, within ``n_sigma``
    standard errors of a sample variance (fourth-moment formula). Where the exact variance is
    farthest from the SGF's at T_eff, the simulation must also exclude, by more than
    ``n_sigma`` standard errors, both the SGF at T_eff and the folk rule taken at finite eta
    (plain SGD at ``eta / (1 - beta)``, whose exact variance is ``discrete_variance``).

    Parameters
    ----------
    series : list of tuple
        ``(run, params)`` per setting: a D = 0 heavy-ball SGD ensemble and its parameters.
    moments : Moments
        Moments of the training set.
    n_sigma : float
        Standard errors the tolerance allows.

    Returns
    -------
    dict
        The verdict record (``record.verdict``).
    """
    rows = []
    for run, p in series:
        v = run["v_final"][~run["diverged"]]
        var, se = _variance_and_se(v)
        exact = momentum_variance(moments, p.eta, p.batch, p.momentum)
        rows.append({
            "eta": p.eta, "batch": p.batch, "momentum": p.momentum, "t_eff": p.temperature,
            "n": int(v.size), "variance": var, "variance_se": se, "exact_variance": exact,
            "z_exact": abs(var - exact) / se,
            "sgf_variance_at_t_eff": sgf_variance(moments, p.temperature),
            "folk_rule_variance": discrete_variance(moments, p.eta / (1 - p.momentum), p.batch),
            "mean": float(v.mean()), "diverged": int(run["diverged"].sum()),
        })  # fmt: skip
    far = max(rows, key=lambda r: r["exact_variance"] / r["sgf_variance_at_t_eff"])
    z_sgf = abs(far["variance"] - far["sgf_variance_at_t_eff"]) / far["variance_se"]
    z_folk = abs(far["variance"] - far["folk_rule_variance"]) / far["variance_se"]
    value = max(r["z_exact"] for r in rows)
    passed = value <= n_sigma and z_sgf > n_sigma and z_folk > n_sigma
    return verdict(
        "Heavy ball, D = 0: Var[v] = T_eff g(v*) / (beta1 - T_eff alpha1 - eta beta1^2 / "
        "(1 + beta)) exactly, at every (eta, S, beta)",
        "max over settings of |Var_sim - exact Var| / its standard error",
        value,
        n_sigma,
        f"{n_sigma:g} standard errors of a sample variance (fourth-moment formula); at the "
        f"setting farthest from the SGF the simulation also excludes the SGF at T_eff (by "
        f"{z_sgf:.1f}) and plain SGD at eta / (1 - beta) (by {z_folk:.1f})",
        min(r["n"] for r in rows),
        [s[1].seed for s in series],
        passed,
        z_sgf_at_farthest=float(z_sgf),
        z_folk_rule_at_farthest=float(z_folk),
        per_setting=rows,
    )


def momentum_gap_series(series: list[tuple], n_sigma: float = 4.0, alpha: float = 0.001) -> dict:
    """At one T_eff and depth, the finite-step gap of heavy-ball SGD's stationary law to the
    SGF density at T_eff scales like ``eta / (1 + beta)`` (``discrete.momentum``), not like the
    folk rule's ``eta / (1 - beta)``.

    ``series``: ``(run, params, theory)`` per (eta, beta), all at the same T_eff, depth and S,
    including beta = 0. The gap is the relative error of the standard deviation of the final v
    (with its standard error). Verdict: (1) the gap at the largest beta, plus ``n_sigma``
    combined standard errors, stays below the gap at beta = 0, where the folk rule (plain SGD
    at ``eta / (1 - beta)``, the same for every member) predicts equal gaps; (2) a weighted
    least-squares line through 0 in ``x = eta / (1 + beta)`` is consistent with the gaps
    (chi-square p-value above ``alpha``).

    Parameters
    ----------
    series : list of tuple
        ``(run, params, theory)``: an SGD ensemble, its parameters, the SGF density at its T_eff.
    n_sigma : float
        Standard errors the comparison of the two extreme gaps allows.
    alpha : float
        Level of the chi-square test of the line.

    Returns
    -------
    dict
        The verdict record (``record.verdict``).
    """
    rows = []
    for run, p, theory in sorted(series, key=lambda s: s[1].momentum):
        v = run["v_final"][~run["diverged"]]
        var, se = _variance_and_se(v)
        std_theory = float(np.sqrt(theory.variance))
        rows.append({
            "eta": p.eta, "batch": p.batch, "momentum": p.momentum, "t_eff": p.temperature,
            "n": int(v.size), "x": p.eta / (1 + p.momentum),
            "std_gap": float(np.sqrt(var) / std_theory - 1.0),
            "std_gap_se": float(se / (2 * var) * np.sqrt(var) / std_theory),
            "mean_gap": float(v.mean() / theory.mean - 1.0),
            "ks_distance": float(stats.kstest(v, theory.cdf).statistic),
        })  # fmt: skip
    plain, heavy = rows[0], rows[-1]
    noise = np.hypot(plain["std_gap_se"], heavy["std_gap_se"])
    value = heavy["std_gap"] + n_sigma * noise
    x = np.array([r["x"] for r in rows])
    gap = np.array([r["std_gap"] for r in rows])
    w = 1.0 / np.array([r["std_gap_se"] for r in rows]) ** 2
    slope = float(np.sum(w * x * gap) / np.sum(w * x * x))
    chi2 = float(np.sum(w * (gap - slope * x) ** 2))
    p_line = float(stats.chi2.sf(chi2, len(rows) - 1))
    passed = value < plain["std_gap"] and p_line > alpha and plain["momentum"] == 0
    return verdict(
        f"Heavy ball, D = {series[0][1].depth}, T_eff = {plain['t_eff']:g}: the finite-step "
        "gap to the SGF at T_eff scales like eta / (1 + beta), not like eta / (1 - beta)",
        f"std gap at beta = {heavy['momentum']:g} + {n_sigma:g} combined standard errors "
        "(tolerance: the std gap of plain SGD at the same T_eff)",
        value,
        plain["std_gap"],
        "the folk rule predicts equal gaps at equal T_eff and S; the line through 0 in "
        f"eta / (1 + beta) must also fit (chi-square p = {p_line:.3g} > {alpha:g})",
        min(r["n"] for r in rows),
        [s[1].seed for s in series],
        passed,
        slope_per_unit_eta_over_1_plus_beta=slope,
        chi2=chi2,
        chi2_p_value=p_line,
        per_setting=rows,
    )


def adaptive_variance(stats: dict, params, moments, n_sigma: float = 4.0) -> dict:
    """Adam or RMSProp on the two-layer model: the stationary Var[v] is ``eta sigma s* / (4
    beta1)`` with ``s* = sqrt(4 v* + d^2)``, d the run's conserved ``|u| - |w|``
    (``discrete.adaptive``).

    Measured on the samples of v in the last fifth of the steps (``v_tail``), against the mean
    over runs of the prediction with each run's d at the last checkpoint. Tolerance, fixed by
    the theory before the run: ``n_sigma`` standard errors (per-run contributions, so samples
    of one run may correlate) plus the first neglected orders, relative to the prediction: the
    finite step ``k / 2`` (``k = 2 eta beta1 s* / sigma`` per step), the noise's growth away
    from v*, ``alpha1 Var[v] / g(v*)``, and twice the relative drift of s* over the sampling
    window (d is conserved only while the running scales track the factors). Recorded as
    negative controls: the same with d = 0 (a balanced net, no memory of the start).

    Parameters
    ----------
    stats : dict of ndarray
        ``adaptive_ensemble`` output: ``u``, ``w`` (runs, K), ``checkpoint_steps`` (K,),
        ``v_tail`` (runs, 10).
    params : AdaptiveParams
        Its parameters (optimiser, eta, batch, steps, seed).
    moments : Moments
        Moments of the training set.
    n_sigma : float
        Standard errors the tolerance allows.

    Returns
    -------
    dict
        The verdict record (``record.verdict``).
    """
    p, m = params, moments
    v_star = m.beta2 / m.beta1
    d_end = np.abs(stats["u"][:, -1]) - np.abs(stats["w"][:, -1])
    start = int(np.searchsorted(stats["checkpoint_steps"], 0.8 * p.steps))
    d_start = np.abs(stats["u"][:, start]) - np.abs(stats["w"][:, start])
    predicted = float(np.mean(adam_variance(m, p.eta, p.batch, d_end)))
    v = stats["v_tail"]
    centred = (v - v.mean()) ** 2
    per_run = centred.mean(axis=1)
    measured = float(centred.sum() / (v.size - 1))
    se = float(per_run.std(ddof=1) / np.sqrt(per_run.size))
    sigma = np.sqrt(4.0 * m.g(v_star) / p.batch)
    s_end = np.sqrt(4 * abs(v_star) + d_end**2)
    s_start = np.sqrt(4 * abs(v_star) + d_start**2)
    k = float(np.mean(2 * p.eta * m.beta1 * s_end / sigma))
    drift = float(np.mean(np.abs(s_end - s_start) / s_end))
    allowance = k / 2 + m.alpha1 * predicted / m.g(v_star) + 2 * drift
    tolerance = n_sigma * se + allowance * predicted
    value = abs(measured - predicted)
    balanced = float(adam_variance(m, p.eta, p.batch, 0.0))
    return verdict(
        f"{p.optimiser} on l = (u w x - y)^2: stationary Var[v] = eta sigma s* / (4 beta1), "
        "s* = sqrt(4 v* + (|u| - |w|)^2), sigma = sqrt(4 g(v*) / S)",
        "|Var[v] of the last fifth of the steps - predicted|",
        value,
        tolerance,
        f"{n_sigma:g} standard errors (per-run contributions, n = {per_run.size} runs) plus "
        "(k/2 + alpha1 Var/g(v*) + 2 x drift of s*) x prediction, the first neglected orders",
        per_run.size,
        p.seed,
        value <= tolerance,
        measured_variance=measured,
        predicted_variance=predicted,
        ratio=measured / predicted,
        standard_error=se,
        relative_allowance=float(allowance),
        median_magnitude_gap=float(np.median(d_end)),
        negative_control_balanced_prediction=balanced,
        negative_control_balanced_excluded=bool(abs(measured - balanced) > tolerance),
    )
