"""Data moments that enter the landscape and the gradient noise of the scalar model.

For the per-sample loss ``l = (v x - y)^2`` only five moments of the training set matter
(PAPER.md section 0): the landscape ``beta1 = E[x^2]``, ``beta2 = E[x y]`` and the noise
``alpha1 = Var[x^2]``, ``alpha2 = E[x^3 y] - E[x^2] E[x y]``, ``alpha3 = Var[x y]``.
"""

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Moments:
    """Landscape and noise moments of a training set (population or empirical)."""

    alpha1: float
    alpha2: float
    alpha3: float
    beta1: float
    beta2: float

    def __post_init__(self):
        if not (self.alpha1 > 0 and self.alpha3 > 0 and self.beta1 > 0):
            raise ValueError(
                f"alpha1, alpha3 and beta1 must be positive, got {self.alpha1!r}, "
                f"{self.alpha3!r}, {self.beta1!r}"
            )
        if self.delta < -1e-12 * self.alpha1 * self.alpha3:
            raise ValueError(
                f"alpha1 * alpha3 - alpha2^2 must be >= 0 (a variance), got {self.delta!r}"
            )

    @property
    def delta(self) -> float:
        """``Delta = alpha1 alpha3 - alpha2^2`` = min of ``alpha1 g``; 0 without label noise."""
        return self.alpha1 * self.alpha3 - self.alpha2**2

    @property
    def has_label_noise(self) -> bool:
        """False when ``x y`` is affine in ``x^2`` (``Delta = 0`` up to rounding)."""
        return self.delta > 1e-10 * self.alpha1 * self.alpha3

    def g(self, v):
        """``g(v) = alpha1 v^2 - 2 alpha2 v + alpha3``, so that ``Var[dl/dv] = 4 g(v)``."""
        v = np.asarray(v, dtype=float)
        return self.alpha1 * v**2 - 2 * self.alpha2 * v + self.alpha3

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def population(cls, k: float, sigma: float) -> "Moments":
        """Moments of ``x ~ N(0, 1)``, ``y = k x + sigma eps``, ``eps ~ N(0, 1)``."""
        return cls(alpha1=2.0, alpha2=2.0 * k, alpha3=2.0 * k**2 + sigma**2, beta1=1.0, beta2=k)

    @classmethod
    def of_samples(cls, x, y) -> "Moments":
        """Empirical moments of a training set.

        Parameters
        ----------
        x, y : ndarray, shape (n,)
            Inputs and labels of the training set.
        """
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        x2, xy = x * x, x * y
        return cls(
            alpha1=float(np.var(x2)),
            alpha2=float(np.mean((x2 - x2.mean()) * (xy - xy.mean()))),
            alpha3=float(np.var(xy)),
            beta1=float(x2.mean()),
            beta2=float(xy.mean()),
        )
