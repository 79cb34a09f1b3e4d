"""Beyond the paper: discrete SGD's collapse threshold in the (T, k) plane (D = 1) and the Kesten
tail index against T (D = 0), each beside the SGF prediction it corrects."""

import matplotlib.pyplot as plt
import numpy as np

from ..discrete import kesten
from .common import STYLE

BATCH_COLORS = ("C0", "C1", "C2", "C3", "C4")


def collapse_plane(sweep: dict):
    """One panel per S: where v = 0 attracts discrete SGD (between the discrete thresholds),
    where runs from the minimum diverge, and the SGF's ``T_c`` with the second-order value.

    Parameters
    ----------
    sweep : dict of ndarray
        A ``divergence_map`` sweep (``discrete.sweeps``): ``ks``, ``temperatures``,
        ``batches`` and, per (S, k, T), the fraction of runs that diverged, with the discrete
        and continuous thresholds of each training set.

    Returns
    -------
    matplotlib.figure.Figure
        Axes carry the paper's symbols (``T = eta / S``, D hidden layers); save with
        ``figures.save``.
    """
    ks, temps, batches = sweep["ks"], sweep["temperatures"], sweep["batches"]
    with plt.style.context(STYLE):
        fig, axes = plt.subplots(
            1, len(batches), figsize=(2.5 * len(batches) + 1, 2.8), sharey=True
        )
        axes = np.atleast_1d(axes)
        for b, (ax, s) in enumerate(zip(axes, batches, strict=True)):
            # Cells centred on the simulated (T, k): edges halfway in log between them.
            mesh = ax.pcolormesh(
                _edges(temps), _edges(ks), sweep["diverged_fraction"][b], cmap="Greys",
                vmin=0, vmax=1, shading="flat", rasterized=True,
            )  # fmt: skip
            roots = sweep["thresholds"][b]
            lower, upper = roots[:, 0], roots[:, 1]
            has = np.isfinite(lower)
            upper = np.where(np.isfinite(upper), upper, temps[-1] * 2)
            ax.fill_betweenx(ks, np.where(has, lower, np.nan), np.where(has, upper, np.nan),
                             color=BATCH_COLORS[b], alpha=0.3, lw=0,
                             label="discrete SGD: 0 attracts")  # fmt: skip
            ax.plot(lower, ks, "-", color=BATCH_COLORS[b], lw=1.4, label="discrete threshold")
            ax.plot(roots[:, 1], ks, "-", color=BATCH_COLORS[b], lw=1.4)
            ax.plot(sweep["sgf_critical_temperature"], ks, "--", color="C3", lw=1.2,
                    label=r"SGF $T_c=\beta_2/\alpha_3$")  # fmt: skip
            ax.plot(sweep["second_order_threshold"][b], ks, ":", color="C4", lw=1.4,
                    label=r"second order $\beta_2/(\alpha_3+S\beta_2^2)$")  # fmt: skip
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlim(temps[0] / 1.2, temps[-1] * 1.2)
            ax.set_ylim(ks[0] / 1.2, ks[-1] * 1.2)
            ax.set_xlabel(r"$T=\eta/S$")
            ax.set_title(f"S = {int(s)}")
        sigma = float(sweep["sigma"])
        axes[0].set_ylabel(rf"teacher slope $k$ ($\sigma = {sigma:g}$)")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="upper center", ncol=4, bbox_to_anchor=(0.45, 0.0))
        fig.colorbar(mesh, ax=axes, label=f"fraction of runs from the minimum diverged\nin "
                     f"{int(sweep['steps'])} steps", shrink=0.9)  # fmt: skip
    return fig


def _edges(centres):
    log = np.log(centres)
    mid = (log[1:] + log[:-1]) / 2
    return np.exp(np.concatenate([[2 * log[0] - mid[0]], mid, [2 * log[-1] - mid[-1]]]))


def kesten_kappa(points: list[dict], sgf_ratio: float, biased=(), t_range=(0.01, 1.0)):
    """kappa against T: the SGF's ``1 + beta1/(T alpha1)`` (``sgf_ratio = beta1/alpha1``),
    Kesten's kappa for ``x ~ N(0, 1)`` and for the training set, per S, and Hill estimates.

    ``points``: dicts with ``temperature``, ``batch``, ``hill``, ``hill_lo``, ``hill_hi``,
    ``kesten`` (of the training set), as in the ``kesten_tails`` check's details.
    ``biased``: rows of a ``hill_bias`` measurement (``temperature``, ``batch``, ``hill``,
    ``hill_std``, ``kesten``) at kappa beyond the checks' scope, drawn hollow.

    Returns
    -------
    matplotlib.figure.Figure
        Axes carry the paper's symbols (``T = eta / S``, D hidden layers); save with
        ``figures.save``.
    """
    batches = sorted({p["batch"] for p in points})
    temps = np.geomspace(*t_range, 200)
    with plt.style.context(STYLE):
        fig, ax = plt.subplots(figsize=(4.6, 3.4))
        ax.plot(temps, 1 + sgf_ratio / temps, "k--", lw=1.2, label="SGF (every S)")
        for b, s in enumerate(batches):
            color = BATCH_COLORS[b]
            grid = np.geomspace(*t_range, 28)
            kappa = np.array([kesten.population_kesten_index(t * s, s) for t in grid])
            ok = kappa > 0
            ax.plot(grid[ok], kappa[ok], "-", color=color, lw=1.2,
                    label=f"Kesten, S = {s}, x ~ N(0,1)")  # fmt: skip
            mine = [p for p in points if p["batch"] == s]
            t = np.array([p["temperature"] for p in mine])
            hill = np.array([p["hill"] for p in mine])
            err = np.array([[p["hill"] - p["hill_lo"] for p in mine],
                            [p["hill_hi"] - p["hill"] for p in mine]])  # fmt: skip
            ax.errorbar(t, hill, yerr=err, fmt="o", color=color, mec="k", ms=4, capsize=2,
                        label=f"SGD, Hill (95 %), S = {s}")  # fmt: skip
            ax.plot(t, [p["kesten"] for p in mine], "x", color="k", ms=4)
            out = [p for p in biased if p["batch"] == s]
            if out:
                ax.errorbar([p["temperature"] for p in out], [p["hill"] for p in out],
                            yerr=[1.96 * p["hill_std"] for p in out], fmt="o", mfc="white",
                            color=color, ms=4, capsize=2)  # fmt: skip
                ax.plot([p["temperature"] for p in out], [p["kesten"] for p in out], "x",
                        color="k", ms=4)  # fmt: skip
        ax.plot([], [], "x", color="k", label="Kesten, training set")
        if biased:
            label = "SGD, Hill, kappa > 2.5 (measured, not checked)"
            ax.plot([], [], "o", mfc="white", mec="0.3", label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(*t_range)
        ax.set_ylim(0.3, 60)
        ax.set_xlabel(r"$T=\eta/S$")
        ax.set_ylabel(r"tail index $\kappa$: $p(v)\sim|v|^{-1-\kappa}$")
        ax.legend(fontsize=6, loc="upper right")
    return fig
