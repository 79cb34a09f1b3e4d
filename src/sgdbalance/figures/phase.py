"""Fig. 4: the phase diagram of the two-layer model in the (T, sigma) plane, with simulations."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from ..theory import phase
from .common import STYLE

REGIME_COLORS = ("#d9ead3", "#fff2cc", "#fce5cd", "#e6e6e6")
COLLAPSED = 1e-6  # |v| below which a run counts as collapsed at the end


def phase_diagram(k: float, sigma_data: float, points: list[tuple], sigma_max: float = 1.5):
    """The regimes for ``y = k x + sigma eps`` (population moments) and simulated points.

    ``points``: ``(run, params, theory)`` of D = 1 ensembles at the data's sigma; ``theory`` is
    the StationaryDensity of the same training set, or the reason none exists.

    Returns
    -------
    matplotlib.figure.Figure
        Axes carry the paper's symbols (``T = eta / S``, D hidden layers); save with
        ``figures.save``.
    """
    sigmas = np.linspace(0.02, sigma_max, 150)
    temps = np.linspace(0.005, 1.0, 200)
    regimes = phase.regime_map(k, sigmas, temps)
    bounds = phase.boundaries(k, sigmas)
    with plt.style.context(STYLE):
        fig = plt.figure(figsize=(7.0, 3.2))
        grid = fig.add_gridspec(len(points), 2, width_ratios=(1.5, 1))
        ax = fig.add_subplot(grid[:, 0])
        ax.pcolormesh(temps, sigmas, regimes, cmap=ListedColormap(REGIME_COLORS), vmin=0, vmax=3)
        ax.plot(bounds["t_c"], sigmas, "k-", lw=1.2, label=r"$T_c=\beta_2/\alpha_3$")
        ax.plot(bounds["t_c_third"], sigmas, "k--", lw=1, label=r"$T_c/3$")
        ax.plot(bounds["t_star"], sigmas, "C3-", lw=1.2, label=r"$T^*$ (mode equation)")
        closed = bounds["t_star_closed_form"]
        ax.plot(closed, sigmas, "C3:", lw=1, label=r"$T^*$ paper's closed form")
        ax.axhline(sigma_data, color="0.4", lw=0.6)
        for name, regime_color in zip(phase.REGIME_NAMES, REGIME_COLORS, strict=True):
            ax.fill_between([], [], facecolor=regime_color, edgecolor="0.6", lw=0.3, label=name)
        for i, (_, p, _) in enumerate(points):
            ax.plot(p.temperature, sigma_data, "o", color="C0", mec="k", ms=6, zorder=5)
            ax.annotate(
                "ABCDEFGH"[i],
                (p.temperature, sigma_data),
                xytext=(3, 4),
                textcoords="offset points",
                fontsize=8,
                weight="bold",
            )
        ax.set_xlim(temps[0], temps[-1])
        ax.set_ylim(sigmas[0], sigmas[-1])
        ax.set_xlabel(r"$T=\eta/S$")
        ax.set_ylabel(r"label noise $\sigma$")
        ax.set_title(f"D = 1, $x\\sim N(0,1)$, $y = {k:g}x+\\sigma\\epsilon$", fontsize=8)
        ax.legend(loc="upper right", fontsize=5.5, framealpha=0.9)
        for i, (run, p, theory) in enumerate(points):
            _point_panel(fig.add_subplot(grid[i, 1]), "ABCDEFGH"[i], run, p, theory)
        fig.tight_layout(h_pad=0.6)
        right = fig.axes[1].get_position()
        fig.text(right.x0, 0.995, "$p(v)$: SGF histogram (blue), theory (black)", fontsize=7,
                 va="top")  # fmt: skip
    return fig


def _point_panel(ax, label, run, p, theory):
    """Histogram of simulated v at one point of the plane against the theory density."""
    edges = run["hist_edges"]
    dens = run["hist_counts"] / (run["n_samples"].sum() * np.diff(edges))
    ax.stairs(dens, edges, color="C0", fill=True, alpha=0.45, lw=0)
    final = run["v_final"][np.isfinite(run["v_final"])]
    collapsed = np.mean(np.abs(final) < COLLAPSED)
    if isinstance(theory, str):
        expected = 1.0
    else:
        v = np.linspace(max(edges[0], 1e-4), edges[-1], 1500)
        ax.plot(v, theory.pdf(v), color="k", lw=0.9)
        expected = float(theory.cdf(np.array(COLLAPSED)) - theory.cdf(np.array(-COLLAPSED)))
    # Above the axes, where it covers no data.
    ax.set_title(
        f"{label}: T = {p.temperature:g};  $P(|v|<10^{{-6}})$: sim {collapsed:.0%}, "
        f"theory {expected:.0%}",
        fontsize=6,
        loc="left",
        pad=2,
    )
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 1e2)
    ax.set_xlim(-0.5, 2.5)
    ax.tick_params(labelsize=6)
    ax.set_xlabel("$v$", fontsize=7, labelpad=0)
