"""Training sets of the scalar regression problem ``y = k x + sigma eps``."""

from dataclasses import dataclass

import numpy as np

# Input distributions, each scaled to E[x^2] = 1 so that beta1 = 1 in the population.
INPUT_DISTRIBUTIONS = ("normal", "uniform")


@dataclass(frozen=True)
class DatasetParams:
    """A training set of the scalar regression problem ``y = k x + sigma eps``.

    Parameters
    ----------
    n : int
        Number of training samples, >= 2.
    k : float
        Slope of the teacher, > 0 (the paper assumes ``E[x y] > 0``).
    sigma : float
        Standard deviation of the label noise ``sigma eps``, ``eps ~ N(0, 1)``; >= 0.
    seed : int
        Seed the data rule draws the set from (``SeedSequence(seed)``).
    inputs : {"normal", "uniform"}
        Distribution of x, scaled to ``E[x^2] = 1``: ``N(0, 1)`` or uniform on
        ``[-sqrt 3, sqrt 3]``.
    """

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

    Parameters
    ----------
    params : DatasetParams
        Size, teacher, noise and input distribution.
    rng : numpy.random.Generator
        The source of randomness; the data rule passes
        ``default_rng(SeedSequence(params.seed))``.

    Returns
    -------
    x, y : ndarray, shape (n,)
        Inputs (unit second moment) and labels ``y = k x + sigma eps``, ``eps ~ N(0, 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sgdbalance.theory import Moments
    >>> params = DatasetParams(n=10_000, k=0.5, sigma=0.5, seed=1)
    >>> x, y = make_dataset(params, np.random.default_rng(np.random.SeedSequence(params.seed)))
    >>> x.shape, y.shape
    ((10000,), (10000,))
    >>> m = Moments.of_samples(x, y)  # near the population's beta2 = k = 0.5
    >>> bool(abs(m.beta2 - 0.5) < 0.05)
    True
    """
    n = params.n
    if params.inputs == "normal":
        x = rng.standard_normal(n)
    else:
        x = rng.uniform(-np.sqrt(3.0), np.sqrt(3.0), n)
    y = params.k * x + params.sigma * rng.standard_normal(n)
    return x, y
