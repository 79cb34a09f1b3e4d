"""A normalised density of v tabulated on a grid of ``log |v|``: pdf, cdf, quantiles, moments.

The stationary densities of Thm 4.2 (``density.stationary_density``) and the scaling limit
(``scaling.limit_density``) are both returned as one.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class StationaryDensity:
    """A normalised stationary density of v, tabulated on a grid of ``log |v|``.

    Made by ``stationary_density`` (or ``scaling.limit_density``); ``v`` is the network's
    slope, the sum over paths of the product of each path's D + 1 factors.

    Parameters
    ----------
    depth : int
        D, number of hidden layers.
    temperature : float
        T = eta / S, dimensionless.
    width : int
        d, number of nonzero paths.
    sides : tuple of int
        The signs carrying mass: ``(1,)`` or ``(-1,)`` for D >= 1 (the density ``p_sign``),
        ``(-1, 1)`` for D = 0 (one density on the whole line).
    log_s : ndarray, shape (n,)
        Uniform grid of ``log |v|``, from the smallest normal double (``|v|`` about 2e-308)
        to about ``e^25`` times the scale of the data.
    log_pdf : dict of int to ndarray, shape (n,)
        Per sign, the normalised ``log p(v)`` at ``v = sign * exp(log_s)``.
    mass_below : dict of int to float
        Per sign, the probability of ``|v| < exp(log_s[0])`` (from the local power law).
    cum_mass : dict of int to ndarray, shape (n,)
        Per sign, the probability of ``0 < sign * v <= exp(log_s[i])``.
    tail_slope : dict of int to float
        Per sign, ``d log p / d log |v|`` at the top of the grid (the tail exponent).
    """

    depth: int
    temperature: float
    width: int
    sides: tuple
    log_s: np.ndarray  # shape (n,), grid of log|v|
    log_pdf: dict  # sign -> ndarray, shape (n,), normalised log p(v) at v = sign exp(log_s)
    mass_below: dict  # sign -> mass with |v| < exp(log_s[0])
    cum_mass: dict  # sign -> ndarray, shape (n,), mass with |v| <= exp(log_s[i])
    tail_slope: dict  # sign -> d log p / d log|v| at the top of the grid

    def pdf(self, v):
        """Density at ``v``: 0 on a side without mass and beyond the grid; below the grid
        (``|v| < 2.2e-308``, including 0) the value at its bottom edge.

        Parameters
        ----------
        v : float or ndarray, any shape

        Returns
        -------
        ndarray, the shape of ``v``
            ``p(v)``, per unit v.
        """
        v = np.asarray(v, dtype=float)
        out = np.zeros_like(v)
        with np.errstate(divide="ignore"):
            log_abs = np.maximum(np.log(np.abs(v)), self.log_s[0])
        side_of = np.where(v == 0, self.sides[-1], np.sign(v))
        for sign in self.sides:
            inside = (side_of == sign) & (log_abs <= self.log_s[-1])
            out[inside] = np.exp(np.interp(log_abs[inside], self.log_s, self.log_pdf[sign]))
        return out

    def cdf(self, v):
        """``P(V <= v)``, with the mass beyond the grid at each end included.

        Parameters
        ----------
        v : float or ndarray, any shape

        Returns
        -------
        ndarray, the shape of ``v``
            In [0, 1]; a callable ``scipy.stats.kstest`` accepts.
        """
        v = np.asarray(v, dtype=float)
        with np.errstate(divide="ignore"):
            log_abs = np.clip(np.log(np.abs(v)), self.log_s[0], self.log_s[-1])
        total = {sign: self.cum_mass[sign][-1] for sign in self.sides}
        minus = total.get(-1, 0.0)

        def inner(sign):  # mass with 0 < sign * V <= |v|
            return np.interp(log_abs, self.log_s, self.cum_mass[sign])

        out = np.full_like(v, minus)
        if -1 in self.sides:
            neg = v < 0
            out[neg] = minus - inner(-1)[neg]
        if 1 in self.sides:
            pos = v > 0
            out[pos] = minus + inner(1)[pos]
        return np.clip(out, 0.0, 1.0)

    def quantile(self, q):
        """Inverse of the CDF, by interpolation on the grid.

        Parameters
        ----------
        q : float or ndarray, any shape
            Probabilities in [0, 1].

        Returns
        -------
        ndarray, the shape of ``q``
            The values of v.
        """
        minus = self.cum_mass[-1][-1] if -1 in self.sides else 0.0
        v, c = [], []
        if -1 in self.sides:
            v.append(-np.exp(self.log_s[::-1]))
            c.append(minus - self.cum_mass[-1][::-1])
        if 1 in self.sides:
            v.append(np.exp(self.log_s))
            c.append(minus + self.cum_mass[1])
        return np.interp(q, np.concatenate(c), np.concatenate(v))

    def moment(self, power: int) -> float:
        """``E[v^power]``; ``inf`` when the tail is too heavy for it to exist.

        Parameters
        ----------
        power : int
            A positive integer.

        Returns
        -------
        float
        """
        total = 0.0
        ds = self.log_s[1] - self.log_s[0]
        for sign in self.sides:
            if self.tail_slope[sign] + power >= -1:
                return np.inf
            integrand = np.exp(self.log_pdf[sign] + (power + 1) * self.log_s)
            top = integrand[-1] / -(self.tail_slope[sign] + power + 1)
            total += sign**power * (np.trapezoid(integrand, dx=ds) + top)
        return float(total)

    @property
    def mean(self) -> float:
        """``E[v]``."""
        return self.moment(1)

    @property
    def variance(self) -> float:
        """``Var[v]``; ``inf`` when ``E[v^2]`` is infinite (D = 0 at ``T >= beta1 / alpha1``)."""
        m2 = self.moment(2)
        return float(m2 - self.mean**2) if np.isfinite(m2) else np.inf
