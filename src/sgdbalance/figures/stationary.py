"""Fig. 3 (left, middle): stationary distributions of v, simulation against theory."""

import matplotlib.pyplot as plt
import numpy as np

from .common import METHOD_LABELS, STYLE

# One colour per ensemble (its histogram) and one dash per theory curve (black), in panel order.
COLORS = ("C0", "C3", "C2", "C1")
DASHES = ("-", "--", "-.", ":")


def stationary_panels(panels: list[list[tuple]], log_scale: list[bool]) -> plt.Figure:
    """Fig. 3 (left, middle): histograms of simulated v against theory densities.

    ``panels`` is a list of panels, each a list of ``(run, params, density_or_reason)``:
    the ensemble statistics, its EnsembleParams, and the StationaryDensity (or the reason
    none exists, shown in the legend). ``log_scale`` puts a panel's density axis on a log
    scale, to show a density diverging at 0 next to a heavy tail.

    Returns
    -------
    matplotlib.figure.Figure
        Axes carry the paper's symbols (``T = eta / S``, D hidden layers); save with
        ``figures.save``.
    """
    with plt.style.context(STYLE):
        fig, axes = plt.subplots(1, len(panels), figsize=(3.4 * len(panels), 2.8), squeeze=False)
        for ax, panel, log in zip(axes[0], panels, log_scale, strict=True):
            for color, dash, (run, p, theory) in zip(COLORS, DASHES, panel, strict=False):
                edges = run["hist_edges"]
                total = run["n_samples"].sum()
                dens = run["hist_counts"] / (total * np.diff(edges))
                sim = METHOD_LABELS[p.method]
                if p.method == "sgd":
                    sim += f" $\\eta$={p.eta:g}, S={p.batch}"
                else:
                    sim += f" dt={p.dt:g}"
                # A light fill under a step outline: one ensemble never hides another.
                ax.stairs(dens, edges, color=color, alpha=0.12, fill=True, lw=0)
                ax.stairs(dens, edges, color=color, lw=0.8, label=f"D = {p.depth}: {sim}")
                if isinstance(theory, str):
                    ax.plot([], [], " ", label=f"D = {p.depth} theory: {theory}")
                else:
                    v = np.linspace(edges[0], edges[-1], 2000)
                    ax.plot(v, theory.pdf(v), color="k", lw=1.0, ls=dash,
                            label=f"D = {p.depth}: theory")  # fmt: skip
            ax.set_title(f"$T=\\eta/S={panel[0][1].temperature:g}$")
            ax.set_xlabel("$v$")
            ax.set_ylabel("$p(v)$")
            ax.set_xlim(edges[0], edges[-1])
            if log:
                ax.set_yscale("log")
                ax.set_ylim(1e-3, ax.get_ylim()[1] * 1000)  # the legend above the data
            else:
                ax.set_ylim(0, ax.get_ylim()[1] * 1.6)  # room for the legend
            ax.legend(loc="upper left")
        fig.tight_layout()
    return fig
