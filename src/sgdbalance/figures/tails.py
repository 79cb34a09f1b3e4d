"""Fig. 5 (left): tails of deep linear networks, log-log, and their fitted exponents."""

import matplotlib.pyplot as plt
import numpy as np

from ..theory import tails
from ..theory.density import tail_exponent
from .common import STYLE


def _splitting_density(ax, split: dict, record: dict, color):
    """The splitting estimate of p(|v|) as a band of 2 standard errors (above the mean; its
    mirror on the log axis below) over the bins every replicate reached, and its fitted slope
    as a dashed black line over the fit's window."""
    prob = split["probability"]
    centre, mean = tails.bin_density(split["edges"], prob.mean(axis=0))
    se = tails.bin_density(split["edges"], prob.std(axis=0, ddof=1) / np.sqrt(prob.shape[0]))[1]
    keep = (prob > 0).all(axis=0)
    upper = mean[keep] + 2 * se[keep]
    # Symmetric on the log axis (mean^2 / upper), so a wide band does not plunge to zero.
    ax.fill_between(centre[keep], mean[keep] ** 2 / upper, upper, color=color, alpha=0.35, lw=0)
    if "slope" in record["details"]:
        d = record["details"]
        lo, hi = d["window"]
        inside = (centre >= lo) & (centre <= hi)
        x = np.geomspace(lo, hi, 20)
        # The fitted line, through the estimate's geometric mean over the window.
        log_anchor = np.mean(np.log(mean[inside])) - d["slope"] * np.mean(np.log(centre[inside]))
        ax.loglog(x, np.exp(log_anchor) * x ** d["slope"], color="k", lw=0.8, ls="--")


def tail_panels(panels: list[tuple], fits: list[list[dict]], moments, splits=()):
    """Densities of ``|v|`` (theory and simulation) and Hill tail indices against the threshold.

    ``panels``: ``(samples, params, density)`` per depth; samples of v, shape (runs, k).
    ``fits``: per depth, ``tails.hill_bootstrap`` records at several tail fractions.
    ``splits``: per depth (in the order of ``panels``, possibly fewer), ``(split, slope)``:
    a splitting estimate (``simulate.splitting.tail_splitting``) and its ``tail_slope``
    check record; drawn as a band with the fitted slope over its window.

    Returns
    -------
    matplotlib.figure.Figure
        Axes carry the paper's symbols (``T = eta / S``, D hidden layers); save with
        ``figures.save``.
    """
    with plt.style.context(STYLE):
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(7.0, 3.6 if splits else 2.9))
        u = np.geomspace(0.5, 300, 60)
        far = 1e3
        for i, ((samples, p, density), depth_fits) in enumerate(zip(panels, fits, strict=True)):
            color = f"C{i}"
            slope = tail_exponent(moments, p.depth, p.temperature)
            label = f"D = {p.depth}: theory, slope $\\to$ {slope:.2f}"
            if i < len(splits):
                split, record = splits[i]
                _splitting_density(ax, split, record, color)
                reached = (split["probability"] > 0).all(axis=0).nonzero()[0]
                far = max(far, split["edges"][reached[-1] + 1])
                if "slope" in record["details"]:
                    d = record["details"]
                    label += f"; fit {d['slope']:.2f} [{d['lo']:.2f}, {d['hi']:.2f}]"
            a = np.abs(samples[np.isfinite(samples)])
            edges = np.geomspace(1e-2, a.max() * 1.01, 40)
            counts, _ = np.histogram(a, edges)
            dens = counts / (a.size * np.diff(edges))
            keep = counts >= 5
            ax.loglog(np.sqrt(edges[1:] * edges[:-1])[keep], dens[keep], "o", ms=2.5, color=color)
            s = np.geomspace(1e-2, 1e4, 500)
            ax.loglog(s, density.pdf(s) + density.pdf(-s), color=color, lw=1, label=label)
            kappa_u = tails.theory_hill(density, u)
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
        if splits:
            ax.plot([], [], color="k", lw=0.8, ls="--", label="fitted slope, over its window")
        else:
            ref = np.geomspace(20, 1e3, 10)
            for slope, style in ((-3.5, "--"), (-5, "-.")):
                ax.loglog(ref, 3e-1 * (ref / 20) ** slope, "k", ls=style, lw=0.8,
                          label=f"slope {slope:g}")  # fmt: skip
        ax.set_ylim(*((1e-14, 1e6) if splits else (1e-12, 10)))  # splits: room for the legend
        ax.set_xlim(1e-2, far)
        ax.set_xlabel("$|v|$")
        ax.set_ylabel("$p(|v|)$")
        title = f"SGF, $T = {panels[0][1].temperature:g}$; dots: simulation"
        if splits:
            title += ";\nbands: splitting, mean + 2 s.e.; fit [95 % bootstrap]"
        ax.set_title(title, fontsize=7)
        ax.legend(fontsize=5.5, loc="upper right" if splits else "lower left")
        ax2.set_xlabel("threshold $u$")
        ax2.set_ylabel(r"tail index $\kappa$ ($p\sim|v|^{-1-\kappa}$)")
        ax2.set_title(
            "Hill estimate above $u$ (95 % bootstrap);\nline: theory at $u$, dotted: "
            r"$u\to\infty$",
            fontsize=7,
        )
        fig.tight_layout()
    return fig
