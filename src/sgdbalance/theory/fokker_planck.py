r"""Stationary Fokker-Planck solution of the reduced SDE for v: a check of Thm 4.2 by another route.

Reduced SDE. One path of depth D has D + 1 factors ``u_0 .. u_D`` and ``v = prod_k u_k``; the
per-sample loss is ``l = (v x - y)^2``, so ``dl/du_k = (dl/dv) v_k'`` with ``v_k' = dv/du_k =
v/u_k``, ``E[dl/dv] = L'(v) = 2 (beta1 v - beta2)`` and ``Var[dl/dv] = 4 g(v)``. The gradient
noise covariance of the factors is therefore of rank one, ``Sigma_jk = 4 g(v) v_j' v_k'``, and
the SGF of PAPER.md section 0 is driven by one scalar Brownian motion::

    du_k = -v_k' L'(v) dt + sqrt(4 T g(v)) v_k' dW.

Ito's formula, with ``d^2 v / du_j du_k = v / (u_j u_k)`` for j != k and 0 for j = k, gives ::

    dv = sum_k v_k' du_k + (1/2) sum_{j != k} v/(u_j u_k) * 4 T g v_j' v_k' dt.

On the balanced path ``|u_k| = |v|^(1/(D+1))`` for every k, so ``v_k'^2 = |v|^(2D/(D+1))`` and
``v/(u_j u_k) v_j' v_k' = v^3/(u_j u_k)^2 = v |v|^(2 - 4/(D+1))``; there are D(D+1) ordered
pairs j != k. Hence, with ``p = 2D/(D+1)``, ::

    dv = A(v) dt + sqrt(B(v)) dW,
    A(v) = -(D + 1) |v|^p 2 (beta1 v - beta2) + 2 T g(v) D (D + 1) v |v|^(p - 2/(D+1)),
    B(v) = 4 T g(v) (D + 1)^2 |v|^(2p).

D = 1: ``A = -4 v (beta1 v - beta2) + 4 T g v``, ``B = 16 T g v^2``; D = 0: ``A = -2 (beta1 v -
beta2)``, ``B = 4 T g`` on the whole line. The balanced path is invariant: ``d(u_j^2) = -2 v L'
dt + 2 sqrt(4 T g) v dW + 4 T g v_j'^2 dt`` is the same for every j when the ``|u_j|`` are
equal. With d equal paths (``v = d v_1``, one shared noise) ``A(v) = d A_1(v/d)`` and ``B(v) =
d^2 B_1(v/d)``: the equal-path state of D >= 2, and one of the conserved-ratio states of D = 1.

Zero-flux stationary density. ``p ∝ exp(∫ 2A/B) / B`` with ::

    2A/B = -(beta1 v - beta2) / (T g (D + 1) |v|^p) + D / ((D + 1) v),

whose second term contributes ``|v|^(D/(D+1))``; with ``1/B ∝ |v|^(-2p) / g`` this is
``|v|^(-3D/(D+1)) / g * exp(-(1/T) ∫ (beta1 s - beta2) / ((D+1) s^p g) ds)``: Thm 4.2's ``p_+``
(``d^(1 - 2/(D+1))`` in front of the integral for width d). Without the Ito term the power is
``|v|^(-4D/(D+1))``: the negative control used in the tests.

Numerics. The Fokker-Planck equation ``d rho/dt = -dJ/dy``, ``J = a rho - (1/2) d(b rho)/dy``,
is written in ``y = log v`` for D >= 1 (``a = A/v - B/(2 v^2)``, ``b = B/v^2``: smooth in y down
to v -> 0 and over the power-law tail) and in ``y = v`` for D = 0. The cells are finite volumes
with Scharfetter-Gummel fluxes: with ``q = b rho / 2`` and ``c = 2a/b`` frozen at each interface,
``J = (Bern(-c h) q_i - Bern(c h) q_{i+1}) / h``, ``Bern(z) = z / (e^z - 1)``, exact for
constant c and second order otherwise; the two outer faces carry no flux. The stationary
density is the null vector of the sparse generator, found by a sparse LU solve with one
(redundant: the columns sum to zero) equation replaced by the normalisation. It uses A and B
only, not the closed-form Phi of density.py. In one dimension the null vector carries no flux
through any face, so it amounts to the midpoint rule for ``∫ 2a/b``: what is checked is the
reduction (A, B), the algebra from them to Thm 4.2 and density.py's numerics (singular part,
normalisation, tails), not the formula ``p ∝ exp(∫ 2A/B) / B`` itself.

A zero-flux solution restricted to a window ``[a, b]`` is the stationary solution of the
problem with reflecting walls at a and b. So both densities are compared normalised on the
window, and mass hidden near 0 (D = 1 with ``T_c/3 < T < T_c``, ``p ~ v^(delta - 1)``) does not
enter: only the discretisation error on the window does.

Errors. The finite-volume error falls as h^2 (observed order 2.00) and its Richardson estimate
from the halved grid matches the error against the exact D = 0 density to 1 %; at 2000 cells
it is ~1e-6 on the default windows. The quadrature's own error (1e-5 to 4e-5, its ``log |v|``
step 0.0025 squared times the curvature of ``log p``) is then the larger part of the difference.
"""

import numpy as np
from scipy import sparse
from scipy.sparse import linalg as splinalg

from .density import StationaryDensity, stationary_density
from .moments import Moments

ORDER = 2  # formal order of the Scharfetter-Gummel scheme in the cell size
N_CELLS = 2000  # cells per case in fokker_planck_check; see its docstring for the errors
QUANTILES = (1e-4, 1.0 - 1e-4)  # default window: this much theory mass outside on each side
# (depth, temperature, window) for the example moments; None: the QUANTILES of the theory.
# T = 0.5 lies between T_c/3 = 0.22 and T_c = 0.67 of Moments.population(0.5, 0.5): p ~ v^(-5/6)
# near 0, so its windows start away from 0 (1e-3) and deep inside the hidden mass (1e-12).
CASES = (
    (0, 0.05, None),
    (0, 0.2, None),
    (1, 0.05, None),
    (1, 0.2, None),
    (1, 0.5, (1e-3, 20.0)),
    (1, 0.5, (1e-12, 1e2)),
    (2, 0.05, None),
    (2, 0.2, None),
    (3, 0.05, None),
    (3, 0.2, None),
    (4, 0.2, None),
)


def reduced_sde(moments: Moments, depth: int, temperature: float, width: int = 1):
    """Ito drift A(v) and squared diffusion B(v) of v on the balanced manifold.

    Parameters
    ----------
    moments : Moments
        Moments of the training set the SGD sees.
    depth : int
        D, number of hidden layers (D + 1 factors per path).
    temperature : float
        T = eta / S, dimensionless.
    width : int
        d, number of equal nonzero paths.

    Returns
    -------
    drift, diffusion : callable
        ``A(v)`` and ``B(v)`` (so ``dv = A dt + sqrt(B) dW``), vectorised over ndarray v.
    """
    m, n_factors = moments, depth + 1
    p = 2.0 * depth / n_factors

    def drift(v):
        v = np.asarray(v, dtype=float)
        s = np.abs(v) / width
        gradient = -n_factors * s**p * 2.0 * (m.beta1 * v - m.beta2)
        if depth == 0:  # one factor: v is linear in it, no Ito term (and no 0^-2 at v = 0)
            return width * gradient
        ito = 2.0 * temperature * m.g(v) * depth * n_factors * v * s ** (p - 2.0 / n_factors)
        return width * gradient + ito

    def diffusion(v):
        v = np.asarray(v, dtype=float)
        s = np.abs(v) / width
        return width**2 * 4.0 * temperature * m.g(v) * n_factors**2 * s ** (2.0 * p)

    return drift, diffusion


def _bernoulli(z):
    """``z / (e^z - 1)``, 1 at z = 0, 0 (not nan) where e^z overflows."""
    z = np.asarray(z, dtype=float)
    out = np.ones_like(z)
    nonzero = np.abs(z) > 1e-12
    with np.errstate(over="ignore"):
        out[nonzero] = z[nonzero] / np.expm1(z[nonzero])
    return out


def grid_edges(depth: int, window, n_cells: int):
    """Cell edges in v: uniform in log v on ``window`` for D >= 1, uniform in v for D = 0."""
    a, b = window
    if depth >= 1:
        return np.exp(np.linspace(np.log(a), np.log(b), n_cells + 1))
    return np.linspace(a, b, n_cells + 1)


def stationary_fp(
    moments: Moments, depth: int, temperature: float, grid, width: int = 1, sde=reduced_sde
):
    """Finite-volume stationary density of the reduced SDE, zero flux at both ends of the grid.

    Parameters
    ----------
    moments : Moments
        Moments of the training set.
    depth : int
        D, number of hidden layers.
    temperature : float
        T = eta / S, dimensionless.
    grid : ndarray, shape (n_cells + 1,)
        Increasing cell edges in v (positive for D >= 1, where the cells live in log v);
        uniform in the cell coordinate for second-order accuracy.
    width : int
        d, number of equal paths.
    sde : callable
        ``(moments, depth, temperature, width) -> (A, B)``; ``reduced_sde`` unless a test
        swaps in a wrong one.

    Returns
    -------
    v : ndarray, shape (n_cells,)
        Cell centres in v (midpoints in the cell coordinate).
    pdf : ndarray, shape (n_cells,)
        p(v) at the centres, per unit v, normalised to mass 1 on the grid.
    """
    drift, diffusion = sde(moments, depth, temperature, width)
    edges_v = np.asarray(grid, dtype=float)
    log_coordinate = depth >= 1
    edges = np.log(edges_v) if log_coordinate else edges_v
    y = 0.5 * (edges[1:] + edges[:-1])
    widths = np.diff(edges)

    def coefficients(y):  # drift and squared diffusion in the cell coordinate
        if not log_coordinate:
            return drift(y), diffusion(y)
        v = np.exp(y)
        big_b = diffusion(v)
        return drift(v) / v - big_b / (2.0 * v**2), big_b / v**2

    _, b_centre = coefficients(y)
    a_face, b_face = coefficients(edges[1:-1])
    h = np.diff(y)
    z = 2.0 * a_face / b_face * h
    q = 0.5 * b_centre  # J_{i+1/2} = (Bern(-z) q_i rho_i - Bern(z) q_{i+1} rho_{i+1}) / h
    right = _bernoulli(-z) * q[:-1] / h  # rate out of cell i to the right, per unit rho_i
    left = _bernoulli(z) * q[1:] / h  # rate out of cell i + 1 to the left
    n = y.size
    i = np.arange(n - 1)
    rows = np.concatenate([i, i + 1, i, i + 1])
    cols = np.concatenate([i, i, i + 1, i + 1])
    vals = np.concatenate([-right, right, left, -left])
    # d(rho_i widths_i)/dt = sum_j G_ij rho_j: columns sum to 0, so one row is redundant.
    generator = sparse.coo_matrix((vals, (rows, cols)), shape=(n, n)).tolil()
    generator[n - 1, :] = widths
    rhs = np.zeros(n)
    rhs[-1] = 1.0
    rho = splinalg.spsolve(generator.tocsc(), rhs)
    v = np.exp(y) if log_coordinate else y
    return v, (rho / v if log_coordinate else rho)


def compare_with_quadrature(
    moments: Moments,
    depth: int,
    temperature: float,
    window,
    n_cells: int,
    width: int = 1,
    sde=reduced_sde,
) -> dict:
    """Finite-volume vs quadrature density of v, each normalised on ``window``.

    Returns ``max_relative_difference`` (max over cell centres of ``|p_fp / p_quad - 1|``) and
    ``l1_distance`` (``∫ |p_fp - p_quad| dv`` over the window, by the cells).
    """
    edges = grid_edges(depth, window, n_cells)
    v, p_fp = stationary_fp(moments, depth, temperature, edges, width, sde)
    theory = stationary_density(moments, depth, temperature, width)
    mass = float(np.diff(theory.cdf(np.asarray(window, dtype=float)))[0])
    p_quad = theory.pdf(v) / mass
    return {
        "depth": depth,
        "temperature": temperature,
        "width": width,
        "window": [float(window[0]), float(window[1])],
        "theory_mass_in_window": mass,
        "n_cells": n_cells,
        "max_relative_difference": float(np.max(np.abs(p_fp / p_quad - 1.0))),
        "l1_distance": float(np.sum(np.abs(p_fp - p_quad) * np.diff(edges))),
    }


def fp_error_estimate(
    moments: Moments, depth: int, temperature: float, window, n_cells: int, sde=reduced_sde
) -> float:
    """Richardson estimate of the finite-volume error at ``n_cells``, from the grid halved.

    The coarse grid (``n_cells // 2`` cells of size 2h) is moved down by h/2, so that its
    centres are every other fine centre; by the restriction property both solve the same
    problem up to normalisation. With ``l = log(p_coarse / p_fine)`` at the shared centres and
    ``lbar`` its mean weighted by mass, the fine solution's relative error after normalisation
    is ``max |l - lbar| / (2^ORDER - 1)``, the quadrature taking no part.
    """
    fine = grid_edges(depth, window, n_cells)
    _, p_fine = stationary_fp(moments, depth, temperature, fine, sde=sde)
    y = np.log(fine) if depth >= 1 else fine
    half = 0.5 * (y[1] - y[0])
    coarse_y = np.linspace(y[0] - half, y[-1] - half, n_cells // 2 + 1)
    coarse = np.exp(coarse_y) if depth >= 1 else coarse_y
    _, p_coarse = stationary_fp(moments, depth, temperature, coarse, sde=sde)
    shared = slice(0, 2 * p_coarse.size, 2)
    log_ratio = np.log(p_coarse / p_fine[shared])
    weight = p_fine[shared] * np.diff(fine)[shared]
    centred = log_ratio - np.sum(weight * log_ratio) / np.sum(weight)
    return float(np.max(np.abs(centred)) / (2.0**ORDER - 1.0))


def quadrature_error_bound(theory: StationaryDensity, window) -> float:
    """A priori relative error of the quadrature density on ``window``, from its own table.

    density.py tabulates ``log p`` on a grid of step ``ds`` in ``log |v|`` (trapezoid rule for
    Phi, linear interpolation between nodes); with ``f = log p`` as a function of ``log |v|``,
    ``ds^2 (max |f''| / 8 + ∫ |f''| / 12)`` over the window bounds the two errors.
    """
    ds = theory.log_s[1] - theory.log_s[0]
    worst, total = 0.0, 0.0
    for sign in theory.sides:
        lo, hi = sorted((sign * window[0], sign * window[1]))
        if hi <= 0:
            continue
        inside = theory.log_s[1:-1] <= np.log(hi)
        if lo > 0:
            inside &= theory.log_s[1:-1] >= np.log(lo)
        f2 = np.abs(np.diff(theory.log_pdf[sign], 2)[inside]) / ds**2
        worst = max(worst, float(f2.max()))
        total += float(f2.sum() * ds)
    return ds**2 * (worst / 8.0 + total / 12.0)


def default_window(moments: Moments, depth: int, temperature: float, width: int = 1):
    """The theory's ``QUANTILES``: where both methods are accurate and the density not tiny."""
    theory = stationary_density(moments, depth, temperature, width)
    return tuple(float(x) for x in theory.quantile(np.array(QUANTILES)))
