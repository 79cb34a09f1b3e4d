"""Fig. 5 (beside the digits panel): the scaling law on deep, wide diagonal nets, simulated."""

import matplotlib.pyplot as plt
import numpy as np

from ..theory.scaling import limit_density
from .common import STYLE


def _density(run):
    """The histogram of v sampled after burn-in, as a density: ``(values, edges)``."""
    edges = run["hist_edges"]
    return run["hist_counts"] / (run["n_samples"].sum() * np.diff(edges)), edges


def diagonal_scaling(curve: list[tuple], regimes: dict, moments) -> plt.Figure:
    """Left: ensembles on one curve of ``K = d/(D T)``, each against its density and all against
    the D -> infinity limit. Right: off the curve, ``d = o(D)`` and ``d >> D``.

    ``curve``: ``(run, params, density)`` in increasing D; ``regimes``: ``collapse`` and
    ``concentrate`` -> ``(run, params, density)``.
    """
    k = curve[0][1].width / (curve[0][1].depth * curve[0][1].temperature)
    limit = limit_density(moments, k)
    m = moments.beta2 / moments.beta1
    with plt.style.context(STYLE):
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(7.0, 2.8))
        colors = plt.cm.viridis(np.linspace(0.0, 0.85, len(curve)))
        for color, (run, p, density) in zip(colors, curve, strict=True):
            dens, edges = _density(run)
            v = np.linspace(edges[0] + 1e-4, edges[-1], 800)
            ax.stairs(dens, edges, color=color, lw=0.9, label=f"D = {p.depth}, d = {p.width}")
            ax.plot(v, density.pdf(v), color="k", lw=0.7, ls="--", zorder=3)
        ax.plot(v, limit.pdf(v), color="k", lw=1.4, label=r"$D\to\infty$ limit")
        ax.plot([], [], color="k", lw=0.7, ls="--", label="theory at each D")
        ax.set_title(f"on the curve $d/(D\\,T) = {k:g}$ ($T = {curve[0][1].temperature:g}$)")
        for name, (run, p, density) in regimes.items():
            dens, edges = _density(run)
            color = "C3" if name == "collapse" else "C0"
            kk = p.width / (p.depth * p.temperature)
            label = f"D = {p.depth}, d = {p.width}, T = {p.temperature:g} ($d/(DT) = {kk:g}$)"
            ax2.stairs(dens, edges, color=color, lw=0.9, label=label)
            ax2.plot(v, density.pdf(v), color="k", lw=0.8, ls="--")
        ax2.axvline(m, color="0.5", lw=0.6, ls=":", label=r"minimum $\beta_2/\beta_1$")
        ax2.plot([], [], color="k", lw=0.8, ls="--", label="theory")
        ax2.set_title("off the curve: $d = o(D)$ collapses, $d \\gg D$ concentrates")
        for a in (ax, ax2):
            a.set_xlabel("$v$")
            a.set_ylabel("$p(v)$")
            a.set_xlim(edges[0], edges[-1])
            a.legend(loc="upper right", fontsize=6)
        ax.set_ylim(0, ax.get_ylim()[1] * 1.3)
        ax2.set_yscale("log")
        ax2.set_ylim(1e-2, 1e3)  # the d = 1 density diverges at 0; room for the legend
        fig.tight_layout()
    return fig
