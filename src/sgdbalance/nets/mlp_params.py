"""Parameters of the scaling-law experiment (``mlp.py``), frozen and checked on construction.

Two learning-rate schedules are compared at each depth: ``inv_depth``, ``eta = eta0 / D``,
which keeps ``(d / D) (S / eta)`` fixed at fixed width and batch (the paper's scaling law), and
``fixed``, one ``eta_fixed`` for every depth.
"""

from dataclasses import dataclass

SCHEDULES = ("inv_depth", "fixed")
INITS = ("lecun", "xavier", "pytorch")
TANH_GAIN = 5.0 / 3.0  # torch.nn.init.calculate_gain("tanh"): keeps deep tanh signals alive


@dataclass(frozen=True)
class ScalingParams:
    """Depths, widths, schedules and duration of the scaling-law experiment.

    Parameters
    ----------
    depths : tuple
        D values, hidden tanh layers, each >= 1.
    width : int
        d, units per hidden layer.
    eta0 : float
        inv_depth schedule: eta = eta0 / D.
    eta_fixed : float
        fixed schedule: eta at every depth.
    batch : int
        S, samples per minibatch, drawn with replacement.
    steps : int
        SGD steps per run.
    n_runs : int
        independent runs per (schedule, depth).
    seed : int
        root of the SeedSequence.
    source : str
        data set, see digits.SOURCES.
    init : str
        weight law before the gain, see init_layers.
    init_gain : float
        multiplies the standard deviation of every initial weight.
    n_checkpoints : int
        log-spaced steps at which the loss is evaluated.
    n_probe : int
        training samples the loss is evaluated on; 0: all of them.
    n_tail : int
        evaluations of f in the last tail_fraction of steps.
    tail_fraction : float
        fraction of the steps at the end over which the tail evaluations are spread.
    diverge_at : float
        minibatch loss above which a run counts as diverged and stops.
    """

    depths: tuple  # D values, hidden tanh layers, each >= 1
    width: int  # d, units per hidden layer
    eta0: float  # inv_depth schedule: eta = eta0 / D
    eta_fixed: float  # fixed schedule: eta at every depth
    batch: int  # S, samples per minibatch, drawn with replacement
    steps: int  # SGD steps per run
    n_runs: int  # independent runs per (schedule, depth)
    seed: int  # root of the SeedSequence
    source: str = "sklearn_digits"  # data set, see digits.SOURCES
    init: str = "lecun"  # weight law before the gain, see init_layers
    init_gain: float = 1.0  # multiplies the standard deviation of every initial weight
    n_checkpoints: int = 40  # log-spaced steps at which the loss is evaluated
    n_probe: int = 0  # training samples the loss is evaluated on; 0: all of them
    n_tail: int = 20  # evaluations of f in the last tail_fraction of steps
    tail_fraction: float = 0.25
    diverge_at: float = 1e3  # minibatch loss above which a run counts as diverged and stops

    def __post_init__(self):
        object.__setattr__(self, "depths", tuple(int(D) for D in self.depths))
        if not self.depths or min(self.depths) < 1 or len(set(self.depths)) != len(self.depths):
            raise ValueError(f"depths must be distinct integers >= 1, got {self.depths!r}")
        for name in ("width", "batch", "steps", "n_runs", "n_checkpoints", "n_tail"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)!r}")
        for name in ("eta0", "eta_fixed", "diverge_at", "init_gain"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        if self.init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {self.init!r}")
        if self.n_probe < 0:
            raise ValueError(f"n_probe must be >= 0 (0: all samples), got {self.n_probe!r}")
        if not 0 < self.tail_fraction <= 1:
            raise ValueError(f"tail_fraction must be in (0, 1], got {self.tail_fraction!r}")
        if self.seed < 0:
            raise ValueError(f"seed must be >= 0, got {self.seed!r}")

    def eta(self, schedule: str, depth: int) -> float:
        """The learning rate of ``schedule`` at depth D."""
        if schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")
        return self.eta0 / depth if schedule == "inv_depth" else self.eta_fixed

    def temperature(self, schedule: str, depth: int) -> float:
        """T = eta / S."""
        return self.eta(schedule, depth) / self.batch
