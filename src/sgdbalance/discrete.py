"""Where discrete SGD (S = 1) on the two-layer model collapses: the exponent at v = 0.

Near v = 0 one SGD step on ``l = (u w x - y)^2`` is linear in (u, w):
``(u', w') = (I + 2 eta x y J)(u, w)`` with ``J = [[0, 1], [1, 0]]``, whose eigenvectors (1, 1)
and (1, -1) do not depend on the sample. The balanced amplitude is multiplied by
``1 + 2 eta x_i y_i`` at each step, so 0 attracts iff
``Lambda(eta) = mean_i log|1 + 2 eta x_i y_i| < 0``: an exact average over the training set for
S = 1. The SGF's ``T_c = beta2 / alpha3`` and the modified-loss ``beta2 / (alpha3 + beta2^2)``
are the small-eta expansions this is compared with.
"""

import numpy as np
from scipy import optimize

from .moments import Moments


def lyapunov(x, y, eta: float) -> float:
    """``Lambda(eta) = mean log|1 + 2 eta x y|`` over the training set (S = 1, exact)."""
    xy = np.asarray(x, float) * np.asarray(y, float)
    return float(np.mean(np.log(np.abs(1.0 + 2.0 * eta * xy))))


def collapse_thresholds(x, y, eta_max: float, n_grid: int = 600) -> dict:
    """Learning rates (= T for S = 1) where ``Lambda`` changes sign, on ``(0, eta_max]``.

    ``Lambda`` is 0 at eta = 0 with slope ``2 beta2 > 0``: 0 repels for small eta. Each sign
    change found on a grid is refined by Brent's method.
    """
    etas = np.linspace(eta_max / n_grid, eta_max, n_grid)
    values = np.array([lyapunov(x, y, e) for e in etas])
    roots = [
        optimize.brentq(lambda e: lyapunov(x, y, e), etas[i], etas[i + 1], xtol=1e-10)
        for i in np.flatnonzero(np.diff(np.sign(values)) != 0)
    ]
    m = Moments.of_samples(x, y)
    t_c = m.beta2 / m.alpha3
    t_mod = m.beta2 / (m.alpha3 + m.beta2**2)
    first = roots[0] if roots else None
    closer = None
    if first is not None:
        closer = "modified" if abs(first - t_mod) < abs(first - t_c) else "sgf"
    return {
        "quantity": "sign changes of Lambda(eta) = mean log|1 + 2 eta x y| (S = 1)",
        "thresholds": roots,
        "sgf_critical_temperature": t_c,
        "modified_loss_critical_temperature": t_mod,
        "first_threshold_over_t_c": first / t_c if first is not None else None,
        "closer_prediction": closer,
        "lambda_max_on_grid": float(values.max()),
        "eta_max": eta_max,
    }
