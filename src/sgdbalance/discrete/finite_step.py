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
    """
    m = moments
    t = eta / batch
    v_star = m.beta2 / m.beta1
    return float(t * m.g(v_star) / (m.beta1 - eta * m.beta1**2 - t * m.alpha1))
