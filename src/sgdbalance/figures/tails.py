"""Fig. 5 (left): tails of deep linear networks, log-log, and their fitted exponents."""

import matplotlib.pyplot as plt
import numpy as np

from ..theory import tails
from ..theory.density import tail_exponent
from .common import STYLE


def _reached(split: dict) -> np.ndarray:
    """The bins of a splitting estimate that at least two replicates reached (so that it has a
    standard error): the mean over replicates, zeros included, estimates the bin."""
    return (np.asarray(split["probability"]) > 0).sum(axis=0) >= 2


def _splitting_estimate(split: dict, density, upto=np.inf):
    """The splitting estimate per bin two replicates reached, up to ``upto`` in ``|v|``:
    ``(centre, mean, se, theory)``, densities of ``|v|`` (mean over replicates, its standard
    error, the theory's own)."""
    prob = np.asarray(split["probability"])
    centre, mean = tails.bin_density(split["edges"], prob.mean(axis=0))
    keep = _reached(split) & (centre <= upto)
    se = tails.bin_density(split["edges"], prob.std(axis=0, ddof=1) / np.sqrt(prob.shape[0]))[1]
    theory = tails.bin_density(split["edges"], tails.bin_probability(density, split["edges"]))[1]
    return centre[keep], mean[keep], se[keep], theory[keep]


def _splitting_density(ax, ratio_ax, split: dict, record: dict, density, color):
    """The splitting estimate of p(|v|) as open squares with a band of 2 standard errors (its
    mirror on the log axis below), its fitted slope as a dashed black line over the fit's
    window; below, estimate over theory per bin with the same band. With a fit, the estimate is
    drawn out to the end of its window: further out a bin rests on fewer independent root
    excursions than the check requires, and is underestimated on average."""
    upto = record["details"]["window"][1] if "window" in record["details"] else np.inf
    centre, mean, se, theory = _splitting_estimate(split, density, upto)
    upper = mean + 2 * se
    # Symmetric on the log axis (mean^2 / upper), so a wide band does not plunge to zero.
    ax.fill_between(centre, mean**2 / upper, upper, color=color, alpha=0.25, lw=0)
    ax.loglog(centre, mean, "s", ms=3, mfc="white", mec=color, mew=0.8, zorder=3)
    ratio_ax.fill_between(
        centre, (mean - 2 * se) / theory, upper / theory, color=color, alpha=0.25, lw=0
    )
    ratio_ax.semilogx(centre, mean / theory, "s-", ms=2.5, mfc="white", mec=color, color=color,
                      lw=0.6, mew=0.7)  # fmt: skip
    if "slope" in record["details"]:
        d = record["details"]
        lo, hi = d["window"]
        inside = (centre >= lo) & (centre <= hi)
        x = np.geomspace(lo, hi, 20)
        # The fitted line, through the estimate's geometric mean over the window.
        log_anchor = np.mean(np.log(mean[inside])) - d["slope"] * np.mean(np.log(centre[inside]))
        ax.loglog(x, np.exp(log_anchor) * x ** d["slope"], color="k", lw=0.8, ls="--", zorder=4)


def tail_panels(panels: list[tuple], fits: list[list[dict]], moments, splits=()):
    """Densities of ``|v|`` (theory and simulation) and Hill tail indices against the threshold.

    ``panels``: ``(samples, params, density)`` per depth; samples of v, shape (runs, k).
    ``fits``: per depth, ``tails.hill_bootstrap`` records at several tail fractions.
    ``splits``: per depth (in the order of ``panels``, possibly fewer), ``(split, slope)``:
    a splitting estimate (``simulate.splitting.tail_splitting``) and its ``tail_slope``
    check record; drawn as open squares with a band and the fitted slope over its window,
    and below the densities as estimate over theory with the same band.

    Returns
    -------
    matplotlib.figure.Figure
        Axes carry the paper's symbols (``T = eta / S``, D hidden layers); the legend sits
        below the panels, outside the data. Save with ``figures.save``.
    """
    with plt.style.context(STYLE):
        # Room below the panels for the legend (two columns, one row per two entries).
        rows = -(-(len(panels) + (4 if splits else 3)) // 2)
        legend_height = rows * 6.5 * 1.45 / 72 + 0.75  # inches, with the x labels above it
        height = (4.4 if splits else 2.9) + legend_height
        fig = plt.figure(figsize=(7.0, height))
        grid = fig.add_gridspec(
            2 if splits else 1,
            2,
            height_ratios=(2.4, 1.0) if splits else None,
            left=0.1,
            right=0.98,
            top=1 - 0.45 / height,
            bottom=legend_height / height,
            hspace=0.08,
            wspace=0.28,
        )
        ax = fig.add_subplot(grid[0, 0])
        ratio_ax = fig.add_subplot(grid[1, 0], sharex=ax) if splits else None
        ax2 = fig.add_subplot(grid[:, 1])
        u = np.geomspace(0.5, 300, 60)
        far = 1e3
        handles = []
        for i, ((samples, p, density), depth_fits) in enumerate(zip(panels, fits, strict=True)):
            color = f"C{i}"
            slope = tail_exponent(moments, p.depth, p.temperature)
            label = f"D = {p.depth}: theory, slope $\\to$ {slope:.2f}"
            if i < len(splits):
                split, record = splits[i]
                _splitting_density(ax, ratio_ax, split, record, density, color)
                reached = _reached(split).nonzero()[0]
                window = record["details"].get("window", [0, np.inf])
                far = max(far, min(split["edges"][reached[-1] + 1], 2 * window[1]))
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
            (line,) = ax.loglog(s, density.pdf(s) + density.pdf(-s), color=color, lw=1, label=label)
            handles.append(line)
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
        marks = [
            ax.plot([], [], "o", ms=2.5, color="0.4", label="plain simulation")[0],
        ]
        if splits:
            marks += [
                ax.plot([], [], "s", ms=3, mfc="white", mec="0.4", label="splitting, mean")[0],
                ax.fill_between(
                    [], [], [], color="0.4", alpha=0.25, lw=0, label="splitting, $\\pm$ 2 s.e."
                ),  # fmt: skip
                ax.plot([], [], color="k", lw=0.8, ls="--", label="fitted slope, its window")[0],
            ]
        else:
            ref = np.geomspace(20, 1e3, 10)
            for slope, style in ((-3.5, "--"), (-5, "-.")):
                marks.append(ax.loglog(ref, 3e-1 * (ref / 20) ** slope, "k", ls=style, lw=0.8,
                                       label=f"slope {slope:g}")[0])  # fmt: skip
        ax.set_ylim(*((1e-16, 10) if splits else (1e-12, 10)))
        ax.set_xlim(1e-2, far)
        ax.set_ylabel("$p(|v|)$")
        ax.set_title(f"SGF, $T = {panels[0][1].temperature:g}$", fontsize=7)
        if splits:
            plt.setp(ax.get_xticklabels(), visible=False)
            ratio_ax.axhline(1, color="k", lw=0.6)
            ratio_ax.set_xlabel("$|v|$")
            ratio_ax.set_ylabel("splitting / theory", fontsize=7)
            # Estimates within a factor 2.5 of the theory: far out the check's window ends where
            # the estimate is still that close; near v = 0 (bins below the first level, tiny
            # densities for D >= 2) the upper panel shows what this range leaves out.
            ratio_ax.set_ylim(0.0, 2.5)
        else:
            ax.set_xlabel("$|v|$")
        ax2.set_xlabel("threshold $u$")
        ax2.set_ylabel(r"tail index $\kappa$ ($p\sim|v|^{-1-\kappa}$)")
        ax2.set_title(
            "Hill estimate above $u$ (95 % bootstrap);\nline: theory at $u$, dotted: "
            r"$u\to\infty$",
            fontsize=7,
        )
        # The legend below the panels: nothing is drawn over the data.
        fig.legend(handles=handles + marks, loc="lower center", ncol=2, fontsize=6.5,
                   frameon=False, bbox_to_anchor=(0.5, 0.01))  # fmt: skip
    return fig
