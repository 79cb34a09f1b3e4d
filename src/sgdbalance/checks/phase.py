"""The phase transition (Thm 4.2, D = 1): the collapse rate of log|v| above T_c."""

import numpy as np

from .record import verdict


def _em_log_growth(h: float, drift: float, noise2: float, nodes=64) -> float:
    """``E 2 log|1 + drift h + sqrt(noise2 h) N|`` for N ~ N(0, 1), by Gauss-Hermite."""
    x, w = np.polynomial.hermite_e.hermegauss(nodes)
    return float(
        np.sum(w * 2 * np.log(np.abs(1 + drift * h + np.sqrt(noise2 * h) * x))) / np.sum(w)
    )


def collapse_rate(run: dict, params, moments, n_sigma: float = 4.0, below: float = 1e-3) -> dict:
    """Near v = 0 the two-layer SGF is linear: ``d log|v| = 4 (s beta2 - gamma - T alpha3) dt +
    noise`` (s = sign of v, gamma the weight decay), so v collapses exponentially where that rate
    is negative: above ``T_c = (beta2 - gamma) / alpha3`` on the right side, at every T on the
    wrong side.

    The simulated rate is the slope of ``log|v|`` per run between the first checkpoint after burn-in
    and the last, averaged over runs whose ``|v|`` is already below ``below``. The Euler-Maruyama
    chain the engine runs has its own exact rate near 0: a balanced step multiplies v by
    ``(1 + 2 s beta2 h + sqrt(4 T alpha3 h) N)^2`` on each sub-step h, whose log-mean is computed
    here (with weight decay the factor is ``1 + 2 (s beta2 - gamma) h + ...``); the simulation is
    compared with it (``n_sigma`` standard errors), and its distance from
    the SGF rate, the scheme's bias, is reported.

    Parameters
    ----------
    run : dict of ndarray
        A D = 1 SGF ensemble: ``v``, shape (runs, checkpoints), and ``checkpoint_time``.
    params : EnsembleParams
        Its parameters (T = eta / S, dt, weight decay, burn-in).
    moments : Moments
        Moments of the training set.
    n_sigma : float
        Standard errors of the mean rate the tolerance allows.
    below : float
        Runs count once their ``|v|`` is below this.

    Returns
    -------
    dict
        The verdict record (``record.verdict``).
    """
    m, p = moments, params
    late = np.flatnonzero(run["checkpoint_time"] >= p.burn_in)
    i, j = late[0], late[-1]
    v = run["v"][~run["diverged"]]
    sign = float(np.sign(np.prod(p.init)))
    use = (np.abs(v[:, i]) < below) & (np.abs(v[:, j]) > 0) & (np.sign(v[:, i]) == sign)
    span = run["checkpoint_time"][j] - run["checkpoint_time"][i]
    slopes = np.log(np.abs(v[use, j] / v[use, i])) / span
    n = slopes.size
    se = slopes.std(ddof=1) / np.sqrt(n)
    # Per unit time, of the linear factor at v = 0; weight decay gamma shrinks both factors.
    drift = 2 * (sign * m.beta2 - p.weight_decay)
    noise2 = 4 * p.temperature * m.alpha3
    # The engine's sub-steps near 0 (state-dependent, but constant where v ~ 0).
    h = p.step
    scale = h * 2 * m.beta2 + np.sqrt(noise2 * h)
    sub = h if scale <= p.max_relative_step else h * (p.max_relative_step / scale) ** 2
    k, rest = int(h // sub), h - int(h // sub) * sub
    em = (k * _em_log_growth(sub, drift, noise2) + _em_log_growth(rest, drift, noise2)) / h
    sgf = 4 * (sign * m.beta2 - p.weight_decay - p.temperature * m.alpha3)
    value = abs(slopes.mean() - em)
    tolerance = n_sigma * se
    side = "right" if sign > 0 else "wrong"
    decay = f", weight decay {p.weight_decay:g}" if p.weight_decay else ""
    return verdict(
        f"D = 1, T = {p.temperature:g}{decay}, {side}-sign start: v collapses to 0 at the rate "
        f"4 (s beta2 - gamma - T alpha3) = {sgf:.4g}",
        "|mean slope of log|v| over runs - exact rate of the simulated Euler-Maruyama chain|",
        value,
        tolerance,
        f"{n_sigma:g} standard errors of the mean slope over n = {n} runs (time {span:g})",
        n,
        p.seed,
        value <= tolerance and sgf < 0,
        simulated_rate=float(slopes.mean()),
        standard_error=float(se),
        euler_maruyama_rate=em,
        sgf_rate=sgf,
        euler_maruyama_bias=em - sgf,
        runs_used=n,
        runs_not_yet_below=int(np.sum(~use)),
        critical_temperature=float((m.beta2 - p.weight_decay) / m.alpha3),
    )
