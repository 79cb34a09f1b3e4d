"""Fig. 2: noise balance in a two-layer ReLU network, SGD against GD."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

from .common import METHOD_LABELS, STYLE, quantile_band

LAYER_COLORS = ("C3", "C0")  # W1, W2
METHOD_STYLES = {"sgd": "-", "gd": "--"}


def noise_balance(sgd_stats: dict, gd_stats: dict, sgd_params, gd_params) -> plt.Figure:
    """Fig. 2: squared norms, noise traces and the norm imbalance over training.

    ``sgd_stats``, ``gd_stats`` are outputs of ``relu.train`` (arrays of shape (runs, K));
    ``sgd_params``, ``gd_params`` their ``ReluParams``. SGD is drawn solid (median over runs,
    10-90 % band), GD dashed; step 0 is left out of the logarithmic step axis.
    Left: ``|W1|_F^2``, ``|W2|_F^2``. Middle: the noise traces ``N1``, ``N2`` (sums of the
    per-sample gradient variances over the training set). Right: ``|W1|_F^2 - |W2|_F^2``, which
    GD conserves up to O(eta^2) per step and SGD moves at the rate ``T (N1 - N2)``.

    Returns
    -------
    matplotlib.figure.Figure
        Axes carry the paper's symbols (``T = eta / S``, D hidden layers); save with
        ``figures.save``.
    """
    runs = {"gd": gd_stats, "sgd": sgd_stats}  # SGD drawn last, on top
    with plt.style.context(STYLE):
        fig, (ax_w, ax_n, ax_d) = plt.subplots(1, 3, figsize=(7.2, 2.6))
        for method, stats in runs.items():
            t = stats["checkpoint_steps"][1:]
            style = METHOD_STYLES[method]
            for k, color in enumerate(LAYER_COLORS, start=1):
                quantile_band(ax_w, t, stats[f"norm{k}_sq"][:, 1:], None, color, style)
                quantile_band(ax_n, t, stats[f"n{k}"][:, 1:], None, color, style)
            imbalance = stats["norm1_sq"][:, 1:] - stats["norm2_sq"][:, 1:]
            quantile_band(ax_d, t, imbalance, None, "0.15", style)
        for ax in (ax_w, ax_n, ax_d):
            ax.set_xscale("log")
            ax.set_xlabel(r"SGD steps ($t/\eta$)")
        ax_w.set_yscale("log")
        ax_w.set_ylabel(r"squared norm $\|W_k\|_F^2$")
        ax_n.set_yscale("log")
        ax_n.set_ylabel(r"noise $N_k=\sum\,\mathrm{Var}[\partial l/\partial W_k]$")
        ratio = np.median(sgd_stats["n1"][:, -1] / sgd_stats["n2"][:, -1])
        ax_n.set_title(f"SGD at the end: $N_1/N_2={ratio:.3f}$")
        ax_d.axhline(0.0, color="0.7", lw=0.6)
        ax_d.set_ylabel(r"$\|W_1\|_F^2-\|W_2\|_F^2$")
        ax_d.set_title(r"$\frac{d}{dt}(\|W_1\|_F^2-\|W_2\|_F^2)=T\,(N_1-N_2)$")
        handles = [
            Line2D([], [], color=LAYER_COLORS[0], label=r"layer 1: $\|W_1\|_F^2$, $N_1$"),
            Line2D([], [], color=LAYER_COLORS[1], label=r"layer 2: $\|W_2\|_F^2$, $N_2$"),
            Line2D([], [], color="k", ls="-", label=_label("sgd", sgd_params)),
            Line2D([], [], color="k", ls="--", label=_label("gd", gd_params)),
        ]
        fig.legend(handles=handles, loc="upper center", ncols=4, bbox_to_anchor=(0.5, 1.0))
        fig.tight_layout(rect=(0, 0, 1, 0.92))
    return fig


def _label(method, params):
    if method == "gd":
        return f"{METHOD_LABELS['gd']}, $\\eta={params.eta:g}$"
    return f"SGD, $T=\\eta/S={params.temperature:g}$ ({params.n_runs} runs)"
