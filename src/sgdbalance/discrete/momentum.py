"""Heavy-ball momentum: the effective temperature, the exact stationary variance of linear
regression (D = 0), and the law of balance of the two-layer model (D = 1).

Heavy ball with coefficient beta (the engine's form, ``simulate.ensemble``)::

    m <- beta m - eta G grad_theta v,    theta <- theta + m,

with ``G = 2 (v m2 - mxy)`` the minibatch mean of ``dl/dv`` (``m2``, ``mxy`` the means of
``x^2``, ``x y`` over S samples drawn with replacement). Summed over the ``1 / (1 - beta)``
steps a velocity lives, it moves theta as plain SGD at ``eta / (1 - beta)`` would: drift
``eta / (1 - beta)`` times the gradient and noise ``(eta / (1 - beta))^2 Sigma`` per step, to
leading order in eta. Hence the folk rule's ``T_eff = eta / ((1 - beta) S)`` and SGF time
``t = steps x eta / (1 - beta)``.

**D = 0, exact.** With ``e = v - v*`` (``v* = beta2 / beta1``) and the velocity m, one step is
``(e, m)' = A (e, m) + b`` with ``A = [[1 - p, beta], [-p, beta]]``, ``p = 2 eta m2``,
``b = -eta c (1, 1)``, ``c = 2 (m2 v* - mxy)``; A and b are fresh each step and ``E c = 0``, so
the means vanish at stationarity and the second moments close (``second_moment_map``). Solved:
``Var[v] = T_eff g(v*) / (beta1 - T_eff alpha1 - eta beta1^2 / (1 + beta))``
(``momentum_variance``): the SGF's at T_eff, ``T_eff g / (beta1 - T_eff alpha1)``, but for the
one finite-step term ``eta beta1^2 / (1 + beta)``. At beta = 0 it is
``discrete.discrete_variance``. At equal T_eff, ``eta = (1 - beta) S T_eff``, so the relative gap
to the SGF is ``S T_eff beta1 (1 - beta) / (1 + beta)`` to first order: momentum brings heavy
ball *closer* to the SGF at T_eff than plain SGD at the same T (19 times at beta = 0.9).

**D = 1, exact per step.** On ``l = (u w x - y)^2`` with ``Q = u^2 - w^2`` and, before a step,
``J = u m_u - w m_w``, ``K = m_u^2 - m_w^2``, ``R = w m_u - u m_w``, one heavy-ball step with
minibatch gradient G is the linear map (``imbalance_step``)::

    R' = beta R + eta G Q
    K' = beta^2 K - 2 beta eta G R - eta^2 G^2 Q
    J' = beta J + K'
    Q' = Q + 2 beta J + K'

(at beta = 0, ``Q' = (1 - eta^2 G^2) Q``). Averaged over the fast variables at small eta it gives
``dQ/dt = -eta_eff (E G^2 + 2 sum_j beta^j E[G_t G_t-j]) Q`` per unit SGF time ``t``, with
``eta_eff = eta / (1 - beta)``: the law of balance ``dQ/dt = -4 T_eff g(v) Q`` plus a finite-step
term. Near the minimum the correlations of G along a run cancel most of it: what remains is a
relative excess ``beta1 eta (u^2 + w^2) / (1 + beta)`` (``balance_excess``; ``beta1 eta (u^2 +
w^2)`` for plain SGD).
"""

import numpy as np

from ..theory.moments import Moments


def effective_temperature(eta: float, batch: int, momentum: float) -> float:
    """``T_eff = eta / ((1 - beta) S)``, the temperature of heavy-ball SGD at small eta.

    Parameters
    ----------
    eta : float
        Learning rate, > 0.
    batch : int
        S, samples per minibatch.
    momentum : float
        beta in [0, 1).

    Returns
    -------
    float
        T_eff, dimensionless; ``eta / S`` at beta = 0.

    Examples
    --------
    >>> effective_temperature(0.005, 1, 0.9)
    0.05000000000000001
    """
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
    return eta / ((1.0 - momentum) * batch)


def second_moment_map(moments: Moments, eta: float, batch: int, momentum: float):
    """The exact map of the second moments of D = 0 heavy-ball SGD over one step.

    With ``s = (E e^2, E e m, E m^2)`` (``e = v - v*``, m the velocity, both of mean 0 at
    stationarity), one step maps ``s`` to ``M s + c``. Exact for any training set: it needs
    ``E m2 = beta1``, ``E m2^2 = beta1^2 + alpha1 / S`` and ``E c^2 = 4 g(v*) / S`` of S samples
    drawn with replacement, and nothing else.

    Parameters
    ----------
    moments : Moments
        Moments of the training set.
    eta : float
        Learning rate.
    batch : int
        S, samples per minibatch.
    momentum : float
        beta in [0, 1).

    Returns
    -------
    M : ndarray, shape (3, 3)
    c : ndarray, shape (3,)
        In units of ``v^2``.
    """
    m, b = moments, momentum
    p1 = 2.0 * eta * m.beta1  # E p, p = 2 eta m2
    p2 = 4.0 * eta**2 * (m.beta1**2 + m.alpha1 / batch)  # E p^2
    q = 4.0 * eta**2 * m.g(m.beta2 / m.beta1) / batch  # eta^2 E c^2
    M = np.array(
        [
            [1.0 - 2.0 * p1 + p2, 2.0 * b * (1.0 - p1), b * b],
            [-(p1 - p2), b * (1.0 - 2.0 * p1), b * b],
            [p2, -2.0 * b * p1, b * b],
        ]
    )
    return M, np.full(3, q)


def momentum_covariance(moments: Moments, eta: float, batch: int, momentum: float) -> np.ndarray:
    """Exact stationary covariance of ``(v, m)`` for D = 0 heavy-ball SGD.

    The fixed point of ``second_moment_map``, solved as a 3 x 3 linear system.

    Parameters
    ----------
    moments : Moments
        Moments of the training set.
    eta : float
        Learning rate.
    batch : int
        S, samples per minibatch.
    momentum : float
        beta in [0, 1).

    Returns
    -------
    ndarray, shape (2, 2)
        ``[[Var v, Cov(v, m)], [Cov(v, m), Var m]]`` in units of ``v^2``; every entry inf
        when the second moments do not converge (spectral radius of M at least 1).
    """
    M, c = second_moment_map(moments, eta, batch, momentum)
    if np.max(np.abs(np.linalg.eigvals(M))) >= 1.0:
        return np.full((2, 2), np.inf)
    ee, em, mm = np.linalg.solve(np.eye(3) - M, c)
    return np.array([[ee, em], [em, mm]])


def momentum_variance(moments: Moments, eta: float, batch: int, momentum: float) -> float:
    """Exact stationary Var[v] of heavy-ball SGD on linear regression (D = 0), closed form.

    ``Var = T_eff g(v*) / (beta1 - T_eff alpha1 - eta beta1^2 / (1 + beta))`` with
    ``T_eff = eta / ((1 - beta) S)``; ``discrete.discrete_variance`` at beta = 0.

    Parameters
    ----------
    moments : Moments
        Moments of the training set.
    eta : float
        Learning rate.
    batch : int
        S, samples per minibatch.
    momentum : float
        beta in [0, 1).

    Returns
    -------
    float
        Var[v] in units of ``v^2``; inf where the second moments diverge.

    Examples
    --------
    >>> from sgdbalance.theory import Moments
    >>> m = Moments.population(k=0.5, sigma=0.5)  # g(v*) = sigma^2 = 0.25
    >>> round(momentum_variance(m, eta=0.005, batch=1, momentum=0.9), 6)
    0.01393
    """
    m = moments
    t_eff = effective_temperature(eta, batch, momentum)
    if not np.all(np.isfinite(momentum_covariance(m, eta, batch, momentum))):
        return np.inf
    denominator = m.beta1 - t_eff * m.alpha1 - eta * m.beta1**2 / (1.0 + momentum)
    return float(t_eff * m.g(m.beta2 / m.beta1) / denominator)


def sgf_variance(moments: Moments, temperature: float) -> float:
    """Var[v] of the D = 0 SGF at temperature T: ``T g(v*) / (beta1 - T alpha1)``, inf from
    ``T = beta1 / alpha1`` on (the D = 0 density of Thm 4.2)."""
    m = moments
    if temperature * m.alpha1 >= m.beta1:
        return np.inf
    return float(temperature * m.g(m.beta2 / m.beta1) / (m.beta1 - temperature * m.alpha1))


def variance_gap(moments: Moments, t_eff: float, batch: int, momentum: float) -> float:
    """Relative gap of the exact D = 0 variance to the SGF's at equal T_eff.

    ``momentum_variance / sgf_variance - 1`` at ``eta = (1 - beta) S T_eff``; to first order
    ``S T_eff beta1 (1 - beta) / (1 + beta)``.

    Parameters
    ----------
    moments : Moments
        Moments of the training set.
    t_eff : float
        T_eff = eta / ((1 - beta) S).
    batch : int
        S.
    momentum : float
        beta in [0, 1).

    Returns
    -------
    float
        Dimensionless.
    """
    eta = (1.0 - momentum) * batch * t_eff
    return momentum_variance(moments, eta, batch, momentum) / sgf_variance(moments, t_eff) - 1.0


def imbalance_step(q, j, k, r, g, eta: float, momentum: float):
    """One heavy-ball step of ``(Q, J, K, R)`` on the two-layer model, exact (module docstring).

    Parameters
    ----------
    q, j, k, r : float or ndarray
        ``u^2 - w^2``, ``u m_u - w m_w``, ``m_u^2 - m_w^2``, ``w m_u - u m_w`` before the step.
    g : float or ndarray
        G, the minibatch mean of ``dl/dv``.
    eta : float
        Learning rate.
    momentum : float
        beta.

    Returns
    -------
    tuple
        ``(Q', J', K', R')`` after the step.
    """
    b = momentum
    k_new = b * b * k - 2.0 * b * eta * g * r - (eta * g) ** 2 * q
    return q + 2.0 * b * j + k_new, b * j + k_new, k_new, b * r + eta * g * q


def balance_excess(beta1: float, eta: float, norm2, momentum: float):
    """Leading finite-step excess of the imbalance's decay rate over ``4 T_eff g(v)``.

    Near the minimum, ``-dlog Q/dt = 4 T_eff g(v) (1 + beta1 eta (u^2 + w^2) / (1 + beta))``
    per unit SGF time (module docstring), for D = 1 heavy-ball SGD; ``beta = 0`` is plain SGD.

    Parameters
    ----------
    beta1 : float
        E[x^2].
    eta : float
        Learning rate.
    norm2 : float or ndarray
        ``u^2 + w^2``.
    momentum : float
        beta.

    Returns
    -------
    float or ndarray
        The relative excess, dimensionless.
    """
    return beta1 * eta * np.asarray(norm2) / (1.0 + momentum)
