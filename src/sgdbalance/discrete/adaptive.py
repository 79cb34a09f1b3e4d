"""Adam and RMSProp on the scalar two-layer model ``l = (u w x - y)^2``, in numpy: what they do
to the imbalance (a measurement beyond the paper, not a theorem check).

Both keep the model's rescaling symmetry but divide each coordinate by its own running scale.
With ``g_u = G w`` and ``g_w = G u`` (G the minibatch mean of ``dl/dv``), a running scale that
tracks the current factors, ``sqrt(E[g_u^2]) ~ |w| sqrt(E G^2)``, makes the two steps equal in
size: ``du ~ -eta sign(w) G / sqrt(E G^2)`` and ``dw ~ -eta sign(u) G / sqrt(E G^2)``. So for
same-sign factors ``|u| - |w|`` moves only through the lag of the running averages, while
``u^2 - w^2 = (|u| - |w|)(|u| + |w|)`` follows ``|u| + |w|``: it neither decays like SGD's nor is
it conserved like GD's. ``adaptive_ensemble`` measures both.

**Stationary v (derived).** Once the running scales track the factors, ``s = |u| + |w|`` moves
by ``-2 eta G / R`` per step (``R = sqrt(E G^2)``, the running scale of G), while ``d = |u| -
|w|`` stays: v = (s^2 - d^2) / 4 follows an SGD in s whose noise is normalised by R. Linearised
at ``v* = beta2 / beta1`` (``s* = sqrt(4 v* + d^2)``, ``L'(v) = beta1 s* (s - s*)``, ``R ~
sigma = sqrt(4 g(v*) / S)``), ``Var[s] = eta sigma / (beta1 s*)``, so ``Var[v] = eta sigma s*
/ (4 beta1)`` (``adam_variance``): proportional to eta / sqrt(S), not to T = eta / S, and set
by the start through d, the memory Adam keeps where SGD balances it away.
"""

from dataclasses import dataclass

import numpy as np

OPTIMISERS = ("adam", "rmsprop", "sgd")


@dataclass(frozen=True)
class AdaptiveParams:
    """One ensemble of runs of Adam, RMSProp or plain SGD on the two-layer model.

    Parameters
    ----------
    optimiser : {"adam", "rmsprop", "sgd"}
        Adam (Kingma & Ba, with bias correction), RMSProp (no momentum), or plain SGD.
    eta : float
        Learning rate, > 0.
    batch : int
        S, samples per minibatch, drawn with replacement.
    steps : int
        Steps per run.
    n_runs : int
        Independent runs.
    seed : int
        Root of the runs' ``SeedSequence``.
    init : tuple of float
        ``(u, w)`` at the start.
    beta1, beta2 : float
        Adam's decay rates of the first and second moments (``beta2`` is RMSProp's rho).
    eps : float
        Added to the root of the running second moment.
    n_checkpoints : int
        Log-spaced steps at which the state is kept.
    """

    optimiser: str
    eta: float
    batch: int
    steps: int
    n_runs: int
    seed: int
    init: tuple = (2.0, 0.1)
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    n_checkpoints: int = 60

    def __post_init__(self):
        if self.optimiser not in OPTIMISERS:
            raise ValueError(f"optimiser must be one of {OPTIMISERS}, got {self.optimiser!r}")
        if not self.eta > 0 or self.batch < 1 or self.steps < 1 or self.n_runs < 1:
            raise ValueError("need eta > 0 and batch, steps, n_runs >= 1")
        if not (0 <= self.beta1 < 1 and 0 <= self.beta2 < 1 and self.eps > 0):
            raise ValueError(f"need beta1, beta2 in [0, 1) and eps > 0, got {self!r}")


def adaptive_ensemble(x, y, params: AdaptiveParams) -> dict:
    """Run the ensemble; keep ``u``, ``w`` and v at log-spaced checkpoints.

    Parameters
    ----------
    x, y : ndarray, shape (n,)
        The training set.
    params : AdaptiveParams
        Optimiser, step, duration.

    Returns
    -------
    dict of ndarray
        ``checkpoint_steps`` (K,), ``u``, ``w`` (runs, K): the factors there (``v = u w``,
        the imbalance ``u^2 - w^2``, the difference of magnitudes ``|u| - |w|``);
        ``v_tail`` (runs, 10): v at 10 evenly spaced steps of the last fifth, for the
        stationary law.
    """
    p = params
    rng = np.random.default_rng(np.random.SeedSequence(p.seed))
    x2, xy = np.asarray(x) ** 2, np.asarray(x) * np.asarray(y)
    theta = np.tile(np.asarray(p.init, dtype=float), (p.n_runs, 1))  # (runs, 2): u, w
    first = np.zeros_like(theta)
    second = np.zeros_like(theta)
    ck = np.unique(np.geomspace(1, p.steps, p.n_checkpoints).round().astype(int))
    ck = np.concatenate([[0], ck])
    tail = np.linspace(0.8 * p.steps, p.steps, 10).round().astype(int)
    out_u, out_w = np.zeros((p.n_runs, ck.size)), np.zeros((p.n_runs, ck.size))
    out_u[:, 0], out_w[:, 0] = theta[:, 0], theta[:, 1]
    v_tail = np.zeros((p.n_runs, tail.size))
    k, kt = 1, 0
    for step in range(1, p.steps + 1):
        idx = rng.integers(0, x2.size, size=(p.n_runs, p.batch))
        v = theta[:, 0] * theta[:, 1]
        G = 2.0 * (v * x2[idx].mean(axis=1) - xy[idx].mean(axis=1))
        grad = G[:, None] * theta[:, ::-1]  # (G w, G u)
        if p.optimiser == "sgd":
            theta -= p.eta * grad
        elif p.optimiser == "rmsprop":
            second = p.beta2 * second + (1 - p.beta2) * grad * grad
            theta -= p.eta * grad / (np.sqrt(second) + p.eps)
        else:
            first = p.beta1 * first + (1 - p.beta1) * grad
            second = p.beta2 * second + (1 - p.beta2) * grad * grad
            m_hat = first / (1 - p.beta1**step)
            s_hat = second / (1 - p.beta2**step)
            theta -= p.eta * m_hat / (np.sqrt(s_hat) + p.eps)
        if k < ck.size and ck[k] == step:
            out_u[:, k], out_w[:, k] = theta[:, 0], theta[:, 1]
            k += 1
        if kt < tail.size and tail[kt] == step:
            v_tail[:, kt] = theta[:, 0] * theta[:, 1]
            kt += 1
    return {"checkpoint_steps": ck, "u": out_u, "w": out_w, "v_tail": v_tail}


def balance_summary(stats: dict) -> dict:
    """What an ensemble did to the two candidate invariants: relative change from the start.

    Parameters
    ----------
    stats : dict of ndarray
        ``adaptive_ensemble`` output.

    Returns
    -------
    dict of float
        ``imbalance_ratio``: median over runs of ``(u^2 - w^2)_end / (u^2 - w^2)_0``;
        ``magnitude_gap_ratio``: the same for ``|u| - |w|``; ``v_mean``, ``v_std`` of the
        stationary samples.
    """
    u, w = stats["u"], stats["w"]
    imb = u * u - w * w
    gap = np.abs(u) - np.abs(w)
    return {
        "imbalance_ratio": float(np.median(imb[:, -1] / imb[:, 0])),
        "magnitude_gap_ratio": float(np.median(gap[:, -1] / gap[:, 0])),
        "v_mean": float(stats["v_tail"].mean()),
        "v_std": float(stats["v_tail"].std(ddof=1)),
    }


def adam_variance(moments, eta: float, batch: int, magnitude_gap):
    """Stationary Var[v] of Adam or RMSProp on the two-layer model, to leading order in eta.

    ``Var[v] = eta sigma s* / (4 beta1)`` with ``sigma = sqrt(4 g(v*) / S)`` and ``s* =
    sqrt(4 v* + d^2)`` (module docstring), for a run whose conserved ``|u| - |w|`` is d.

    Parameters
    ----------
    moments : Moments
        Moments of the training set.
    eta : float
        Learning rate.
    batch : int
        S, samples per minibatch.
    magnitude_gap : float or ndarray
        ``d = |u| - |w|``, per run.

    Returns
    -------
    float or ndarray
        Var[v] in units of v^2, per run.

    Examples
    --------
    >>> from sgdbalance.theory import Moments
    >>> m = Moments.population(k=0.5, sigma=0.5)  # v* = 0.5, g(v*) = 0.25: sigma = 1
    >>> round(float(adam_variance(m, 0.005, 1, 0.0)), 6)  # balanced: s* = 2 sqrt(v*)
    0.001768
    """
    m = moments
    v_star = m.beta2 / m.beta1
    sigma = np.sqrt(4.0 * m.g(v_star) / batch)
    s_star = np.sqrt(4.0 * abs(v_star) + np.asarray(magnitude_gap) ** 2)
    return eta * sigma * s_star / (4.0 * m.beta1)
