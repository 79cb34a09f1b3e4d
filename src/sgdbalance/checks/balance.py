"""Law of balance (Thm 1) and its exact discrete form: SGF decay, GD conservation, the
one-step identity of the scalar model, and the same on the 20-200-20 ReLU net."""

from dataclasses import replace

import numpy as np

from ..nets.relu import gradients, init_weights, make_data
from ..simulate.ensemble import sgd_delta, step_factors
from .record import EPS, verdict


def sgf_balance(run: dict, temperature: float, seed: int, n_sigma: float = 4.0) -> dict:
    """The SGF imbalance decays as ``exp(-4 T ∫ g(v) dt)`` (Thm 1, scalar two-layer model).

    ``run`` holds an SGF ensemble's checkpoints. Per run, ``r = -log(I_t / I_0) / (4 T ∫g dt)``
    at the last checkpoint where rounding of ``I = u^2 - w^2`` is negligible (``|I| > 1e-8
    |theta|^2`` in every run). Euler-Maruyama biases ``r`` upwards by the second-order terms
    it accumulates (``em_second_order``, divided by ``4 T ∫g``); the tolerance allows
    ``n_sigma`` standard errors of the mean plus twice that expected bias.

    Parameters
    ----------
    run : dict of ndarray
        An SGF ensemble of the D = 1 model (``simulate.simulate``): ``imbalance``,
        ``norm2``, ``g_integral``, ``em_second_order``, shape (runs, checkpoints).
    temperature : float
        T = eta / S, dimensionless.
    seed : int
        The ensemble's seed (recorded).
    n_sigma : float
        Standard errors of the mean the tolerance allows.

    Returns
    -------
    dict
        The verdict record (``record.verdict``).
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

    Parameters
    ----------
    x, y : ndarray, shape (n,)
        The training set.
    etas : sequence of float
        Learning rates.
    batch : int
        S, samples per minibatch.
    n_states : int
        Random states per learning rate.
    rng : numpy.random.Generator
        Source of the states and minibatches.
    seed : int
        The seed of ``rng`` (recorded).
    max_ulps : float
        Tolerance in units of the rounding scale above.

    Returns
    -------
    dict
        The verdict record (``record.verdict``).
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


def gd_conservation(run: dict, eta: float, moments) -> dict:
    """Gradient descent keeps ``I = u^2 - w^2`` up to O(eta^2) per step (Thm 1 at T = 0).

    One GD step multiplies I by ``1 - eta^2 G^2`` (``G = 2 (beta1 v - beta2)``), so
    ``|log(I_T / I_0)| ≈ eta^2 Σ G^2``. With ``|grad L|^2 = G^2 |theta|^2`` and the descent lemma
    (``L_k - L_k+1 >= eta |grad L|^2 / 2`` while ``eta lambda_max <= 1``), that sum is at most
    ``2 eta (L_0 - L_T) / min |theta|^2``: the tolerance, per run, fixed by the run's own loss.
    The SGF (T > 0) instead moves I by ``4 T ∫ g dt``, orders of magnitude more.

    Parameters
    ----------
    run : dict of ndarray
        A GD ensemble of the D = 1 model (``simulate.simulate``): ``imbalance``, ``v``,
        ``norm2``, shape (runs, checkpoints).
    eta : float
        Learning rate.
    moments : Moments
        Moments of the training set.

    Returns
    -------
    dict
        The verdict record (``record.verdict``).
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


def relu_identity(params, n_states: int, seed: int, max_ulps: float = 8.0) -> dict:
    """The law of balance for a whole-matrix rescaling, one discrete step at a time (derived).

    For ``f = W2 relu(W1 x)`` every minibatch gradient satisfies ``<W1, G1> = <W2, G2>``, so an
    SGD step changes ``|W1|^2 - |W2|^2`` by exactly ``eta^2 (|G1|^2 - |G2|^2)``: the discrete
    form of ``d/dt (|W1|^2 - |W2|^2) = T (N1 - N2)`` for matrices of different shapes. Checked
    on ``n_states`` random weight pairs (scales 0.1 to 10 apart) and minibatches of the
    network's training set; the error is in units of ``eps (|W1|^2 + |W2|^2)``.

    Parameters
    ----------
    params : ReluParams
        The network and its training set.
    n_states : int
        Random weight pairs and minibatches.
    seed : int
        Seed of the states.
    max_ulps : float
        Tolerance in units of ``eps (|W1|^2 + |W2|^2)``.

    Returns
    -------
    dict
        The verdict record (``record.verdict``).
    """

    root = np.random.SeedSequence(seed)
    data_rng, state_rng = (np.random.default_rng(s) for s in root.spawn(2))
    x, y = make_data(params, data_rng)
    worst, resolved = 0.0, np.inf
    for _ in range(n_states):
        a1, a2 = 10.0 ** state_rng.uniform(-1, 1, size=2)
        w1, w2 = init_weights(replace(params, init_scales=(a1, a2)), state_rng)
        idx = state_rng.integers(params.n, size=params.batch)
        g1, g2, _ = gradients(w1, w2, x[idx], y[idx])
        n1, n2 = w1 - params.eta * g1, w2 - params.eta * g2
        change = (np.sum(n1 * n1) - np.sum(n2 * n2)) - (np.sum(w1 * w1) - np.sum(w2 * w2))
        predicted = params.eta**2 * (np.sum(g1 * g1) - np.sum(g2 * g2))
        scale = EPS * (np.sum(w1 * w1) + np.sum(w2 * w2) + np.sum(n1 * n1) + np.sum(n2 * n2))
        worst = max(worst, abs(change - predicted) / scale)
        resolved = min(resolved, abs(predicted) / scale)
    return verdict(
        f"ReLU net {params.d_in}-{params.width}-{params.d_out}: one SGD step changes "
        "|W1|^2 - |W2|^2 by eta^2 (|G1|^2 - |G2|^2)",
        "max over states of |measured - predicted change| in units of eps * (squared norms)",
        worst,
        max_ulps,
        f"rounding of sums of {params.width * params.d_in} squares: the computed difference of "
        "two squared norms carries a few eps times their size; a wrong law misses by O(1)",
        n_states,
        seed,
        worst <= max_ulps,
        smallest_predicted_change_in_the_same_units=float(resolved),
    )


def relu_noise_balance(stats: dict, params, n_sigma: float = 4.0, late: float = 0.5) -> dict:
    """SGD on the ReLU net reaches its discrete noise balance ``E|G1|^2 = E|G2|^2``, i.e.
    ``N1 + S |grad_1 L|^2 = N2 + S |grad_2 L|^2`` (derived; ``N1 = N2`` in the SGF limit).

    Averaged per run over the checkpoints after ``late`` of the steps; the tolerance is
    ``n_sigma`` standard errors of the mean over runs, from the spread of the run averages.

    Parameters
    ----------
    stats : dict of ndarray
        ``nets.relu.train`` statistics of SGD: noise traces and gradient norms per layer,
        shape (runs, checkpoints).
    params : ReluParams
        The training that produced them.
    n_sigma : float
        Standard errors of the mean the tolerance allows.
    late : float
        Fraction of the steps after which checkpoints are averaged.

    Returns
    -------
    dict
        The verdict record (``record.verdict``).
    """

    steps = stats["checkpoint_steps"]
    keep = steps >= late * steps[-1]
    s = params.batch
    num = stats["n1"][:, keep] + s * stats["grad1_sq"][:, keep]
    den = stats["n2"][:, keep] + s * stats["grad2_sq"][:, keep]
    per_run = np.mean(num / den, axis=1)
    n = per_run.size
    se = per_run.std(ddof=1) / np.sqrt(n) if n > 1 else np.inf
    value = abs(per_run.mean() - 1)
    return verdict(
        f"ReLU net {params.d_in}-{params.width}-{params.d_out}: SGD balances the gradient noise "
        "of its two layers",
        "|mean over runs of (N1 + S|grad_1 L|^2) / (N2 + S|grad_2 L|^2) after half the steps - 1|",
        value,
        n_sigma * se,
        f"{n_sigma:g} standard errors of the mean over {n} runs",
        n,
        params.seed,
        value <= n_sigma * se,
        start_ratio_n1_over_n2=float(np.median(stats["n1"][:, 0] / stats["n2"][:, 0])),
        late_ratio_n1_over_n2=float(np.mean(stats["n1"][:, keep] / stats["n2"][:, keep])),
        sgf_balance_n1_equals_n2_excluded=bool(
            abs(np.mean(stats["n1"][:, keep] / stats["n2"][:, keep]) - 1) > n_sigma * se
        ),
    )
