"""Fully connected tanh networks trained by SGD at several depths: the scaling law (Fig. 5 right).

The network of depth D (hidden layers) and width d maps ``x`` (p inputs) to ten outputs:
``h_0 = x``, ``h_k = tanh(h_{k-1} W_k + b_k)`` for k = 1..D, ``f = h_D W_{D+1} + b_{D+1}``.
The per-sample loss is the paper's ``l = |f(x) - y|^2`` with one-hot ``y`` (no factor 1/2), and
SGD moves every parameter by ``-eta`` times the mean of ``grad l`` over S samples drawn with
replacement.

The two learning-rate schedules compared at each depth, and every other parameter, are in
``mlp_params.ScalingParams``.

Every (schedule, depth, run) draws its initial weights and minibatches from its own child of
``SeedSequence(seed)``, keyed by the schedule's index, the depth's value and the run's index,
so a depth trained alone, or the depths in another order, give the same bits.
"""

from collections.abc import Callable

import numpy as np

from .._shares import join_shares
from .mlp_params import SCHEDULES, ScalingParams

REPORT_EVERY = 500  # steps between progress reports


def init_layers(sizes, scheme: str, gain: float, rng: np.random.Generator) -> tuple[list, list]:
    """Weights ``W_k``, shape (sizes[k-1], sizes[k]), and biases ``b_k`` of one network.

    ``lecun``: ``W ~ N(0, gain^2 / fan_in)``, ``b = 0``; ``xavier``: ``N(0, 2 gain^2 / (fan_in +
    fan_out))``, ``b = 0``; ``pytorch``: ``torch.nn.Linear``'s default, ``W`` and ``b`` uniform
    on ``+-gain / sqrt(fan_in)`` (weight variance ``gain^2 / (3 fan_in)``).
    """
    weights, biases = [], []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        if scheme == "pytorch":
            bound = gain / np.sqrt(fan_in)
            weights.append(rng.uniform(-bound, bound, size=(fan_in, fan_out)))
            biases.append(rng.uniform(-bound, bound, size=fan_out))
            continue
        var = 1.0 / fan_in if scheme == "lecun" else 2.0 / (fan_in + fan_out)
        weights.append(rng.normal(0.0, gain * np.sqrt(var), size=(fan_in, fan_out)))
        biases.append(np.zeros(fan_out))
    return weights, biases


def forward(weights, biases, X) -> list:
    """``[h_0, ..., h_D, f]``; works on a stack of networks.

    Parameters
    ----------
    weights, biases : list of ndarray
        ``W_k`` shape (..., fan_in, fan_out), ``b_k`` shape (..., fan_out); the leading axes,
        if any, index networks (runs) trained side by side.
    X : ndarray, shape (..., n, p)
        Inputs; without leading axes one batch is fed to every network.
    """
    h = [X]
    for k, (W, b) in enumerate(zip(weights, biases, strict=True)):
        a = h[-1] @ W + b[..., None, :]
        h.append(a if k == len(weights) - 1 else np.tanh(a))
    return h


def loss_and_grads(weights, biases, X, Y) -> tuple:
    """Mean over the samples of ``l = |f(x) - y|^2`` and its gradients.

    Returns
    -------
    loss : ndarray, shape (...)
        One value per network.
    grad_W, grad_b : list of ndarray
        Shaped like ``weights``, ``biases``.
    """
    h = forward(weights, biases, X)
    residual = h[-1] - Y
    loss = (residual**2).sum(axis=-1).mean(axis=-1)
    delta = 2.0 * residual / X.shape[-2]  # d(mean l)/df
    grad_W, grad_b = [None] * len(weights), [None] * len(weights)
    for k in range(len(weights) - 1, -1, -1):
        grad_W[k] = np.swapaxes(h[k], -1, -2) @ delta
        grad_b[k] = delta.sum(axis=-2)
        if k:
            delta = (delta @ np.swapaxes(weights[k], -1, -2)) * (1.0 - h[k] ** 2)
    return loss, grad_W, grad_b


def run_rng(seed: int, schedule: str, depth: int, run: int) -> np.random.Generator:
    """The stream of one run: child ``(schedule index, D, run)`` of ``SeedSequence(seed)``."""
    key = (SCHEDULES.index(schedule), depth, run)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def eval_steps(params: ScalingParams) -> tuple[np.ndarray, np.ndarray]:
    """Checkpoints (step 0 and log-spaced steps to the end) and tail sample steps."""
    ck = np.geomspace(1, params.steps, params.n_checkpoints).round().astype(np.int64)
    first_tail = params.steps - int(params.tail_fraction * params.steps)
    tail = np.linspace(first_tail, params.steps, params.n_tail).round().astype(np.int64)
    return np.unique(np.concatenate([[0], ck])), np.unique(tail)


def probe_indices(n: int, n_probe: int) -> np.ndarray:
    """Evenly spaced training samples to evaluate on: fixed, so needing no randomness."""
    if n_probe == 0 or n_probe >= n:
        return np.arange(n)
    return np.linspace(0, n - 1, n_probe).round().astype(np.int64)


def train_depth(params: ScalingParams, X, Y, schedule: str, depth: int, progress=None,
                runs: range | None = None) -> dict:  # fmt: skip
    """Train the networks of one (schedule, depth) side by side: ``runs`` of ``range(n_runs)``
    (all by default). Each run has its own stream (``run_rng``) and the runs never mix, so a
    run's numbers do not depend on which others train with it.

    Returns
    -------
    dict of ndarray
        ``loss``, ``accuracy`` (runs, K): on the probe samples at the checkpoints, nan after
        divergence; ``layer_norm2`` (runs, K, D + 1): ``|W_k|^2``; ``output_var`` (runs,):
        variance over the tail samples of ``f`` on the probe samples, averaged over samples and
        outputs; ``tail_loss`` (runs,): mean loss over the tail samples; ``diverged_step``
        (runs,): the step whose minibatch loss exceeded ``diverge_at``, -1 if none.
    """
    p = params
    n, n_in = X.shape
    sizes = [n_in] + [p.width] * depth + [Y.shape[1]]
    eta = p.eta(schedule, depth)
    runs = range(p.n_runs) if runs is None else runs
    n_runs = len(runs)
    layers, indices = [], []
    for run in runs:
        rng = run_rng(p.seed, schedule, depth, run)
        layers.append(init_layers(sizes, p.init, p.init_gain, rng))
        indices.append(rng.integers(0, n, size=(p.steps, p.batch)))
    W = [np.stack([w[k] for w, _ in layers]) for k in range(depth + 1)]
    b = [np.stack([c[k] for _, c in layers]) for k in range(depth + 1)]
    indices = np.stack(indices, axis=1)  # (steps, runs, S)
    probe = probe_indices(n, p.n_probe)
    Xp, labels = X[probe], Y[probe].argmax(axis=1)
    ck, tail = eval_steps(p)
    ck_set, tail_set = set(ck.tolist()), set(tail.tolist())
    out = {
        "loss": np.full((n_runs, ck.size), np.nan),
        "accuracy": np.full((n_runs, ck.size), np.nan),
        "layer_norm2": np.full((n_runs, ck.size, depth + 1), np.nan),
        "diverged_step": np.full(n_runs, -1, dtype=np.int64),
    }
    alive = np.ones(n_runs, dtype=bool)
    f_shift, f_sum, f_sum2 = None, 0.0, 0.0
    tail_loss_sum, m = 0.0, 0
    for step in range(p.steps + 1):
        if step in ck_set or step in tail_set:
            with np.errstate(over="ignore", invalid="ignore"):  # stopped runs may be huge
                f = forward(W, b, Xp)[-1]
                loss = np.where(alive, ((f - Y[probe]) ** 2).sum(axis=-1).mean(axis=-1), np.nan)
        if step in ck_set:
            i = np.searchsorted(ck, step)
            out["loss"][:, i] = loss
            out["accuracy"][:, i] = np.where(alive, (f.argmax(axis=-1) == labels).mean(-1), np.nan)
            out["layer_norm2"][alive, i] = np.stack([(w**2).sum(axis=(1, 2)) for w in W], 1)[alive]
        if step in tail_set:
            f_shift = f if f_shift is None else f_shift  # shift for a stable variance
            f_sum = f_sum + (f - f_shift)
            f_sum2 = f_sum2 + (f - f_shift) ** 2
            tail_loss_sum, m = tail_loss_sum + loss, m + 1
        if step == p.steps or not alive.any():
            break
        idx = indices[step]
        with np.errstate(over="ignore", invalid="ignore"):  # diverging runs are caught below
            batch_loss, gW, gb = loss_and_grads(W, b, X[idx], Y[idx])
        bad = alive & ~(batch_loss <= p.diverge_at)
        out["diverged_step"][bad] = step
        alive &= ~bad
        live = np.flatnonzero(alive)  # a diverged run keeps its last weights and stops
        for k in range(depth + 1):
            W[k][live] -= eta * gW[k][live]
            b[k][live] -= eta * gb[k][live]
        if progress is not None and (step + 1) % REPORT_EVERY == 0:
            progress(step + 1)
    out["output_var"] = np.full(n_runs, np.nan)
    out["tail_loss"] = np.full(n_runs, np.nan)
    if alive.any():  # else training stopped before the tail
        var = (f_sum2 / m - (f_sum / m) ** 2).mean(axis=(-1, -2))
        out["output_var"] = np.where(alive, var, np.nan)
        # A running sum, as np.mean over a (samples, runs) array sums for runs > 1: its
        # pairwise sum for one run would make a run's bits depend on the runs beside it.
        out["tail_loss"] = tail_loss_sum / m
    return out


def train_scaling(
    params: ScalingParams,
    X,
    Y,
    progress: Callable[[int, int], None] | None = None,
    *,
    runs: range | None = None,
) -> dict[str, np.ndarray]:
    """Train every (schedule, depth, run) and gather the statistics of the scaling-law figure.

    ``runs`` (a range of ``range(n_runs)``, all by default) trains a share of the runs, for
    one job of several; ``merge`` joins the shares, with the same bits as one job.

    Parameters
    ----------
    X : ndarray, shape (n, p)
        Inputs (standardised pixels).
    Y : ndarray, shape (n, 10)
        One-hot targets.
    progress : callable, optional
        Called as ``progress(done, total)``, in SGD steps summed over schedules and depths.

    Returns
    -------
    dict of ndarray, numbers only (for ``np.savez`` without pickle); axes are
    (schedule, depth, run, checkpoint) in the order of SCHEDULES and ``params.depths``.
        ``depths`` (nD,); ``eta``, ``temperature`` (2, nD); ``checkpoint_steps`` (K,);
        ``loss``, ``accuracy`` (2, nD, runs, K); ``layer_norm2`` (2, nD, runs, K, max D + 1),
        nan-padded beyond D + 1 layers; ``output_var``, ``tail_loss``, ``diverged_step``
        (2, nD, runs); ``final_loss`` (2, nD, runs): the loss at the last checkpoint;
        ``n_train``, ``n_features``, ``n_probe``: sizes of the data; ``first_run``.
    """
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[0] != Y.shape[0]:
        raise ValueError(f"need X (n, p) and Y (n, classes), got {X.shape} and {Y.shape}")
    p = params
    runs = range(p.n_runs) if runs is None else runs
    total = len(SCHEDULES) * len(p.depths) * p.steps
    results = {}
    for s, schedule in enumerate(SCHEDULES):
        for j, depth in enumerate(p.depths):
            done = (s * len(p.depths) + j) * p.steps

            def report(step, done=done):
                if progress is not None:
                    progress(done + step, total)

            results[schedule, depth] = train_depth(p, X, Y, schedule, depth, report, runs)
            report(p.steps)
    ck, _ = eval_steps(p)
    max_layers = max(p.depths) + 1
    shape = (len(SCHEDULES), len(p.depths), len(runs))
    out = {
        "first_run": np.int64(runs.start),
        "depths": np.array(p.depths, dtype=np.int64),
        "eta": np.array([[p.eta(s, D) for D in p.depths] for s in SCHEDULES]),
        "temperature": np.array([[p.temperature(s, D) for D in p.depths] for s in SCHEDULES]),
        "checkpoint_steps": ck,
        "layer_norm2": np.full(shape + (ck.size, max_layers), np.nan),
        "n_train": np.int64(X.shape[0]),
        "n_features": np.int64(X.shape[1]),
        "n_probe": np.int64(probe_indices(X.shape[0], p.n_probe).size),
    }
    for key in ("loss", "accuracy", "output_var", "tail_loss", "diverged_step"):
        out[key] = np.stack([np.stack([results[s, D][key] for D in p.depths]) for s in SCHEDULES])
    for (schedule, depth), res in results.items():
        s, j = SCHEDULES.index(schedule), p.depths.index(depth)
        out["layer_norm2"][s, j, :, :, : depth + 1] = res["layer_norm2"]
    out["final_loss"] = out["loss"][..., -1]
    return out


# keys with a run axis (axis 2: schedule, depth, run, ...), joined by merge
PER_RUN = ("loss", "accuracy", "layer_norm2", "output_var", "tail_loss", "diverged_step",
           "final_loss")  # fmt: skip


def merge(parts: list[dict]) -> dict:
    """Join ``train_scaling`` results of disjoint, adjacent run ranges into one, in run order."""
    return join_shares(parts, PER_RUN, axis=2)
