"""Ensembles of independent runs on the diagonal linear network, vectorised over runs.

The network of depth D and width d has parameters ``U[i, k] = u_i^(k)``, path values
``v_i = prod_k U[i, k]`` and output ``f(x) = v x`` with ``v = sum_i v_i``. Every per-sample
gradient is ``dl/dv * grad_U v`` with ``dl/dv = 2 x (v x - y)``, so each method moves the
parameters by a scalar per run times ``grad_U v`` (time step ``h``):

- ``sgd``: ``delta = eta * 2 (v m2 - mxy)``, with ``m2``, ``mxy`` the minibatch means of ``x^2``,
  ``x y`` over S samples drawn with replacement; ``h = eta``.
- ``gd``: the same with the full-batch means ``beta1``, ``beta2``; ``h = eta``.
- ``gd_iso``: GD plus isotropic Gaussian noise of variance ``eta T c`` per parameter per step,
  i.e. SGF with ``Sigma = c I`` (``c = iso_noise``); ``h = eta``.
- ``sgf``: Euler-Maruyama for ``dU = grad_U v (-2 (beta1 v - beta2) dt + sqrt(4 T g(v)) dW)``,
  the SGF of PAPER.md section 0 (its noise has rank one, along ``grad_U v``); ``h = dt``.

Runs are grouped in blocks of ``BLOCK`` consecutive runs; block ``b`` draws all its random
numbers from ``SeedSequence(seed, spawn_key=(b,))``, so any split of the ensemble into jobs
made of whole blocks gives the same numbers bit for bit.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .moments import Moments

METHODS = ("sgd", "gd", "gd_iso", "sgf")
BLOCK = 512  # runs per random stream; fixed so results do not depend on job chunking
DRAWS_PER_CALL = 256  # steps of random numbers drawn per generator call
MAX_RELATIVE_STEP = 0.2  # sgf: largest typical relative change of a factor in one step
MAX_SUBSTEPS = 10_000


@dataclass(frozen=True)
class EnsembleParams:
    """One ensemble: method, network, step, duration, what to record."""

    method: str  # one of METHODS
    depth: int  # D, hidden layers; D + 1 factors per path
    eta: float  # learning rate (for sgf: defines T only)
    batch: int  # S, samples per minibatch; T = eta / S
    n_runs: int  # C, independent runs
    seed: int  # root of the SeedSequence
    time: float  # duration in SGF time t (SGD steps x eta)
    init: tuple  # u^(0..D) of every path at t = 0
    width: int = 1  # d0, paths
    burn_in: float = 0.0  # time before histogram and moment sampling
    dt: float | None = None  # Euler-Maruyama step, method sgf only
    iso_noise: float = 1.0  # c, per-parameter noise variance for gd_iso
    hist_range: tuple = (-1.0, 2.0)  # histogram of v: [lo, hi)
    hist_bins: int = 300
    sample_every: int = 1  # steps between histogram samples
    n_checkpoints: int = 60  # log-spaced steps at which v and the imbalance are kept
    diverge_at: float = 1e6  # |v| beyond which a run counts as diverged and stops

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        if self.depth < 0 or self.width < 1:
            raise ValueError(f"need depth >= 0 and width >= 1, got {self.depth!r}, {self.width!r}")
        if not self.eta > 0:
            raise ValueError(f"eta must be > 0, got {self.eta!r}")
        if self.batch < 1 or self.n_runs < 1:
            raise ValueError(f"batch and n_runs must be >= 1, got {self.batch!r}, {self.n_runs!r}")
        if len(self.init) != self.depth + 1:
            raise ValueError(f"init needs D + 1 = {self.depth + 1} factors, got {self.init!r}")
        if self.method == "sgf" and not (self.dt and 0 < self.dt <= self.eta):
            raise ValueError(f"method sgf needs 0 < dt <= eta = {self.eta}, got dt = {self.dt!r}")
        if not 0 <= self.burn_in < self.time:
            raise ValueError(f"need 0 <= burn_in < time, got {self.burn_in!r}, {self.time!r}")
        if self.n_steps < 1:
            raise ValueError(f"time {self.time} is shorter than one step {self.step}")
        if self.hist_range[0] >= self.hist_range[1] or self.hist_bins < 1:
            raise ValueError(f"bad histogram {self.hist_range!r}, {self.hist_bins!r} bins")

    @property
    def temperature(self) -> float:
        """T = eta / S."""
        return self.eta / self.batch

    @property
    def step(self) -> float:
        """Time advanced per step: dt for sgf, eta otherwise."""
        return self.dt if self.method == "sgf" else self.eta

    @property
    def n_steps(self) -> int:
        return int(round(self.time / self.step))

    @property
    def burn_in_steps(self) -> int:
        return int(round(self.burn_in / self.step))

    @property
    def n_blocks(self) -> int:
        return -(-self.n_runs // BLOCK)


def balanced_init(v0: float, depth: int, width: int = 1) -> tuple:
    """Factors of one path with ``|u^(0)| = ... = |u^(D)|`` and ``sum_i v_i = v0``."""
    magnitude = (abs(v0) / width) ** (1.0 / (depth + 1))
    return (np.sign(v0) * magnitude,) + (magnitude,) * depth if v0 != 0 else (0.0,) * (depth + 1)


def others_product(U):
    """``grad_U v``: for each factor, the product of the other factors of its path.

    Parameters
    ----------
    U : ndarray, shape (runs, width, depth + 1)
    """
    n = U.shape[-1]
    if n == 1:
        return np.ones_like(U)
    if n == 2:
        return U[..., ::-1].copy()
    left = np.ones_like(U)
    right = np.ones_like(U)
    left[..., 1:] = np.cumprod(U[..., :-1], axis=-1)
    right[..., :-1] = np.cumprod(U[..., :0:-1], axis=-1)[..., ::-1]
    return left * right


def sgd_delta(v, x2, xy, idx, eta):
    """``eta G`` with ``G = 2 (v m2 - mxy)`` the minibatch mean of ``dl/dv``.

    Parameters
    ----------
    v : ndarray, shape (runs,)
    x2, xy : ndarray, shape (n,)
        ``x^2`` and ``x y`` of the training set.
    idx : ndarray of int, shape (runs, S)
        Minibatch indices, drawn with replacement.
    """
    return eta * 2.0 * (v * x2[idx].mean(axis=1) - xy[idx].mean(axis=1))


def step_factors(U, delta):
    """One update ``U - delta * grad_U v``; ``delta``, shape (runs,), is the scalar step."""
    return U - delta[:, None, None] * others_product(U)


def _relative_step(U, scale):
    """Typical relative change of a balanced factor for a step ``scale * grad_U v``.

    For balanced factors ``|u^(k)| = |v_i|^(1/(D+1))`` it is ``scale |v_i|^((D-1)/(D+1))``;
    it is written in the path values so that an unbalanced start, whose small factor moves a
    lot relative to itself while the map stays contracting, does not count as stiff. For
    D = 0 the update is additive and never stiff.
    """
    depth = U.shape[-1] - 1
    if depth == 0:
        return np.zeros(U.shape[0])
    paths = np.abs(U.prod(axis=-1)).max(axis=-1)
    return scale * paths ** ((depth - 1) / (depth + 1))


def _sgf_substeps(U, m, temp, h, rng):
    """Advance each run by time ``h`` in Euler-Maruyama steps small enough for its state.

    The SGF drift and noise grow faster than linearly in v for D >= 1, and Euler-Maruyama
    with a fixed step then diverges in the tail (Hutzenthaler, Jentzen & Kloeden 2011). Each
    step here is chosen from the state alone, never from the noise drawn, so that no factor
    changes by more than about MAX_RELATIVE_STEP; the scheme stays a consistent discretisation.
    Returns the new factors and the increments of ``∫ g dt`` and of the second-order term.
    """
    remaining = np.full(U.shape[0], h)
    g_int = np.zeros(U.shape[0])
    em2 = np.zeros(U.shape[0])
    for _ in range(MAX_SUBSTEPS):
        v = U.prod(axis=-1).sum(axis=-1)
        g_v = m.g(v)
        drift = 2.0 * (m.beta1 * v - m.beta2)
        scale = h * np.abs(drift) + np.sqrt(4.0 * temp * g_v * h)
        allowed = h * (MAX_RELATIVE_STEP / np.maximum(_relative_step(U, scale), 1e-300)) ** 2
        hs = np.minimum(remaining, allowed)
        noise = np.sqrt(4.0 * temp * g_v * hs)
        g_int += g_v * hs
        em2 += (hs * drift) ** 2 + 1.5 * noise**4
        U = step_factors(U, hs * drift - noise * rng.standard_normal(U.shape[0]))
        remaining -= hs
        if not (remaining > 1e-12 * h).any():
            break
    return U, g_int, em2


def checkpoint_steps(n_steps: int, n_checkpoints: int) -> np.ndarray:
    """Step 0 and up to ``n_checkpoints`` log-spaced steps ending at ``n_steps``."""
    steps = np.unique(np.geomspace(1, n_steps, n_checkpoints).round().astype(np.int64))
    return np.concatenate([[0], steps])


@dataclass
class _Recorder:
    """Statistics of one block, accumulated as the runs go (memory O(runs))."""

    params: EnsembleParams
    runs: int
    ck_steps: np.ndarray
    v: np.ndarray = field(init=False)
    imbalance: np.ndarray = field(init=False)
    norm2: np.ndarray = field(init=False)
    g_integral: np.ndarray = field(init=False)
    em_second_order: np.ndarray = field(init=False)

    def __post_init__(self):
        shape = (self.runs, len(self.ck_steps))
        self.v, self.imbalance, self.norm2, self.g_integral, self.em_second_order = (
            np.zeros(shape) for _ in range(5)
        )
        p = self.params
        self.counts = np.zeros(p.hist_bins + 2, dtype=np.int64)  # [under, bins..., over]
        self.n_samples = 0
        self.sum_v = 0.0
        self.sum_v2 = 0.0
        self._next = 0

    def checkpoint(self, step, U, v, g_int, em2):
        if self._next < len(self.ck_steps) and step == self.ck_steps[self._next]:
            j = self._next
            self.v[:, j] = v
            self.imbalance[:, j] = (U[:, :, 0] ** 2 - U[:, :, -1] ** 2).sum(axis=1)
            self.norm2[:, j] = (U**2).sum(axis=(1, 2))
            self.g_integral[:, j] = g_int
            self.em_second_order[:, j] = em2
            self._next += 1

    def sample(self, v):
        lo, hi = self.params.hist_range
        idx = np.floor((v - lo) * (self.params.hist_bins / (hi - lo))).astype(np.int64)
        idx = np.clip(idx, -1, self.params.hist_bins) + 1
        self.counts += np.bincount(idx, minlength=self.params.hist_bins + 2)
        self.n_samples += v.size
        self.sum_v += float(v.sum())
        self.sum_v2 += float((v * v).sum())


def _simulate_block(block, x2, xy, moments, params, progress):
    p = params
    first = block * BLOCK
    runs = min(BLOCK, p.n_runs - first)
    rng = np.random.default_rng(np.random.SeedSequence(p.seed, spawn_key=(block,)))
    U = np.broadcast_to(np.asarray(p.init, float), (runs, p.width, p.depth + 1)).copy()
    alive = np.ones(runs, dtype=bool)
    g_int = np.zeros(runs)
    em2 = np.zeros(runs)
    rec = _Recorder(p, runs, checkpoint_steps(p.n_steps, p.n_checkpoints))
    h, temp, m = p.step, p.temperature, moments
    v = U.prod(axis=-1).sum(axis=-1)
    rec.checkpoint(0, U, v, g_int, em2)
    draws = None
    for step in range(1, p.n_steps + 1):
        j = (step - 1) % DRAWS_PER_CALL
        if j == 0:
            k = min(DRAWS_PER_CALL, p.n_steps - step + 1)
            if p.method == "sgd":
                draws = rng.integers(0, x2.size, size=(k, runs, p.batch))
            elif p.method == "sgf":
                draws = rng.standard_normal((k, runs))
            elif p.method == "gd_iso":
                draws = rng.standard_normal((k, runs, p.width, p.depth + 1))
        g_v = m.g(v)
        drift = 2.0 * (m.beta1 * v - m.beta2)
        if p.method == "sgd":
            delta = sgd_delta(v, x2, xy, draws[j], h)
        elif p.method == "sgf":
            noise = np.sqrt(4.0 * temp * g_v * h)
            delta = h * drift - noise * draws[j]
            em2 += (h * drift) ** 2 + 1.5 * noise**4
            stiff = alive & (_relative_step(U, h * np.abs(drift) + noise) > MAX_RELATIVE_STEP)
            if stiff.any():  # these runs take finer steps instead, drawn after this step's
                delta[stiff] = 0.0
                U[stiff], extra_g, extra_em2 = _sgf_substeps(U[stiff], m, temp, h, rng)
                g_int[stiff] += extra_g - g_v[stiff] * h  # replaces the line below for them
                em2[stiff] += extra_em2 - ((h * drift) ** 2 + 1.5 * noise**4)[stiff]
        else:
            delta = h * drift
        g_int += g_v * h
        U = step_factors(U, delta * alive)
        if p.method == "gd_iso":
            U += np.sqrt(h * temp * p.iso_noise) * draws[j] * alive[:, None, None]
        v = U.prod(axis=-1).sum(axis=-1)
        bad = alive & ~(np.abs(v) <= p.diverge_at)  # catches inf and nan too
        if bad.any():
            alive &= ~bad
            U[bad] = 0.0
            v[bad] = 0.0
        rec.checkpoint(step, U, v, g_int, em2)
        if step > p.burn_in_steps and (step - p.burn_in_steps) % p.sample_every == 0:
            rec.sample(v[alive])
        if progress is not None and step % 10_000 == 0:
            progress(first, runs, step)
    v_final = np.where(alive, v, np.nan)
    return rec, v_final, ~alive


def simulate(
    x,
    y,
    params: EnsembleParams,
    blocks: range | None = None,
    progress: Callable[[int, int, int], None] | None = None,
) -> dict:
    """Run the ensemble (or the runs of ``blocks``) and return its statistics.

    Parameters
    ----------
    x, y : ndarray, shape (n,)
        The training set; full-batch methods and the SGF use its moments.
    blocks : range, optional
        Blocks of ``BLOCK`` runs to simulate; all of them by default.
    progress : callable, optional
        Called as ``progress(first_run, runs, step)`` every 10^4 steps.

    Returns
    -------
    dict of ndarray
        ``v_final`` (runs,): v at the end, nan if diverged; ``diverged`` (runs,) bool;
        ``checkpoint_steps`` (K,); ``v``, ``imbalance`` (``sum_i u_i^(0)2 - u_i^(D)2``),
        ``norm2`` (squared norm of all factors), ``g_integral`` (``∫ g(v) dt``),
        ``em_second_order`` (runs, K); ``hist_edges`` (bins+1,), ``hist_counts`` (bins,),
        ``hist_under``, ``hist_over``; ``n_samples``, ``sum_v``, ``sum_v2`` (blocks,).
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    moments = Moments.of_samples(x, y)
    blocks = range(params.n_blocks) if blocks is None else blocks
    recs, finals, diverged = [], [], []
    for b in blocks:
        rec, v_final, div = _simulate_block(b, x * x, x * y, moments, params, progress)
        recs.append(rec)
        finals.append(v_final)
        diverged.append(div)
    counts = np.sum([r.counts for r in recs], axis=0)
    lo, hi = params.hist_range
    return {
        "blocks": np.asarray(list(blocks)),
        "v_final": np.concatenate(finals),
        "diverged": np.concatenate(diverged),
        "checkpoint_steps": recs[0].ck_steps,
        "checkpoint_time": recs[0].ck_steps * params.step,
        **{
            name: np.concatenate([getattr(r, name) for r in recs])
            for name in ("v", "imbalance", "norm2", "g_integral", "em_second_order")
        },
        "hist_edges": np.linspace(lo, hi, params.hist_bins + 1),
        "hist_counts": counts[1:-1],
        "hist_under": counts[0],
        "hist_over": counts[-1],
        "n_samples": np.array([r.n_samples for r in recs]),
        "sum_v": np.array([r.sum_v for r in recs]),
        "sum_v2": np.array([r.sum_v2 for r in recs]),
    }


def merge(parts: list[dict]) -> dict:
    """Join the statistics of disjoint block ranges, in block order, into one ensemble."""
    parts = sorted(parts, key=lambda p: p["blocks"][0])
    out = dict(parts[0])
    for key in (
        "blocks",
        "v_final",
        "diverged",
        "v",
        "imbalance",
        "norm2",
        "g_integral",
        "em_second_order",
        "n_samples",
        "sum_v",
        "sum_v2",
    ):
        out[key] = np.concatenate([p[key] for p in parts])
    for key in ("hist_counts", "hist_under", "hist_over"):
        out[key] = np.sum([p[key] for p in parts], axis=0)
    return out
