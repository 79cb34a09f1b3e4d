"""The parameters of an ensemble and of a splitting estimate, checked on construction
(``ensemble.simulate`` and ``splitting.tail_splitting`` run them), and balanced initial factors.

Free of numba on purpose: every rule reads its config through these classes, and most rules
never simulate, so they should not pay for loading the compiler.
"""

import math
from dataclasses import dataclass

import numpy as np

# Codes of the methods in the compiled kernels (which import them from here: this module
# stays free of numba, so that reading a config does not compile or load anything).
SGD, GD, GD_ISO, SGF = 0, 1, 2, 3
METHOD_CODES = {"sgd": SGD, "gd": GD, "gd_iso": GD_ISO, "sgf": SGF}
METHODS = tuple(METHOD_CODES)
RECORDS = ("all", "v")
MOMENTUM_METHODS = ("sgd", "gd")  # heavy-ball momentum: the SGF and gd_iso have none


@dataclass(frozen=True)
class EnsembleParams:
    """One ensemble: method, network, step, duration, what to record.

    The network is the diagonal linear network of depth D and width d: path i has factors
    ``u_i^(0) .. u_i^(D)``, ``v = sum_i prod_k u_i^(k)``, per-sample loss ``(v x - y)^2``.
    Time is SGF time, ``t`` = SGD steps x ``eta``.

    Parameters
    ----------
    method : {"sgd", "gd", "gd_iso", "sgf"}
        Minibatch SGD, full-batch GD, GD plus isotropic Gaussian noise, or the SGF by
        Euler-Maruyama (module docstring).
    depth : int
        D, number of hidden layers (D + 1 factors per path).
    eta : float
        Learning rate, > 0; for ``sgf`` it only sets ``T = eta / S``.
    batch : int
        S, samples per minibatch, drawn with replacement; ``T = eta / S``.
    n_runs : int
        Independent runs in the ensemble.
    seed : int
        Root of every run's random stream (run r draws from a stream keyed by
        ``(seed, r)``).
    time : float
        Duration in SGF time; ``n_steps = time / step``.
    init : tuple
        Factors ``u^(0) .. u^(D)`` of every path at t = 0 (shape (D + 1,)), or one such
        tuple per path (shape (width, D + 1)); ``balanced_init`` and ``balanced_paths`` make
        balanced ones.
    width : int
        d, number of paths.
    burn_in : float
        SGF time before the histogram and the running sums start sampling.
    dt : float, optional
        Euler-Maruyama step in SGF time (``sgf`` only, ``0 < dt <= eta``).
    iso_noise : float
        c, per-parameter noise variance of ``gd_iso`` (``eta T c`` per step).
    hist_range : tuple of float
        ``[lo, hi)`` of the histogram of v.
    hist_bins : int
        Bins of the histogram.
    sample_every : int
        Steps between histogram samples.
    n_checkpoints : int
        Log-spaced steps at which v, the imbalance and norms are kept.
    record : {"all", "v"}
        What is kept at the checkpoints: ``"all"`` (v, each path's v_i, the imbalance, the
        norm, ``∫ g dt`` and the Euler-Maruyama second-order term) or ``"v"`` only, for
        consumers that read nothing else (the sweeps): 1/6 of the memory, and the kernel runs
        through the checkpoints without stopping. v is the same bits either way.
    diverge_at : float
        ``|v|`` beyond which a run counts as diverged and stops.
    max_relative_step : float
        ``sgf`` only: largest typical relative change of a factor in one sub-step; tails
        need about 0.05 (README, "Findings").
    weight_decay : float
        gamma: the loss gains ``gamma |theta|^2`` (every factor of every path).
    momentum : float
        beta in [0, 1), heavy-ball momentum of ``sgd`` and ``gd`` (``ensemble`` module
        docstring): ``m <- beta m - eta (g + 2 gamma theta)``, ``theta <- theta + m``, the
        velocity ``m`` starting at 0. 0 (the default) is plain SGD or GD, the same bits as
        without the option. ``time`` stays steps x eta; the folk rule's time is
        steps x eta / (1 - beta) (``sgf_time``).

    Raises
    ------
    ValueError
        Naming the parameter and its allowed range.

    Examples
    --------
    Discrete SGD on the two-layer model at ``T = eta / S = 0.05``:

    >>> from sgdbalance.simulate import balanced_init
    >>> p = EnsembleParams(method="sgd", depth=1, eta=0.1, batch=2, n_runs=100, seed=1,
    ...                    time=20.0, init=balanced_init(0.5, depth=1))
    >>> p.temperature, p.n_steps
    (0.05, 200)
    """

    method: str  # one of METHODS
    depth: int  # D, hidden layers; D + 1 factors per path
    eta: float  # learning rate (for sgf: defines T only)
    batch: int  # S, samples per minibatch; T = eta / S
    n_runs: int  # C, independent runs
    seed: int  # root of the SeedSequence
    time: float  # duration in SGF time t (SGD steps x eta)
    init: tuple  # u^(0..D) of every path at t = 0, or one such tuple per path (width rows)
    width: int = 1  # d0, paths
    burn_in: float = 0.0  # time before histogram and moment sampling
    dt: float | None = None  # Euler-Maruyama step, method sgf only
    iso_noise: float = 1.0  # c, per-parameter noise variance for gd_iso
    hist_range: tuple = (-1.0, 2.0)  # histogram of v: [lo, hi)
    hist_bins: int = 300
    sample_every: int = 1  # steps between histogram samples
    n_checkpoints: int = 60  # log-spaced steps at which v and the imbalance are kept
    record: str = "all"  # what the checkpoints keep: "all" or "v" (one of RECORDS)
    diverge_at: float = 1e6  # |v| beyond which a run counts as diverged and stops
    # sgf: largest typical relative change of a factor in one step; larger moves are split
    # into sub-steps. 0.2 keeps the bulk of the density; tails need about 0.05, as a coarser
    # Euler-Maruyama step fattens them (README, "Findings").
    max_relative_step: float = 0.2
    weight_decay: float = 0.0  # gamma: the loss gains gamma |theta|^2 (every factor, every path)
    momentum: float = 0.0  # beta: heavy-ball momentum of sgd and gd, 0 <= beta < 1

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        if self.record not in RECORDS:
            raise ValueError(f"record must be one of {RECORDS}, got {self.record!r}")
        if self.depth < 0 or self.width < 1:
            raise ValueError(f"need depth >= 0 and width >= 1, got {self.depth!r}, {self.width!r}")
        if not self.eta > 0:
            raise ValueError(f"eta must be > 0, got {self.eta!r}")
        if self.batch < 1 or self.n_runs < 1:
            raise ValueError(f"batch and n_runs must be >= 1, got {self.batch!r}, {self.n_runs!r}")
        self._init_factors()  # raises ValueError naming init and the shape it needs
        if not 0 < self.max_relative_step <= 1:
            raise ValueError(f"max_relative_step must be in (0, 1], got {self.max_relative_step!r}")
        if self.method == "sgf" and not (self.dt and 0 < self.dt <= self.eta):
            raise ValueError(f"method sgf needs 0 < dt <= eta = {self.eta}, got dt = {self.dt!r}")
        if not 0 <= self.burn_in < self.time:
            raise ValueError(f"need 0 <= burn_in < time, got {self.burn_in!r}, {self.time!r}")
        if self.n_steps < 1:
            raise ValueError(f"time {self.time} is shorter than one step {self.step}")
        if self.hist_range[0] >= self.hist_range[1] or self.hist_bins < 1:
            raise ValueError(f"bad histogram {self.hist_range!r}, {self.hist_bins!r} bins")
        if not 0 <= self.weight_decay < 0.5 / self.step:
            raise ValueError(
                f"weight_decay must be in [0, 1/(2 step)) = [0, {0.5 / self.step:g}), "
                f"got {self.weight_decay!r}"
            )
        if not 0 <= self.momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {self.momentum!r}")
        if self.momentum > 0 and self.method not in MOMENTUM_METHODS:
            raise ValueError(
                f"momentum applies to methods {MOMENTUM_METHODS} only, got method "
                f"{self.method!r} with momentum {self.momentum!r}"
            )

    def _init_factors(self) -> np.ndarray:
        nf, width = self.depth + 1, self.width
        need = f"(D + 1,) = ({nf},) or (width, D + 1) = ({width}, {nf})"
        try:
            factors = np.array(self.init, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"init must have shape {need}, got {self.init!r}") from None
        if factors.shape not in ((nf,), (width, nf)):
            raise ValueError(f"init must have shape {need}, got shape {factors.shape}")
        return np.broadcast_to(factors, (width, nf))

    @property
    def path_factors(self) -> np.ndarray:
        """``u_i^(k)`` at t = 0, shape (width, D+1): ``init`` repeated, or ``init`` itself."""
        return self._init_factors()

    @property
    def temperature(self) -> float:
        """T = eta / S; with momentum beta, the effective ``T_eff = eta / ((1 - beta) S)``.

        Heavy-ball SGD at small eta moves like plain SGD at ``eta / (1 - beta)``
        (``discrete.momentum``): its stationary law and its law of balance are the SGF's at
        T_eff, in the time ``sgf_time``. Equal to eta / S without momentum.
        """
        if self.momentum == 0:
            return self.eta / self.batch
        return self.eta / ((1.0 - self.momentum) * self.batch)

    def sgf_time(self, t):
        """SGF time of ``t`` (steps x eta, as ``checkpoint_time`` and ``g_integral`` count it):
        ``t`` itself, or ``t / (1 - beta)`` with momentum, the folk rule's clock.

        Parameters
        ----------
        t : float or ndarray
            A time in steps x eta.
        """
        return t if self.momentum == 0 else t / (1.0 - self.momentum)

    @property
    def step(self) -> float:
        """Time advanced per step: dt for sgf, eta otherwise."""
        return self.dt if self.method == "sgf" else self.eta

    @property
    def n_steps(self) -> int:
        """Steps of length ``step`` in ``time``."""
        return int(round(self.time / self.step))

    @property
    def burn_in_steps(self) -> int:
        """Steps of length ``step`` in ``burn_in``."""
        return int(round(self.burn_in / self.step))


def balanced_init(v0: float, depth: int, width: int = 1) -> tuple:
    """Factors of one path with ``|u^(0)| = ... = |u^(D)|`` and ``sum_i v_i = v0``.

    Parameters
    ----------
    v0 : float
        The network's v at t = 0, summed over ``width`` equal paths; its sign goes on the
        first factor.
    depth : int
        D, number of hidden layers.
    width : int
        d, number of equal paths sharing ``v0``.

    Returns
    -------
    tuple of float, length D + 1
        An ``init`` for ``EnsembleParams``.

    Examples
    --------
    >>> balanced_init(0.25, depth=1)
    (np.float64(0.5), 0.5)
    >>> balanced_init(-8.0, depth=2)
    (np.float64(-2.0), 2.0, 2.0)
    """
    magnitude = (abs(v0) / width) ** (1.0 / (depth + 1))
    return (np.sign(v0) * magnitude,) + (magnitude,) * depth if v0 != 0 else (0.0,) * (depth + 1)


def balanced_paths(values, depth: int) -> tuple:
    """Factors of ``len(values)`` balanced paths, path i with ``v_i = values[i]``: an ``init``
    of shape (width, D+1).

    Parameters
    ----------
    values : sequence of float, length width
        Each path's ``v_i`` at t = 0.
    depth : int
        D, number of hidden layers.

    Returns
    -------
    tuple of tuple of float, shape (width, D + 1)
    """
    return tuple(tuple(float(u) for u in balanced_init(v, depth)) for v in values)


@dataclass(frozen=True)
class SplittingParams:
    """Levels, splitting factor, replicates and the ``|v|`` bins of a RESTART estimate.

    Levels are geometric, ``first * factor**l`` for ``l = 0 .. count - 1``; a copy born on
    crossing level l dies below level l - 1 (below ``first / factor`` for l = 0). The copies
    stay level from level to level when each crosses the next level ``1 / splits`` times on
    average (re-climbs after a fall count): far out at D >= 1 that is ``factor =
    splits^(1 / kappa_s)``, with ``kappa_s = kappa - 4D/(D+1)`` and kappa the exponent of the
    theory's ``P(|v| > x)`` (``config/config.yaml``, "splitting"); a smaller factor lets them
    grow, a larger one die out. Put ``first / factor``, where copies of the first level die, in
    the bulk (about 0.2). With no levels (``count = 0``) the
    estimate is plain simulation of the same chain, recorded the same way.

    Attributes
    ----------
    first : float
        Lowest level of ``|v|``, typically near the 0.9 quantile of the stationary density.
    factor : float
        Ratio of successive levels, > 1.
    count : int
        Number of levels, >= 0.
    splits : int
        Copies made at each level crossing (R >= 2).
    replicates : int
        Independent main trajectories, >= 2 (their spread gives the standard error).
    time : float
        Duration of each main trajectory in SGF time, after ``burn_in``.
    burn_in : float
        SGF time before anything is recorded or split.
    seed : int
        Seed of the replicates' streams (``rng.run_keys``).
    bins : tuple
        ``(lo, hi, n)``: n log-spaced bins of ``|v|`` on [lo, hi].
    max_copy_substeps : int
        SGF sub-steps after which a copy that has not fallen back counts as runaway (an error).
    """

    first: float
    factor: float
    count: int
    splits: int
    replicates: int
    time: float
    burn_in: float
    seed: int
    bins: tuple = (1e-3, 1e5, 160)
    max_copy_substeps: int = 10_000_000

    def __post_init__(self):
        lo, hi, n = self.bins
        problems = [
            (self.first > 0, f"first must be > 0, got {self.first!r}"),
            (self.factor > 1, f"factor must be > 1, got {self.factor!r}"),
            (self.count >= 0, f"count must be >= 0, got {self.count!r}"),
            (self.splits >= 2, f"splits must be >= 2, got {self.splits!r}"),
            (self.replicates >= 2, f"replicates must be >= 2, got {self.replicates!r}"),
            (self.time > 0 and self.burn_in >= 0, "need time > 0 and burn_in >= 0"),
            (0 < lo < hi and n >= 2, f"bins need 0 < lo < hi and n >= 2, got {self.bins!r}"),
            (math.isfinite(self.first * self.factor ** (self.count - 1)),
             f"the top level first * factor^(count - 1) overflows: {self.first!r}, "
             f"{self.factor!r}, {self.count!r}"),
        ]  # fmt: skip
        for ok, message in problems:
            if not ok:
                raise ValueError(message)

    @property
    def levels(self) -> np.ndarray:
        return self.first * self.factor ** np.arange(self.count)

    @property
    def edges(self) -> np.ndarray:
        lo, hi, n = self.bins
        return np.geomspace(lo, hi, int(n) + 1)
