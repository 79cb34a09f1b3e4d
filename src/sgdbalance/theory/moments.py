"""Data moments that enter the landscape and the gradient noise of the scalar model.

For the per-sample loss ``l = (v x - y)^2`` only five moments of the training set matter
(PAPER.md section 0): the landscape ``beta1 = E[x^2]``, ``beta2 = E[x y]`` and the noise
``alpha1 = Var[x^2]``, ``alpha2 = E[x^3 y] - E[x^2] E[x y]``, ``alpha3 = Var[x y]``.
"""

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Moments:
    """Landscape and noise moments of a training set (population or empirical).

    For the per-sample loss ``l = (v x - y)^2`` (no 1/2) these five numbers are all the SGF
    theory needs; every one is dimensionless for dimensionless ``x`` and ``y``.

    Parameters
    ----------
    alpha1 : float
        ``Var[x^2]``, > 0.
    alpha2 : float
        ``E[x^3 y] - E[x^2] E[x y]``, the covariance of ``x^2`` and ``x y``.
    alpha3 : float
        ``Var[x y]``, > 0.
    beta1 : float
        ``E[x^2]``, > 0: the curvature of the loss in v is ``2 beta1``.
    beta2 : float
        ``E[x y]``; the theory assumes ``beta2 > 0``, and the loss is minimal at
        ``v* = beta2 / beta1``.

    Raises
    ------
    ValueError
        If ``alpha1``, ``alpha3`` or ``beta1`` is not positive, or ``alpha1 alpha3 <
        alpha2^2`` (not a covariance).

    Examples
    --------
    The paper's running example ``x ~ N(0, 1)``, ``y = k x + sigma eps``:

    >>> m = Moments.population(k=1.0, sigma=0.5)
    >>> m.alpha1, m.alpha2, m.alpha3, m.beta1, m.beta2
    (2.0, 2.0, 2.25, 1.0, 1.0)
    >>> float(m.g(1.0))  # Var[dl/dv] = 4 g(v): the noise at the minimum v* = 1
    0.25
    """

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
        """``g(v) = alpha1 v^2 - 2 alpha2 v + alpha3``, so that ``Var[dl/dv] = 4 g(v)``.

        Parameters
        ----------
        v : float or ndarray, any shape
            The model's slope (for a network, the product of its factors summed over paths).

        Returns
        -------
        ndarray, the shape of ``v``
        """
        v = np.asarray(v, dtype=float)
        return self.alpha1 * v**2 - 2 * self.alpha2 * v + self.alpha3

    def as_dict(self) -> dict:
        """``{"alpha1": ..., "beta2": ...}``: the five moments by name."""
        return asdict(self)

    @classmethod
    def population(cls, k: float, sigma: float) -> "Moments":
        """Moments of ``x ~ N(0, 1)``, ``y = k x + sigma eps``, ``eps ~ N(0, 1)``.

        ``beta1 = 1``, ``beta2 = k``, ``alpha1 = 2``, ``alpha2 = 2 k``, ``alpha3 = 2 k^2 +
        sigma^2`` (PAPER.md section 0). A finite training set drawn from this distribution has
        somewhat different moments: give the theory ``of_samples`` of the set SGD sees.

        Parameters
        ----------
        k : float
            Slope of the teacher.
        sigma : float
            Standard deviation of the label noise.
        """
        return cls(alpha1=2.0, alpha2=2.0 * k, alpha3=2.0 * k**2 + sigma**2, beta1=1.0, beta2=k)

    @classmethod
    def of_samples(cls, x, y) -> "Moments":
        """Empirical moments of a training set.

        Parameters
        ----------
        x, y : ndarray, shape (n,)
            Inputs and labels of the training set, one scalar each per sample.

        Returns
        -------
        Moments
            Population variances (``ddof = 0``): each sample has weight ``1/n``, as in
            minibatches drawn uniformly with replacement.

        Examples
        --------
        >>> import numpy as np
        >>> x = np.array([-1.0, 1.0, 2.0])
        >>> m = Moments.of_samples(x, 0.5 * x + np.array([0.1, -0.1, 0.2]))
        >>> round(m.beta1, 6), round(m.beta2, 6)
        (2.0, 1.066667)
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
