"""Fig. 1: the law of balance on the scalar two-layer model."""

import matplotlib.pyplot as plt
import numpy as np

from .common import METHOD_LABELS, STYLE, quantile_band


def law_of_balance(runs: dict, params: dict, moments) -> plt.Figure:
    """Fig. 1: ``|u^2 - w^2|`` over training for GD, SGD and GD + isotropic noise.

    ``runs`` maps a method name to its ensemble statistics, ``params`` to its EnsembleParams.
    The SGF prediction ``|I_0| exp(-4 T ∫ g(v) dt)`` is drawn from the SGD runs' own v, and
    the bound ``exp(-4 T Delta t / alpha1)``.

    Returns
    -------
    matplotlib.figure.Figure
        Axes carry the paper's symbols (``T = eta / S``, D hidden layers); save with
        ``figures.save``.
    """
    with plt.style.context(STYLE):
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(7.0, 2.8), width_ratios=(1.6, 1))
        colors = {"gd": "0.3", "sgd": "C3", "gd_iso": "C0"}
        order = sorted(runs, key=["gd_iso", "gd", "sgd"].index)  # SGD drawn last, on top
        for method in order:
            run, color = runs[method], colors[method]
            p = params[method]
            t = run["checkpoint_steps"][1:]
            imb = np.abs(run["imbalance"][:, 1:])
            label = METHOD_LABELS[method] + (f", T = {p.temperature:g}" if method != "gd" else "")
            quantile_band(ax, t, imb, label, color, "--" if method == "gd" else "-")
            if method == "sgd":
                pred = np.abs(run["imbalance"][:, :1]) * np.exp(
                    -4 * p.temperature * run["g_integral"][:, 1:]
                )
                ax.plot(
                    t,
                    np.median(pred, axis=0),
                    "--",
                    color="k",
                    lw=1,
                    label=r"SGF: $|I_0|\,e^{-4T\int g(v)\,dt}$",
                )
                bound = np.median(np.abs(run["imbalance"][:, 0])) * np.exp(
                    -4 * p.temperature * moments.delta / moments.alpha1 * t * p.step
                )
                ax.plot(t, bound, ":", color="k", lw=1, label=r"bound $e^{-4T\Delta t/\alpha_1}$")
            u_abs = np.sqrt(np.maximum(run["norm2"] + run["imbalance"], 0) / 2)
            w_abs = np.sqrt(np.maximum(run["norm2"] - run["imbalance"], 0) / 2)
            for i in range(min(3, u_abs.shape[0])):
                ax2.plot(u_abs[i], w_abs[i], color=color, lw=1.0 if method == "sgd" else 0.6)
            ax2.plot(
                u_abs[:3, -1], w_abs[:3, -1], "o", color=color, ms=4, mec="k", mew=0.5, zorder=5
            )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(bottom=max(ax.get_ylim()[0], 1e-12))
        ax.set_xlabel("SGD steps ($t/\\eta$)")
        ax.set_ylabel(r"$|u^2-w^2|$ (median, 10-90 %)")
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], labels[::-1], loc="lower left")
        lim = max(ax2.get_xlim()[1], ax2.get_ylim()[1])
        ax2.plot([0, lim], [0, lim], color="0.7", lw=0.6)
        ax2.set_xlim(0, lim)
        ax2.set_ylim(0, lim)
        ax2.set_aspect("equal")
        ax2.set_xlabel("$|u|$")
        ax2.set_ylabel("$|w|$")
        ax2.plot(u_abs[0, 0], w_abs[0, 0], "k*", ms=7, zorder=6)
        ax2.set_title("3 runs each (star: start, dots: end)")
        fig.tight_layout()
    return fig
