"""Fig. 5 (left): tails of deep linear networks, log-log, and their fitted exponents."""

import matplotlib.pyplot as plt
import numpy as np

from ..theory import tails
from ..theory.density import tail_exponent
from .common import STYLE


def tail_panels(panels: list[tuple], fits: list[list[dict]], moments):
    """Densities of ``|v|`` (theory and simulation) and Hill tail indices against the threshold.

    ``panels``: ``(samples, params, density)`` per depth; samples of v, shape (runs, k).
    ``fits``: per depth, ``tails.hill_bootstrap`` records at several tail fractions.

    Returns
    -------
    matplotlib.figure.Figure
        Axes carry the paper's symbols (``T = eta / S``, D hidden layers); save with
        ``figures.save``.
    """
    with plt.style.context(STYLE):
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(7.0, 2.9))
        u = np.geomspace(0.5, 300, 60)
        for i, ((samples, p, density), depth_fits) in enumerate(zip(panels, fits, strict=True)):
            color = f"C{i}"
            a = np.abs(samples[np.isfinite(samples)])
            edges = np.geomspace(1e-2, a.max() * 1.01, 40)
            counts, _ = np.histogram(a, edges)
            dens = counts / (a.size * np.diff(edges))
            keep = counts >= 5
            ax.loglog(np.sqrt(edges[1:] * edges[:-1])[keep], dens[keep], "o", ms=2.5, color=color)
            slope = tail_exponent(moments, p.depth, p.temperature)
            s = np.geomspace(1e-2, 1e3, 400)
            ax.loglog(
                s,
                density.pdf(s) + density.pdf(-s),
                color=color,
                lw=1,
                label=f"D = {p.depth}: theory, slope $\\to$ {slope:.2f}",
            )
            kappa_u = [tails.theory_hill(density, x) for x in u]
            ax2.semilogx(u, kappa_u, color=color, lw=1)
            ax2.axhline(-1 - slope, color=color, ls=":", lw=0.8)
            ax2.errorbar(
                [f["threshold"] for f in depth_fits],
                [f["kappa"] for f in depth_fits],
                yerr=np.array([[f["kappa"] - f["lo"], f["hi"] - f["kappa"]] for f in depth_fits]).T,
                fmt="o",
                ms=3,
                color=color,
                capsize=2,
                lw=0.8,
            )
        ref = np.geomspace(20, 1e3, 10)
        for slope, style in ((-3.5, "--"), (-5, "-.")):
            ax.loglog(
                ref, 3e-1 * (ref / 20) ** slope, "k", ls=style, lw=0.8, label=f"slope {slope:g}"
            )
        ax.set_ylim(1e-12, 10)
        ax.set_xlabel("$|v|$")
        ax.set_ylabel("$p(|v|)$")
        ax.set_title(f"SGF, $T = {panels[0][1].temperature:g}$; dots: simulation", fontsize=8)
        ax.legend(fontsize=6, loc="lower left")
        ax2.set_xlabel("threshold $u$")
        ax2.set_ylabel(r"tail index $\kappa$ ($p\sim|v|^{-1-\kappa}$)")
        ax2.set_title(
            "Hill estimate above $u$ (95 % bootstrap);\nline: theory at $u$, dotted: "
            r"$u\to\infty$",
            fontsize=7,
        )
        fig.tight_layout()
    return fig
