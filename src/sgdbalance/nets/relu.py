"""Noise balance in a two-layer ReLU network (paper Fig. 2), trained by SGD or GD in numpy.

The network ``f(x) = W2 relu(W1 x)`` has ``W1`` (width, d_in), ``W2`` (d_out, width) and no
biases, so ``W1 -> lambda W1``, ``W2 -> W2 / lambda`` (lambda > 0) leaves ``f`` unchanged:
``relu`` is positively homogeneous. Data ``x ~ N(0, I)``, ``y = x + label_noise * eps`` with
``eps ~ N(0, I)``, a training set of ``n`` samples drawn once. Per-sample loss
``l = |f(x) - y|^2`` (no 1/2) and SGD ``theta <- theta - eta * mean_B grad l`` over ``S``
samples drawn with replacement; ``T = eta / S`` (PAPER.md section 0).

Law of balance for the whole-matrix rescaling. Differentiating ``l(lambda W1, W2 / lambda)``
at ``lambda = 1`` gives, for every sample, ``<W1, dl/dW1> = <W2, dl/dW2>``. Under the SGF
``d theta = -grad L dt + sqrt(T Sigma) dW``, Ito's formula for ``D = |W1|_F^2 - |W2|_F^2`` gives
``dD = 2 <(W1, -W2), d theta> + T (tr Sigma_11 - tr Sigma_22) dt``. The drift part vanishes by
the identity averaged over the data, and the noise part too, since ``(W1, -W2)^T Sigma (W1, -W2)
= Var[<W1, dl/dW1> - <W2, dl/dW2>] = 0``. What is left is

    dD/dt = T (N1 - N2),    N_k = sum over entries of Var_x[dl/dW_k]  (centred, training set).

A layer with more gradient noise grows. Here ``N2 ~ |W1|^2`` and ``N1 ~ |W2|^2`` (each layer's
noise is carried by the other layer's scale), so a larger first layer feeds the second one: the
fixed point ``N1 = N2`` (noise balance) is stable. For the scalar model it reduces to PAPER.md
section 1 (``N_u = w^T C_w w``, ``N_w = u^T C_u u``).

Discrete steps keep it exact: the update ``G`` (a minibatch mean of per-sample gradients) also
satisfies ``<W1, G1> = <W2, G2>``, hence per step ``D' - D = eta^2 (|G1|^2 - |G2|^2)``. For GD
this is ``eta^2 (|grad_1 L|^2 - |grad_2 L|^2)``, O(eta^2); for SGD its mean over minibatches is
``eta T (N1 - N2) + eta^2 (|grad_1 L|^2 - |grad_2 L|^2)``, the SGF drift per step plus the
GD term. Discrete SGD therefore balances ``E|G1|^2 = E|G2|^2``, i.e.
``N1 + S |grad_1 L|^2 = N2 + S |grad_2 L|^2``: noise balance up to the mean-gradient terms,
small while the minibatch noise ``N_k / S`` dominates ``|grad_k L|^2`` (for Fig. 2's data
``S |grad_2 L|^2`` was measured at about 2 % of ``N2`` with S = 1 and 8 % with S = 4).

Per-sample gradients are never stored: with ``r = f - y``, ``h = relu(W1 x)``,
``delta = (2 W2^T r) * 1[W1 x > 0]``, ``dl/dW2 = 2 r h^T`` and ``dl/dW1 = delta x^T`` are outer
products, so their squared norms are ``4 |r|^2 |h|^2`` and ``|delta|^2 |x|^2``, and
``N_k = mean |g_k|^2 - |mean g_k|^2``.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

METHODS = ("sgd", "gd")
SPACINGS = ("log", "linear")
SGD_BLOCK = 1000  # SGD steps whose minibatch indices are drawn in one call (fixed: same bits)


@dataclass(frozen=True)
class ReluParams:
    """One training experiment: network, data, optimiser, duration, what to record.

    Parameters
    ----------
    method : str
        one of METHODS: sgd (minibatch SGD) or gd (full batch).
    d_in : int
        input dimension.
    width : int
        hidden ReLU units.
    d_out : int
        output dimension.
    n : int
        training samples, drawn once from the seed.
    label_noise : float
        standard deviation of each entry of eps.
    eta : float
        learning rate (S = 1 diverges at 0.01 from the default start).
    batch : int
        S, samples per minibatch (with replacement); ignored by gd.
    steps : int
        SGD steps per run.
    n_runs : int
        independent SGD runs from the same data and initial weights.
    seed : int
        root of the SeedSequence of data, initial weights and minibatches.
    init_scales : tuple
        ``(a1, a2)``: entries of ``W_k ~ a_k N(0, 1) / sqrt(fan_in_k)``.
    n_checkpoints : int
        recording steps besides step 0.
    spacing : str
        of the checkpoints: log or linear (one of SPACINGS).
    """

    method: str = "sgd"  # one of METHODS
    d_in: int = 20
    width: int = 200
    d_out: int = 20
    n: int = 1000  # training samples, drawn once from the seed
    label_noise: float = 1.0  # standard deviation of each entry of eps
    eta: float = 0.005  # learning rate (S = 1 diverges at 0.01 from the default start)
    batch: int = 1  # S, samples per minibatch (with replacement); ignored by gd
    steps: int = 20_000
    n_runs: int = 1  # independent SGD runs from the same data and initial weights
    seed: int = 0  # root of the SeedSequence
    init_scales: tuple = (1.0, 0.1)  # (a1, a2): W_k entries ~ a_k N(0, 1) / sqrt(fan_in_k)
    n_checkpoints: int = 60  # recording steps, besides step 0
    spacing: str = "log"  # of the checkpoints, one of SPACINGS

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        for name in ("d_in", "width", "d_out", "batch", "steps", "n_runs", "n_checkpoints"):
            if not getattr(self, name) >= 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)!r}")
        if self.d_out != self.d_in:
            raise ValueError(f"d_out must equal d_in = {self.d_in} (y = x + eps), got {self.d_out}")
        if not self.n >= 2:
            raise ValueError(f"n must be >= 2 (a variance needs two samples), got {self.n!r}")
        if not self.label_noise >= 0:
            raise ValueError(f"label_noise must be >= 0, got {self.label_noise!r}")
        if not 0 < self.eta < 1:
            raise ValueError(f"eta must be in (0, 1), got {self.eta!r}")
        if self.method == "gd" and self.n_runs != 1:
            raise ValueError(f"n_runs must be 1 for method 'gd' (deterministic), got {self.n_runs}")
        if len(self.init_scales) != 2 or not all(s > 0 for s in self.init_scales):
            raise ValueError(f"init_scales must be two floats > 0, got {self.init_scales!r}")
        if self.spacing not in SPACINGS:
            raise ValueError(f"spacing must be one of {SPACINGS}, got {self.spacing!r}")

    @property
    def temperature(self) -> float:
        """T = eta / S for SGD; 0 for GD."""
        return self.eta / self.batch if self.method == "sgd" else 0.0


def make_data(params: ReluParams, rng: np.random.Generator):
    """Training set ``x ~ N(0, I)``, ``y = x + label_noise * eps``, ``eps ~ N(0, I)``.

    Returns
    -------
    x : ndarray, shape (n, d_in)
    y : ndarray, shape (n, d_out)
    """
    x = rng.standard_normal((params.n, params.d_in))
    return x, x + params.label_noise * rng.standard_normal((params.n, params.d_out))


def init_weights(params: ReluParams, rng: np.random.Generator):
    """``W1`` (width, d_in), ``W2`` (d_out, width), entries ``a_k N(0, 1) / sqrt(fan_in)``.

    Expected squared norms ``a1^2 width`` and ``a2^2 d_out``: unequal scales start unbalanced.
    """
    a1, a2 = params.init_scales
    w1 = a1 * rng.standard_normal((params.width, params.d_in)) / np.sqrt(params.d_in)
    w2 = a2 * rng.standard_normal((params.d_out, params.width)) / np.sqrt(params.width)
    return w1, w2


def forward(w1, w2, x):
    """Pre-activations ``z = W1 x`` and outputs ``f = W2 relu(z)``.

    ``w1`` (..., width, d_in), ``w2`` (..., d_out, width), ``x`` (..., m, d_in), with leading
    axes broadcast (e.g. runs). Returns ``z`` (..., m, width), ``h`` = relu(z), ``f`` (..., m,
    d_out).
    """
    z = x @ np.swapaxes(w1, -1, -2)
    h = np.maximum(z, 0.0)
    return z, h, h @ np.swapaxes(w2, -1, -2)


def _backward(w1, w2, x, y):
    """Per-sample ``h``, ``r = f - y`` and ``delta = (2 W2^T r) * 1[z > 0]``, plus mean gradients.

    ``dl/dW2 = 2 r h^T`` and ``dl/dW1 = delta x^T`` are never formed sample by sample.
    """
    z, h, f = forward(w1, w2, x)
    r = f - y
    delta = (2.0 * r @ w2) * (z > 0)
    m = x.shape[-2]
    g1 = np.swapaxes(delta, -1, -2) @ x / m
    g2 = np.swapaxes(2.0 * r, -1, -2) @ h / m
    return h, r, delta, g1, g2


def gradients(w1, w2, x, y):
    """Mean gradients ``grad_k L`` of ``L = mean |f - y|^2`` over the samples in ``x``, ``y``.

    Returns ``g1`` (..., width, d_in), ``g2`` (..., d_out, width) and the loss ``L`` (...).
    """
    _, r, _, g1, g2 = _backward(w1, w2, x, y)
    return g1, g2, np.mean(np.sum(r * r, axis=-1), axis=-1)


def noise_traces(w1, w2, x, y):
    """Gradient-noise traces ``N_k = sum of Var_x[dl/dW_k]`` over the training set.

    Variances are centred and divide by the number of samples m. Each per-sample gradient is
    an outer product (module docstring), so the cost is that of one full-batch gradient.
    Leading axes of ``w1``, ``w2`` (e.g. runs) broadcast.

    Returns
    -------
    dict of ndarray, each of shape (...)
        ``n1``, ``n2``: the traces; ``loss``: ``mean |f - y|^2``; ``grad1_sq``, ``grad2_sq``:
        ``|grad_k L|_F^2``.
    """
    h, r, delta, g1, g2 = _backward(w1, w2, x, y)
    x_sq = np.sum(x * x, axis=-1)
    r_sq = np.sum(r * r, axis=-1)
    grad1_sq = np.sum(g1 * g1, axis=(-2, -1))
    grad2_sq = np.sum(g2 * g2, axis=(-2, -1))
    return {
        "n1": np.mean(np.sum(delta * delta, axis=-1) * x_sq, axis=-1) - grad1_sq,
        "n2": np.mean(4.0 * r_sq * np.sum(h * h, axis=-1), axis=-1) - grad2_sq,
        "loss": np.mean(r_sq, axis=-1),
        "grad1_sq": grad1_sq,
        "grad2_sq": grad2_sq,
    }


def checkpoint_steps(steps: int, n_checkpoints: int, spacing: str = "log") -> np.ndarray:
    """Step 0 and up to ``n_checkpoints`` log- or linear-spaced steps ending at ``steps``."""
    if spacing == "log":
        grid = np.geomspace(1, steps, n_checkpoints)
    else:
        grid = np.linspace(0, steps, n_checkpoints + 1)[1:]
    return np.unique(np.concatenate([[0], grid.round().astype(np.int64)]))


def train(params: ReluParams, progress: Callable[[int, int], None] | None = None) -> dict:
    """Train ``n_runs`` networks from one initialisation and record them at checkpoints.

    ``SeedSequence(seed)`` spawns three children: the training set, the initial weights, and
    the minibatches (one grandchild per run). Parameters that differ only in ``method`` therefore
    see the same data and start from the same weights.

    Parameters
    ----------
    progress : callable, optional
        Called as ``progress(step, steps)`` every ``SGD_BLOCK`` steps and at the end.

    Returns
    -------
    dict of ndarray
        ``checkpoint_steps`` (K,): SGD steps (time ``t = eta * step``);
        ``norm1_sq``, ``norm2_sq`` (runs, K): ``|W1|_F^2``, ``|W2|_F^2``;
        ``n1``, ``n2`` (runs, K): the noise traces ``N1``, ``N2`` over the training set;
        ``loss`` (runs, K): training loss ``mean |f - y|^2``;
        ``grad1_sq``, ``grad2_sq`` (runs, K): ``|grad_k L|_F^2``;
        ``temperature`` (): ``T = eta / S`` (0 for GD).
    """
    p = params
    data_seq, init_seq, sgd_seq = np.random.SeedSequence(p.seed).spawn(3)
    x, y = make_data(p, np.random.default_rng(data_seq))
    w1, w2 = init_weights(p, np.random.default_rng(init_seq))
    w1 = np.repeat(w1[None], p.n_runs, axis=0)  # (runs, width, d_in)
    w2 = np.repeat(w2[None], p.n_runs, axis=0)  # (runs, d_out, width)
    rngs = [np.random.default_rng(s) for s in sgd_seq.spawn(p.n_runs)]

    ck = checkpoint_steps(p.steps, p.n_checkpoints, p.spacing)
    names = ("norm1_sq", "norm2_sq", "n1", "n2", "loss", "grad1_sq", "grad2_sq")
    rec = {name: np.zeros((p.n_runs, ck.size)) for name in names}

    def record(k):
        stats = noise_traces(w1, w2, x, y)
        rec["norm1_sq"][:, k] = np.sum(w1 * w1, axis=(1, 2))
        rec["norm2_sq"][:, k] = np.sum(w2 * w2, axis=(1, 2))
        for name in ("n1", "n2", "loss", "grad1_sq", "grad2_sq"):
            rec[name][:, k] = stats[name]

    record(0)
    k = 1
    for first in range(0, p.steps, SGD_BLOCK):
        last = min(first + SGD_BLOCK, p.steps)
        if p.method == "sgd":
            # A fixed-size draw per run and block: the stream never depends on the checkpoints.
            idx = np.stack([g.integers(0, p.n, size=(SGD_BLOCK, p.batch)) for g in rngs], axis=1)
        for step in range(first, last):
            if p.method == "sgd":
                batch = idx[step - first]  # (runs, S)
                g1, g2, _ = gradients(w1, w2, x[batch], y[batch])
            else:
                g1, g2, _ = gradients(w1, w2, x, y)
            w1 -= p.eta * g1
            w2 -= p.eta * g2
            if k < ck.size and step + 1 == ck[k]:
                record(k)
                k += 1
        if progress is not None:
            progress(last, p.steps)
    return {"checkpoint_steps": ck, **rec, "temperature": np.float64(p.temperature)}
