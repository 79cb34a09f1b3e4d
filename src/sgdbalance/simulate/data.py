"""Training sets of the scalar regression problem ``y = k x + sigma eps``."""

from dataclasses import dataclass

import numpy as np

# Input distributions, each scaled to E[x^2] = 1 so that beta1 = 1 in the population.
INPUT_DISTRIBUTIONS = ("normal", "uniform")


@dataclass(frozen=True)
class DatasetParams:
    n: int  # number of training samples
    k: float  # slope of the teacher, y = k x + sigma eps
    sigma: float  # label-noise standard deviation
    seed: int
    inputs: str = "normal"  # distribution of x, see INPUT_DISTRIBUTIONS

    def __post_init__(self):
        if self.n < 2:
            raise ValueError(f"n must be >= 2, got {self.n!r}")
        if self.sigma < 0:
            raise ValueError(f"sigma must be >= 0, got {self.sigma!r}")
        if self.k <= 0:
            raise ValueError(f"k must be > 0 (the paper assumes E[xy] > 0), got {self.k!r}")
        if self.inputs not in INPUT_DISTRIBUTIONS:
            raise ValueError(f"inputs must be one of {INPUT_DISTRIBUTIONS}, got {self.inputs!r}")


def make_dataset(params: DatasetParams, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw a training set.

    Returns
    -------
    x, y : ndarray, shape (n,)
        Inputs (unit second moment) and labels ``y = k x + sigma eps``, ``eps ~ N(0, 1)``.
    """
    n = params.n
    if params.inputs == "normal":
        x = rng.standard_normal(n)
    else:
        x = rng.uniform(-np.sqrt(3.0), np.sqrt(3.0), n)
    y = params.k * x + params.sigma * rng.standard_normal(n)
    return x, y
