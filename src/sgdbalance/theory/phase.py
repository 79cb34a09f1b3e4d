"""Regimes of the two-layer model (D = 1) in the (T, sigma) plane: the paper's phase diagram.

On the right side (v > 0) the D = 1 density is ``p ∝ v^(-3/2) g^-1 exp(-(1/2T) ∫ (beta1 s -
beta2) / (s g) ds)``. Setting ``d log p / dv = 0`` and multiplying by ``2 T v g`` gives the
mode equation ::

    7 T alpha1 v^2 + (beta1 - 10 T alpha2) v - (beta2 - 3 T alpha3) = 0,

and near 0 ``p ~ v^(beta2 / (2 alpha3 T) - 3/2)``. Three temperatures split the plane:

- ``T_c = beta2 / alpha3``: above it the density is not normalisable, ``v = 0`` (collapse);
- ``T_c / 3``: below it the density vanishes at 0, above it diverges there;
- ``T*``: where the two positive roots of the mode equation merge and the maximum away from 0
  disappears (zero discriminant). For ``x ~ N(0,1)``, ``y = k x + sigma eps`` this is the
  paper's ``T* = (4k + sqrt(42) sigma) / (4 (21 sigma^2 - 8 k^2))``, but only where the double
  root is positive (``20 k T* > 1``): otherwise (large sigma) the maximum merges with v = 0
  already at ``T_c / 3`` and the closed form bounds no regime.

Weight decay ``gamma`` enters only as ``beta2 -> beta2 - gamma`` (the landscape, not the noise).
"""

import numpy as np

from .moments import Moments

# Regimes, in the order of the paper's diagram (labels for figures and tables).
LEARNING = 0  # T < T_c/3: p(0) = 0, one maximum away from 0
BIMODAL = 1  # T_c/3 < T < min(T*, T_c): p diverges at 0, and a maximum away from 0
NO_MODE = 2  # T*, T_c/3 < T < T_c: p diverges at 0, decreases monotonically
COLLAPSE = 3  # T >= T_c: v = 0 with probability 1
REGIME_NAMES = (
    "learning: p(0) = 0, one mode",
    "p diverges at 0, plus a mode",
    "p diverges at 0, no mode",
    "collapse: v = 0",
)


def mode_coefficients(moments: Moments, temperature, weight_decay: float = 0.0):
    """``(a, b, c)`` of the mode equation ``a v^2 + b v + c = 0`` (any shape of T)."""
    m, t = moments, np.asarray(temperature, dtype=float)
    return (
        7 * t * m.alpha1,
        m.beta1 - 10 * t * m.alpha2,
        -(m.beta2 - weight_decay - 3 * t * m.alpha3),
    )


def modes(moments: Moments, temperature: float, weight_decay: float = 0.0) -> np.ndarray:
    """Local maxima of the D = 1 density at ``v > 0``, in increasing order (maybe none).

    The larger root of the mode equation ``7 T alpha1 v^2 + (beta1 - 10 T alpha2) v -
    (beta2 - gamma - 3 T alpha3) = 0``, if it is positive.

    Parameters
    ----------
    moments : Moments
        Moments of the training set.
    temperature : float
        T = eta / S, dimensionless.
    weight_decay : float
        gamma (loss term ``gamma |theta|^2``).

    Returns
    -------
    ndarray, shape (0,) or (1,)
        The mode in v. At finite T it lies below the minimum ``beta2 / beta1``: SGD is a
        biased estimator.

    Examples
    --------
    >>> from sgdbalance.theory import Moments
    >>> m = Moments.population(k=1.0, sigma=0.5)
    >>> modes(m, 0.05).round(4)  # below the minimum v* = beta2 / beta1 = 1
    array([0.9728])
    >>> modes(m, 0.3).round(4)  # further below it at a higher T
    array([0.9273])
    """
    a, b, c = (float(z) for z in mode_coefficients(moments, temperature, weight_decay))
    disc = b * b - 4 * a * c
    if disc < 0:
        return np.empty(0)
    # The larger root is the maximum (the log-density derivative changes from + to - there):
    # d log p / dv has the sign of -(a v^2 + b v + c) for v > 0.
    root = (-b + np.sqrt(disc)) / (2 * a)
    return np.array([root]) if root > 0 else np.empty(0)


def t_star_example(k: float, sigma: float) -> float:
    """The paper's closed form of T* for ``x ~ N(0,1)``, ``y = k x + sigma eps``; nan if
    ``21 sigma^2 <= 8 k^2`` (then the maximum never merges with the minimum)."""
    denom = 4 * (21 * sigma**2 - 8 * k**2)
    return (4 * k + np.sqrt(42) * sigma) / denom if denom > 0 else np.nan


def t_star(moments: Moments, weight_decay: float = 0.0) -> float:
    """T* from the mode equation itself: the temperature at which its discriminant vanishes
    with a positive double root; nan if there is none.

    The discriminant ``(beta1 - 10 T alpha2)^2 + 28 T alpha1 (beta2' - 3 T alpha3)`` is a
    quadratic in T; its positive roots are candidates.

    Parameters
    ----------
    moments : Moments
        Moments of the training set.
    weight_decay : float
        gamma (loss term ``gamma |theta|^2``), entering as ``beta2' = beta2 - gamma``.

    Returns
    -------
    float
        T* in units of ``T = eta / S``, or nan if the discriminant has no such root: the
        mode away from 0 then either persists up to ``T_c`` or merges with ``v = 0`` at
        ``T_c / 3`` (README, "Findings").
    """
    m, b2 = moments, moments.beta2 - weight_decay
    # disc(T) = A T^2 + B T + C
    A = 100 * m.alpha2**2 - 84 * m.alpha1 * m.alpha3
    B = -20 * m.beta1 * m.alpha2 + 28 * m.alpha1 * b2
    C = m.beta1**2
    roots = np.roots([A, B, C]) if A != 0 else np.array([-C / B])
    roots = np.sort(roots[np.isreal(roots)].real)
    for t in roots:
        if t > 0:
            a, b, _ = mode_coefficients(m, t, weight_decay)
            if -b / (2 * a) > 0:  # the double root lies on the learning side
                return float(t)
    return np.nan


def regime(moments: Moments, temperature: float, weight_decay: float = 0.0) -> int:
    """Which of the four regimes ``(T, data)`` lies in (see REGIME_NAMES).

    Parameters
    ----------
    moments : Moments
        Moments of the training set.
    temperature : float
        T = eta / S, dimensionless.
    weight_decay : float
        gamma (loss term ``gamma |theta|^2``).

    Returns
    -------
    int
        ``LEARNING`` (0, ``T < T_c/3``), ``BIMODAL`` (1), ``NO_MODE`` (2) or ``COLLAPSE``
        (3, ``T >= T_c``); ``REGIME_NAMES[i]`` describes regime i.

    Examples
    --------
    >>> from sgdbalance.theory import Moments
    >>> m = Moments.population(k=1.0, sigma=0.5)  # T_c = 0.444
    >>> [REGIME_NAMES[regime(m, t)] for t in (0.1, 0.3, 0.5)]
    ['learning: p(0) = 0, one mode', 'p diverges at 0, plus a mode', 'collapse: v = 0']
    """
    t_c = (moments.beta2 - weight_decay) / moments.alpha3
    if temperature >= t_c:
        return COLLAPSE
    if temperature < t_c / 3:
        return LEARNING
    return BIMODAL if modes(moments, temperature, weight_decay).size else NO_MODE


def regime_map(k: float, sigmas, temperatures) -> np.ndarray:
    """Regimes on a grid, for population moments of ``y = k x + sigma eps``.

    Returns
    -------
    ndarray of int, shape (len(sigmas), len(temperatures))
    """
    return np.array(
        [[regime(Moments.population(k, s), t) for t in temperatures] for s in sigmas],
        dtype=np.int64,
    )


def boundaries(k: float, sigmas) -> dict:
    """``T_c``, ``T_c/3`` and ``T*`` (closed form and from the mode equation) against sigma."""
    sigmas = np.asarray(sigmas, dtype=float)
    moments = [Moments.population(k, s) for s in sigmas]
    t_c = np.array([m.beta2 / m.alpha3 for m in moments])
    return {
        "sigma": sigmas,
        "t_c": t_c,
        "t_c_third": t_c / 3,
        "t_star": np.array([t_star(m) for m in moments]),
        "t_star_closed_form": np.array([t_star_example(k, s) for s in sigmas]),
    }
