"""Beyond the SGF (PAPER.md section 4): where discrete SGD collapses (D = 1) and Kesten's
tail index of linear regression (D = 0), against simulated sweeps."""

import numpy as np

from ..discrete.batches import MC_BATCHES, batch_means
from ..discrete.collapse import collapse_thresholds, lyapunov_exponents, second_order_threshold
from ..discrete.kesten import hill_of_point, kappa_two_interpolation, kesten_of_point
from ..theory.density import tail_exponent
from ..theory.moments import Moments
from .record import verdict


def collapse_check(drift: dict, x, y, seed: int, n_sigma: float = 4.0,
                   draws: int = MC_BATCHES) -> dict:  # fmt: skip
    """Simulated drift of ``log|v|`` near 0 against ``2 max(Lambda_+, Lambda_-)``.

    ``drift`` is a ``sweeps.collapse_drift`` record on the training set ``(x, y)``; the
    exponents average over every minibatch (S = 1) or over ``draws`` Monte Carlo batches
    drawn from ``seed``, whose error enters the tolerance. Verdict: every temperature within
    ``n_sigma`` combined standard errors (a nan anywhere fails). The details say, per T,
    which sign the SGF's ``T_c`` and the discrete threshold predict and which the simulation
    shows.

    Parameters
    ----------
    drift : dict of ndarray
        A ``collapse_drift`` sweep: ``temperature``, ``eta``, ``drift``, ``drift_se``,
        shape (points,), and scalar ``batch``.
    x, y : ndarray, shape (n,)
        The training set it ran on.
    seed : int
        Seed of the Monte Carlo batches.
    n_sigma : float
        Combined standard errors the tolerance allows.
    draws : int
        Monte Carlo batches when S > 1.

    Returns
    -------
    dict
        The verdict record (``record.verdict``).
    """
    batch = int(drift["batch"])
    bm = batch_means(np.asarray(x) * np.asarray(y), batch, seed, draws)
    m = Moments.of_samples(x, y)
    t_c = m.beta2 / m.alpha3
    roots = [r / batch for r in collapse_thresholds(bm, eta_max=4.0 * batch)]
    rows = []
    for t, eta, sim, sim_se in zip(
        drift["temperature"], drift["eta"], drift["drift"], drift["drift_se"], strict=True
    ):
        e = lyapunov_exponents(bm, float(eta))
        top = "plus" if e["plus"] >= e["minus"] else "minus"
        theory, theory_se = 2 * e[top], 2 * e[f"{top}_se"]
        rows.append({
            "temperature": float(t),
            "simulated_drift": float(sim),
            "simulated_se": float(sim_se),
            "predicted_drift": theory,
            "predicted_se": theory_se,
            "dominant_amplitude": "balanced" if top == "plus" else "antibalanced",
            "z": float(abs(sim - theory) / np.hypot(sim_se, theory_se)),
            "simulation_collapses": bool(sim < 0),
            "discrete_predicts_collapse": bool(theory < 0),
            "sgf_predicts_collapse": bool(t > t_c),
        })  # fmt: skip
    value = float(np.max([r["z"] for r in rows]))  # nan propagates, unlike max()
    sgf_wrong = [
        r["temperature"] for r in rows if r["sgf_predicts_collapse"] != r["simulation_collapses"]
    ]
    return verdict(
        f"Discrete collapse threshold, D = 1, S = {batch}: v = 0 attracts iff "
        "max E log|1 +- 2 eta m| < 0",
        "max over T of |simulated drift of log|v| - 2 max(Lambda_+, Lambda_-)| / its "
        "standard error",
        value,
        n_sigma,
        f"{n_sigma:g} standard errors (over {int(drift['n_runs'])} runs, drift over the second "
        f"half of {int(drift['steps'])} steps; Monte Carlo error of Lambda added when S > 1)",
        int(drift["n_runs"]) * len(rows),
        seed,
        bool(np.isfinite(value) and value <= n_sigma),
        discrete_thresholds=roots,
        sgf_critical_temperature=float(t_c),
        second_order_threshold=float(second_order_threshold(m, batch)),
        temperatures_where_sgf_sign_is_wrong=sgf_wrong,
        exact_batches=bm.exact,
        per_temperature=rows,
    )


def kesten_check(sweep: dict, x, y, n_tail: int, n_boot: int, seed: int,
                 n_sigma: float = 4.0) -> dict:  # fmt: skip
    """Hill estimates of D = 0 SGD tails against Kesten's kappa of the same training set.

    ``sweep`` is a ``sweeps.kesten_tails`` record. Per point the Hill estimate takes the
    ``n_tail`` largest ``|v|`` (a run bootstrap gives its standard error) and the theory is
    the root of ``E|1 - 2 eta m2|^kappa = 1`` (Monte Carlo batches when S > 1, their error
    added). Verdict: every point within ``n_sigma`` combined errors (a nan fails). At the
    thresholds a sweep reaches the Hill estimator is biased upward for kappa above about 3
    (``hill_bias`` measures it); the config's points keep kappa below that.

    Parameters
    ----------
    sweep : dict of ndarray
        A ``kesten_tails`` sweep: per point ``temperature``, ``batch``, ``eta``,
        ``n_samples``, and the kept largest ``|v|`` with their point and run.
    x, y : ndarray, shape (n,)
        The training set it ran on.
    n_tail : int
        Largest ``|v|`` above the Hill threshold.
    n_boot : int
        Bootstrap resamples of the runs.
    seed : int
        Seed of the batches and the bootstrap.
    n_sigma : float
        Combined standard errors the tolerance allows.

    Returns
    -------
    dict
        The verdict record (``record.verdict``).
    """
    m = Moments.of_samples(x, y)
    rows = []
    for i, (t, s) in enumerate(zip(sweep["temperature"], sweep["batch"], strict=True)):
        fit = hill_of_point(sweep, i, n_tail, n_boot, [seed, 1, i])
        k = kesten_of_point(sweep, i, x, seed)
        rows.append({
            "temperature": float(t),
            "batch": int(s),
            "hill": fit["kappa"],
            "hill_std": fit["std"],
            "hill_lo": fit["lo"],
            "hill_hi": fit["hi"],
            "threshold": fit["threshold"],
            "tail_probability": n_tail / int(sweep["n_samples"][i]),
            "kesten": k["kappa"],
            "kesten_se": k["kappa_se"],
            "sgf": float(-1 - tail_exponent(m, 0, float(t))),
            "kappa_two_interpolation": kappa_two_interpolation(m, float(t), int(s)),
            "z": float(abs(fit["kappa"] - k["kappa"]) / np.hypot(fit["std"], k["kappa_se"])),
            "n_diverged": int(sweep["n_diverged"][i]),
        })  # fmt: skip
    value = float(np.max([r["z"] for r in rows]))
    return verdict(
        "Kesten tails of discrete SGD, D = 0: p(v) ~ |v|^(-1-kappa) with E|1 - 2 eta m2|^kappa = 1",
        f"max over (T, S) of |Hill index of the {n_tail} largest |v| - Kesten's kappa| / its "
        "standard error",
        value,
        n_sigma,
        f"{n_sigma:g} standard errors (run bootstrap, {n_boot} resamples; Monte Carlo error of "
        "kappa added when S > 1)",
        n_tail * len(rows),
        seed,
        bool(np.isfinite(value) and value <= n_sigma),
        per_point=rows,
    )
