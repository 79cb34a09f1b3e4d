"""Discrete SGD at finite eta against the SGF; the exact discrete variance of linear regression.

``finite_step_gap`` measures how far one discrete-SGD ensemble's stationary v lies from the
SGF density (a measurement, no verdict). ``checks.finite_step.finite_step_series`` checks that
this gap closes as eta -> 0 at fixed T and, for D = 0, that the measured variance is
``discrete_variance``, the exact stationary variance of discrete SGD, rather than the SGF's.
"""

import numpy as np
from scipy import stats

from ..theory.density import StationaryDensity


def finite_step_gap(run: dict, theory: StationaryDensity, params, alpha: float) -> dict:
    """How far discrete SGD's stationary v lies from the SGF density: a measurement.

    Reports the KS distance with the critical value that sampling alone would reach at level
    ``alpha``, and the relative errors of the mean and standard deviation.

    Parameters
    ----------
    run : dict of ndarray
        An ensemble's statistics (``simulate.simulate``): ``v_final``, ``diverged``.
    theory : StationaryDensity
        The SGF density at the ensemble's ``T = eta / S``.
    params : EnsembleParams
        The ensemble's parameters (depth, eta, batch, seed).
    alpha : float
        Level of the KS critical value.

    Returns
    -------
    dict
        ``ks_distance``, ``ks_p_value``, ``sampling_critical_value``,
        ``mean_relative_error``, ``std_relative_error``, ``simulated_skewness``,
        ``diverged``, with ``depth``, ``eta``, ``batch``, ``temperature``, ``n``, ``seed``.
    """
    v = run["v_final"][~run["diverged"]]
    n = v.size
    ks = stats.kstest(v, theory.cdf)
    theory_std = float(np.sqrt(theory.variance))
    return {
        "quantity": "KS distance between final v of discrete SGD and the SGF density",
        "depth": params.depth,
        "eta": params.eta,
        "batch": params.batch,
        "temperature": params.temperature,
        "n": int(n),
        "seed": params.seed,
        "ks_distance": float(ks.statistic),
        "ks_p_value": float(ks.pvalue),
        "sampling_critical_value": float(stats.kstwo.isf(alpha, n)),
        "alpha": alpha,
        "mean_relative_error": float(v.mean() / theory.mean - 1),
        "std_relative_error": float(v.std(ddof=1) / theory_std - 1),
        "simulated_skewness": float(stats.skew(v)),
        "diverged": int(run["diverged"].sum()),
    }


def discrete_variance(moments, eta: float, batch: int) -> float:
    """Exact stationary Var[v] of discrete SGD on linear regression (D = 0), any training set.

    With ``e = v - v*`` one step is ``e' = (1 - 2 eta m2) e - 2 eta (m2 v* - mxy)`` (minibatch
    means, S samples with replacement), whence ``Var = T g(v*) / (beta1 - eta beta1^2 - T
    alpha1)``; for ``x ~ N(0,1)`` this is ``T sigma^2 / (1 - (S + 2) T)`` (PAPER.md section 4).
    The SGF's is the same without ``eta beta1^2``.

    Parameters
    ----------
    moments : Moments
        Moments of the training set.
    eta : float
        Learning rate.
    batch : int
        S, samples per minibatch; ``T = eta / S``.

    Returns
    -------
    float
        ``Var[v]`` at stationarity, in units of ``v^2``; negative (meaningless) once the
        variance has diverged, at ``T = beta1 / (alpha1 + S beta1^2)`` and above.

    Examples
    --------
    >>> from sgdbalance.theory import Moments
    >>> m = Moments.population(k=0.5, sigma=0.5)
    >>> t, s = 0.05, 4
    >>> round(discrete_variance(m, eta=t * s, batch=s), 6)  # T sigma^2 / (1 - (S + 2) T)
    0.017857
    >>> round(t * 0.25 / (1 - 6 * t), 6)
    0.017857
    """
    m = moments
    t = eta / batch
    v_star = m.beta2 / m.beta1
    return float(t * m.g(v_star) / (m.beta1 - eta * m.beta1**2 - t * m.alpha1))
