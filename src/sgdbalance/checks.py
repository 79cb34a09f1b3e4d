"""Theorem checks: each returns a verdict record with its statistic, tolerance and sample size.

A record is a plain dict, written as ``results/checks/<name>.json``:
``claim``, ``statistic`` (what is measured), ``value``, ``tolerance``, ``tolerance_source``,
``n``, ``seed``, ``passed`` and ``details``. Tolerances are fixed by the formulas here and the
config, before the simulation runs.
"""

import numpy as np
from scipy import stats

from .density import StationaryDensity
from .ensemble import sgd_delta, step_factors

EPS = np.finfo(float).eps


def verdict(claim, statistic, value, tolerance, source, n, seed, passed, **details) -> dict:
    """A check's record: what was measured, against which tolerance (and why), on how many."""
    return {
        "claim": claim,
        "statistic": statistic,
        "value": float(value),
        "tolerance": float(tolerance),
        "tolerance_source": source,
        "n": int(n),
        "seed": seed,
        "passed": bool(passed),
        "details": details,
    }


def sgf_balance(run: dict, temperature: float, seed: int, n_sigma: float = 4.0) -> dict:
    """The SGF imbalance decays as ``exp(-4 T ∫ g(v) dt)`` (Thm 1, scalar two-layer model).

    ``run`` holds an SGF ensemble's checkpoints. Per run, ``r = -log(I_t / I_0) / (4 T ∫g dt)``
    at the last checkpoint where rounding of ``I = u^2 - w^2`` is negligible (``|I| > 1e-8
    |theta|^2`` in every run). Euler-Maruyama biases ``r`` upwards by the second-order terms
    it accumulates (``em_second_order``, divided by ``4 T ∫g``); the tolerance allows
    ``n_sigma`` standard errors of the mean plus twice that expected bias.
    """
    alive = ~run["diverged"]
    imb, norm2 = run["imbalance"][alive], run["norm2"][alive]
    resolved = np.all(np.abs(imb) > 1e-8 * norm2, axis=0)
    j = int(np.flatnonzero(resolved).max())
    predicted = 4.0 * temperature * run["g_integral"][alive, j]
    ratio = -np.log(imb[:, j] / imb[:, 0]) / predicted
    n = ratio.size
    se = ratio.std(ddof=1) / np.sqrt(n)
    bias = np.mean(run["em_second_order"][alive, j] / predicted)
    tolerance = n_sigma * se + 2.0 * bias
    value = abs(ratio.mean() - 1.0)
    return verdict(
        "Law of balance (SGF): d(u^2 - w^2)/dt = -4 T g(v) (u^2 - w^2)",
        "|mean over runs of log(I_0/I_t) / (4 T ∫g(v) dt) - 1|",
        value,
        tolerance,
        f"{n_sigma:g} standard errors of the mean ratio at n = {n} runs, plus twice the "
        "expected Euler-Maruyama bias (second-order terms accumulated along each run)",
        n,
        seed,
        value <= tolerance,
        time=float(run["checkpoint_time"][j]),
        mean_ratio=float(ratio.mean()),
        standard_error=float(se),
        expected_em_bias=float(bias),
        mean_log_decay=float(np.mean(predicted)),
        negative_control_rate_2Tg=float(abs(2.0 * ratio.mean() - 1.0)),
    )


def discrete_identity(
    x, y, etas, batch: int, n_states: int, rng: np.random.Generator, seed, max_ulps=8.0
) -> dict:
    """One SGD step on ``l = (u w x - y)^2`` maps ``u^2 - w^2`` to ``(1 - eta^2 G^2)(u^2 - w^2)``.

    Checked on the engine's own update at random states (magnitudes log-uniform over three
    decades, random signs), random minibatches and every ``eta`` given, including steps with
    ``eta |G| > sqrt(2)`` where the imbalance must grow. The error is measured in units of
    ``eps (u'^2 + w'^2 + (1 + Delta^2)(u^2 + w^2))``, the size of the rounding in either side.
    """
    x2, xy = x * x, x * y
    worst, n_grow, n_grow_ok, n_flip, n_flip_ok, total = 0.0, 0, 0, 0, 0, 0
    for eta in etas:
        signs = rng.choice([-1.0, 1.0], size=(n_states, 2))
        U = (signs * 10.0 ** rng.uniform(-1.5, 1.5, size=(n_states, 2)))[:, None, :]
        v = U[:, 0, 0] * U[:, 0, 1]
        delta = sgd_delta(v, x2, xy, rng.integers(0, x.size, size=(n_states, batch)), eta)
        U_next = step_factors(U, delta)
        before = U[:, 0, 0] ** 2 - U[:, 0, 1] ** 2
        after = U_next[:, 0, 0] ** 2 - U_next[:, 0, 1] ** 2
        predicted = (1.0 - delta**2) * before
        scale = EPS * ((U_next**2).sum(axis=(1, 2)) + (1 + delta**2) * (U**2).sum(axis=(1, 2)))
        worst = max(worst, float(np.max(np.abs(after - predicted) / scale)))
        grow = np.abs(delta) > np.sqrt(2.0) * (1 + 1e-9)
        flip = (np.abs(delta) > 1 + 1e-9) & (np.abs(delta) < np.sqrt(2.0) * (1 - 1e-9))
        n_grow += int(grow.sum())
        n_grow_ok += int((np.abs(after[grow]) > np.abs(before[grow])).sum())
        n_flip += int(flip.sum())
        n_flip_ok += int((np.sign(after[flip]) == -np.sign(before[flip])).sum())
        total += n_states
    passed = worst <= max_ulps and n_grow_ok == n_grow and n_flip_ok == n_flip
    return verdict(
        "Discrete SGD: u'^2 - w'^2 = (1 - eta^2 G^2)(u^2 - w^2) exactly",
        "max over states of |measured - predicted| in units of eps * (squared norms)",
        worst,
        max_ulps,
        f"{max_ulps:g} ulps: each side is a handful of rounded products of terms of the "
        "squared norms' size; any modelling error would be of order 1 in these units",
        total,
        seed,
        passed,
        etas=list(etas),
        batch=batch,
        states_eta_G_above_sqrt2=n_grow,
        of_which_imbalance_grew=n_grow_ok,
        states_eta_G_between_1_and_sqrt2=n_flip,
        of_which_sign_flipped=n_flip_ok,
    )


def density(
    run: dict, theory: StationaryDensity, step: float, seed, alpha: float, step_bias: float
) -> dict:
    """Final v of independent runs against the stationary density: Kolmogorov-Smirnov distance.

    The tolerance is the exact KS critical value at level ``alpha`` for the number of runs
    that did not diverge, plus an allowance ``step_bias * step`` for the first-order bias of a
    finite step (eta for SGD, dt for the SGF), fixed in the config with its reasons.
    """
    v = run["v_final"][~run["diverged"]]
    n = v.size
    result = stats.kstest(v, theory.cdf)
    critical = float(stats.kstwo.isf(alpha, n))
    tolerance = critical + step_bias * step
    return verdict(
        f"Stationary density of v (Thm 4.2), D = {theory.depth}, T = {theory.temperature:g}",
        "Kolmogorov-Smirnov distance between the final v of independent runs and the theory",
        result.statistic,
        tolerance,
        f"KS critical value {critical:.4f} at level {alpha:g} for n = {n} runs, plus "
        f"{step_bias:g} x step ({step:g}) for the finite-step bias",
        n,
        seed,
        result.statistic <= tolerance,
        p_value=float(result.pvalue),
        diverged=int(run["diverged"].sum()),
        simulated_mean=float(v.mean()),
        simulated_std=float(v.std(ddof=1)),
        theory_mean=theory.mean,
        theory_std=float(np.sqrt(theory.variance)),
    )


def summary_lines(records: dict) -> list[str]:
    """One line per check, failures first: name, verdict, value vs tolerance."""
    lines = []
    for name, r in sorted(records.items(), key=lambda kv: (kv[1]["passed"], kv[0])):
        verdict = "PASS" if r["passed"] else "FAIL"
        lines.append(
            f"{verdict}  {name}: {r['statistic']} = {r['value']:.4g} "
            f"(tolerance {r['tolerance']:.4g}, n = {r['n']})"
        )
    return lines


def gd_conservation(run: dict, eta: float, moments) -> dict:
    """Gradient descent keeps ``I = u^2 - w^2`` up to O(eta^2) per step (Thm 1 at T = 0).

    One GD step multiplies I by ``1 - eta^2 G^2`` (``G = 2 (beta1 v - beta2)``), so
    ``|log(I_T / I_0)| ≈ eta^2 Σ G^2``. With ``|grad L|^2 = G^2 |theta|^2`` and the descent lemma
    (``L_k - L_k+1 >= eta |grad L|^2 / 2`` while ``eta lambda_max <= 1``), that sum is at most
    ``2 eta (L_0 - L_T) / min |theta|^2``: the tolerance, per run, fixed by the run's own loss.
    The SGF (T > 0) instead moves I by ``4 T ∫ g dt``, orders of magnitude more.
    """
    m = moments
    alive = ~run["diverged"]
    imb, v, norm2 = run["imbalance"][alive], run["v"][alive], run["norm2"][alive]
    change = np.abs(np.log(imb[:, -1] / imb[:, 0]))
    loss = m.beta1 * v**2 - 2 * m.beta2 * v  # L up to a constant
    bound = 2 * eta * (loss[:, 0] - loss[:, -1]) / norm2.min(axis=1)
    worst = int(np.argmax(change / bound))
    return verdict(
        "Gradient descent (T = 0) conserves u^2 - w^2 up to O(eta^2) per step",
        "max over runs of |log(I_T / I_0)| / (2 eta (L_0 - L_T) / min |theta|^2)",
        change[worst] / bound[worst],
        1.0,
        "descent-lemma bound on eta^2 Σ G^2 from each run's own loss decrease (eta lambda_max "
        "<= 1 on these runs)",
        change.size,
        None,
        bool(np.all(change <= bound)),
        max_abs_log_change=float(change.max()),
        bound_of_worst_run=float(bound[worst]),
        sgf_change_at_same_time_would_be=float(
            4 * eta * np.median(m.g(v[:, -1])) * run["checkpoint_time"][-1]
        ),
    )


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

    The simulated rate is the slope of log|v| per run between the first checkpoint after burn-in
    and the last, averaged over runs whose |v| is already below ``below``. The Euler-Maruyama
    chain the engine runs has its own exact rate near 0: a balanced step multiplies v by
    ``(1 + 2 s beta2 h + sqrt(4 T alpha3 h) N)^2`` on each sub-step h, whose log-mean is computed
    here (with weight decay the factor is ``1 + 2 (s beta2 - gamma) h + ...``); the simulation is
    compared with it (``n_sigma`` standard errors), and its distance from
    the SGF rate, the scheme's bias, is reported.
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


def tail_index(samples, theory, asymptotic: float, tail_fraction, n_boot, seed, n_sigma=4.0):
    """Hill estimate of the tail index against its theory value at the same threshold.

    ``samples`` (runs, k) are stationary v; the threshold is their ``1 - tail_fraction``
    quantile. The bootstrap resamples whole runs (their samples are correlated).
    """
    from . import tails

    fit = tails.hill_bootstrap(samples, tail_fraction, n_boot, seed)
    expected = tails.theory_hill(theory, fit["threshold"])
    value = abs(fit["kappa"] - expected)
    tolerance = n_sigma * fit["std"]
    return verdict(
        f"Tail of the stationary density, D = {theory.depth}, T = {theory.temperature:g}",
        "|Hill tail index above the threshold - theory's index at that threshold|",
        value,
        tolerance,
        f"{n_sigma:g} bootstrap standard errors ({n_boot} resamples of {fit['n_runs']} runs, "
        f"{fit['n_tail']} samples above the threshold)",
        fit["n_tail"],
        seed,
        value <= tolerance,
        **fit,
        theory_at_threshold=expected,
        asymptotic_index=asymptotic,
    )


def _kde_mode(samples, grid, bandwidth):
    """The maximiser on ``grid`` of a Gaussian kernel density estimate."""
    z = (grid[:, None] - samples[None, :]) / bandwidth
    return grid[np.argmax(np.exp(-0.5 * z * z).sum(axis=1))]


def mode(run, params, theory, moments, n_boot: int, seed: int, n_sigma: float = 4.0) -> dict:
    """The most likely v (D = 1): the mode of the final v against the mode equation.

    A kernel estimate's mode is biased by its own smoothing, so it is compared with the mode of
    the theory density smoothed by the same kernel; the mode equation's root (the unsmoothed
    theory) and its distance from the minimum ``beta2 / beta1`` are reported beside it. The
    search is restricted to ``[r/2, 2r]`` around the root r, away from a divergence at 0.
    The tolerance is ``n_sigma`` bootstrap standard errors of the estimated mode.
    """
    from .phase import modes

    (root,) = modes(moments, params.temperature)
    v = run["v_final"][~run["diverged"]]
    n = v.size
    bandwidth = 0.9 * min(v.std(ddof=1), np.subtract(*np.quantile(v, [0.75, 0.25])) / 1.34)
    bandwidth *= n ** (-0.2)  # Silverman's rule
    grid = np.linspace(root / 2, 2 * root, 601)
    found = _kde_mode(v, grid, bandwidth)
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    boot = np.array([_kde_mode(rng.choice(v, n), grid, bandwidth) for _ in range(n_boot)])
    # The theory smoothed by the same kernel: cell masses from the CDF, on a fine grid.
    edges = np.linspace(min(v.min(), 0.0), v.max(), 20001)
    mass = np.diff(theory.cdf(edges))
    centres = 0.5 * (edges[1:] + edges[:-1])
    z = (grid[:, None] - centres[None, :]) / bandwidth
    smoothed = grid[np.argmax((np.exp(-0.5 * z * z) * mass).sum(axis=1))]
    se = boot.std(ddof=1)
    value = abs(found - smoothed)
    return verdict(
        f"Mode of v (D = 1, T = {params.temperature:g}): 7 T alpha1 v^2 + (beta1 - 10 T alpha2) v"
        " - (beta2 - 3 T alpha3) = 0",
        "|kernel-estimate mode of the final v - mode of the theory smoothed by the same kernel|",
        value,
        n_sigma * se,
        f"{n_sigma:g} bootstrap standard errors ({n_boot} resamples) of the estimated mode",
        n,
        seed,
        value <= n_sigma * se,
        simulated_mode=float(found),
        smoothed_theory_mode=float(smoothed),
        mode_equation_root=float(root),
        minimum_beta2_over_beta1=float(moments.beta2 / moments.beta1),
        minimum_excluded=bool(abs(found - moments.beta2 / moments.beta1) > n_sigma * se),
        bandwidth=float(bandwidth),
    )
