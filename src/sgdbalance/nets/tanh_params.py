"""Parameters of the two tanh experiments (``tanh.py``), frozen and checked on construction."""

from dataclasses import dataclass

import numpy as np

# 1-1.5-2-3-5-7 per decade, plus 1.2 where the D = 1 model loses stability (S = 1)
DEFAULT_ETAS = (0.01, 0.015, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1.0)
DEFAULT_ETAS += (1.2, 1.5, 2.0, 3.0)


def _check(ok: bool, field: str, allowed: str, value) -> None:
    if not ok:
        raise ValueError(f"{field} must be {allowed}, got {value!r}")


def _check_common(p) -> None:
    _check(p.n >= 2, "n", ">= 2", p.n)
    _check(p.sigma >= 0, "sigma", ">= 0", p.sigma)
    _check(p.batch >= 1, "batch", ">= 1", p.batch)
    _check(p.steps >= 1, "steps", ">= 1", p.steps)
    _check(0 <= p.burn_in < p.steps, "burn_in", f"in [0, steps = {p.steps})", p.burn_in)
    _check(p.sample_every >= 1, "sample_every", ">= 1", p.sample_every)
    _check(p.seed >= 0, "seed", ">= 0", p.seed)
    _check(p.diverge_at > 0, "diverge_at", "> 0", p.diverge_at)


@dataclass(frozen=True)
class TanhSignParams:
    """Fig. 3 (right): D = 0 ``tanh(v x)`` against D = 1 ``w tanh(u x)``, half started at -v0.

    Parameters
    ----------
    n : int
        training samples.
    v_star : float
        teacher ``y = tanh(v_star x) + sigma eps``; ``v_star > 0`` is the right sign.
    sigma : float
        label-noise standard deviation.
    v0 : float
        ``|v|`` at start: runs [0, n_runs/2) start at +v0, the rest at -v0.
    eta : float
        learning rate.
    batch : int
        S, samples per minibatch (with replacement); T = eta / S.
    steps : int
        SGD steps per run.
    burn_in : int
        steps before histogram and wrong-sign sampling.
    sample_every : int
        steps between samples.
    n_runs : int
        independent runs, even: half start at +v0, half at -v0.
    seed : int
        root of the SeedSequence.
    hist_range : tuple
        histogram of v: [lo, hi).
    hist_bins : int
        bins of the histogram.
    v_tol : float
        ``|v| <= v_tol`` counts as collapsed, ``v < -v_tol`` as the wrong sign.
    diverge_at : float
        ``|u|`` or ``|w|`` beyond which a run counts as diverged and stops.
    n_checkpoints : int
        log-spaced steps at which v is kept.
    """

    n: int = 1000  # training samples
    v_star: float = 0.2  # teacher y = tanh(v_star x) + sigma eps; v_star > 0 is the right sign
    sigma: float = 0.5  # label-noise standard deviation
    v0: float = 0.5  # |v| at start: runs [0, n_runs/2) start at +v0, the rest at -v0
    eta: float = 0.1  # learning rate
    batch: int = 1  # S, samples per minibatch (with replacement); T = eta / S
    steps: int = 50_000
    burn_in: int = 20_000  # steps before histogram and wrong-sign sampling
    sample_every: int = 10  # steps between samples
    n_runs: int = 2000  # even
    seed: int = 0
    hist_range: tuple = (-1.0, 1.5)  # histogram of v: [lo, hi)
    hist_bins: int = 250
    v_tol: float = 1e-3  # |v| <= v_tol counts as collapsed, v < -v_tol as the wrong sign
    diverge_at: float = 1e6  # |u| or |w| beyond which a run counts as diverged and stops
    n_checkpoints: int = 40  # log-spaced steps at which v is kept

    def __post_init__(self):
        _check_common(self)
        _check(self.v_star > 0, "v_star", "> 0", self.v_star)
        _check(self.v0 > 0, "v0", "> 0", self.v0)
        _check(self.eta > 0, "eta", "> 0", self.eta)
        _check(self.n_runs >= 2 and self.n_runs % 2 == 0, "n_runs", "even and >= 2", self.n_runs)
        lo, hi = self.hist_range
        _check(lo < 0 < hi, "hist_range", "(lo, hi) with lo < 0 < hi", self.hist_range)
        _check(self.hist_bins >= 1, "hist_bins", ">= 1", self.hist_bins)
        _check(self.v_tol > 0, "v_tol", "> 0", self.v_tol)
        _check(self.n_checkpoints >= 1, "n_checkpoints", ">= 1", self.n_checkpoints)

    @property
    def temperature(self) -> float:
        """T = eta / S."""
        return self.eta / self.batch


@dataclass(frozen=True)
class TanhStabilityParams:
    """Fig. 5 (middle): loss of ``w tanh(u x)`` against eta, u alone (D = 0) or both (D = 1).

    Parameters
    ----------
    n : int
        training samples.
    u_star : float
        teacher ``y = w_star tanh(u_star x) + sigma eps``.
    w_star : float
        a large output weight makes the input direction sharp.
    sigma : float
        label-noise standard deviation.
    u0 : float
        input weight at the start of both models; D = 0 keeps w = w0 throughout.
    w0 : float
        output weight at the start.
    etas : tuple
        learning rates, increasing.
    batch : int
        S, samples per minibatch (with replacement); T = eta / S.
    steps : int
        SGD steps per run.
    burn_in : int
        steps before the loss is averaged.
    sample_every : int
        steps between full-batch loss evaluations.
    n_runs : int
        independent runs per eta and model.
    seed : int
        root of the SeedSequence.
    diverge_at : float
        ``|u|`` or ``|w|`` beyond which a run counts as diverged and stops.
    """

    n: int = 500  # training samples
    u_star: float = 1.0  # teacher y = w_star tanh(u_star x) + sigma eps
    w_star: float = 3.0  # a large output weight makes the input direction sharp
    sigma: float = 0.5
    u0: float = 1.0  # start of both models; D = 0 keeps w = w0 throughout
    w0: float = 3.0
    etas: tuple = DEFAULT_ETAS  # learning rates, increasing
    batch: int = 1
    steps: int = 40_000
    burn_in: int = 20_000  # steps before the loss is averaged
    sample_every: int = 50  # steps between full-batch loss evaluations
    n_runs: int = 400
    seed: int = 0
    diverge_at: float = 1e3  # |u| or |w| beyond which a run counts as diverged and stops

    def __post_init__(self):
        _check_common(self)
        _check(self.u_star != 0, "u_star", "nonzero", self.u_star)
        etas = np.asarray(self.etas, dtype=float)
        ok = etas.ndim == 1 and etas.size >= 1 and np.all(etas > 0) and np.all(np.diff(etas) > 0)
        _check(bool(ok), "etas", "a non-empty increasing sequence of numbers > 0", self.etas)
        _check(self.n_runs >= 1, "n_runs", ">= 1", self.n_runs)
