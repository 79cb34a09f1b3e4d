"""Beyond the paper: heavy-ball momentum at the folk rule's T_eff, and what Adam and RMSProp do
to the balance of the two-layer model."""

import matplotlib.pyplot as plt
import numpy as np

from .common import STYLE

OPTIMISER_COLORS = {"adam": "C3", "rmsprop": "C2"}


def momentum_panels(balance: list[tuple], variance: dict, gap: dict, adaptive: list[tuple]):
    """Four panels: the imbalance under heavy ball against the law of balance at T_eff; the
    exact D = 0 variance against simulation; the D = 1 gap to Thm 4.2 against ``eta / (1 +
    beta)``; and ``u^2 - w^2`` beside ``|u| - |w|`` under Adam, RMSProp and SGD.

    Parameters
    ----------
    balance : list of tuple
        ``(label, run, params)``: a D = 1 heavy-ball ensemble (``imbalance``, ``g_integral``,
        ``checkpoint_time``, shape (runs, K)) and its ``EnsembleParams``.
    variance : dict
        A ``momentum_variance`` check record; its ``per_setting`` rows are drawn.
    gap : dict
        A ``momentum_gap_series`` check record; its ``per_setting`` rows and slope are drawn.
    adaptive : list of tuple
        ``(label, optimiser, eta, stats)``: ``discrete.adaptive.adaptive_ensemble`` output
        (``checkpoint_steps`` (K,), ``u``, ``w`` (runs, K)).

    Returns
    -------
    matplotlib.figure.Figure
        Save with ``figures.save``.
    """
    with plt.style.context(STYLE):
        fig, axes = plt.subplots(1, 4, figsize=(14.5, 3.2))
        _balance(axes[0], balance)
        _variance(axes[1], variance)
        _gap(axes[2], gap)
        _adaptive(axes[3], adaptive)
        for ax, letter in zip(axes, "abcd", strict=True):
            ax.set_title(f"({letter})", loc="left", fontsize="medium")
        fig.tight_layout()
    return fig


def _balance(ax, balance):
    for i, (_name, run, p) in enumerate(balance):
        beta = p.momentum
        t = p.sgf_time(run["checkpoint_time"])
        imb = run["imbalance"] / run["imbalance"][:, :1]
        lam = 4.0 * p.temperature * p.sgf_time(run["g_integral"])
        color = f"C{i}"
        ax.plot(t, imb.mean(axis=0), "-", color=color, lw=1.6,
                label=rf"heavy ball $\beta={beta:g}$, $\eta={p.eta:g}$")  # fmt: skip
        ax.plot(t, np.exp(-lam).mean(axis=0), "--", color="k", lw=0.9)
        plain = np.exp(-lam * (1.0 - beta) ** 2).mean(axis=0)
        ax.plot(t, plain, ":", color=color, lw=1.2)
    ax.plot([], [], "--", color="k", lw=0.9, label=r"law of balance at $T_{\rm eff}$")
    ax.plot([], [], ":", color="grey", lw=1.2, label=r"the same at $T=\eta/S$")
    ax.set_yscale("log")
    ax.set_xlabel(r"SGF time $t=$ steps $\times\,\eta/(1-\beta)$")
    ax.set_ylabel(r"$E[u^2-w^2]\,/\,(u^2-w^2)_0$")
    ax.legend(fontsize="x-small", loc="lower left")


def _variance(ax, variance):
    rows = variance["details"]["per_setting"]
    x = np.arange(len(rows))
    sgf = np.array([r["sgf_variance_at_t_eff"] for r in rows])
    sim = np.array([r["variance"] for r in rows]) / sgf
    err = 2 * np.array([r["variance_se"] for r in rows]) / sgf
    ax.errorbar(x, sim, yerr=err, fmt="o", color="C0", ms=4, capsize=2,
                label="simulation (2 s.e.)")  # fmt: skip
    ax.plot(x, [r["exact_variance"] for r in rows] / sgf, "x", color="k", ms=8,
            label="exact heavy ball")  # fmt: skip
    ax.plot(x, [r["folk_rule_variance"] for r in rows] / sgf, "s", mfc="none", color="C3",
            label=r"plain SGD at $\eta/(1-\beta)$")  # fmt: skip
    ax.axhline(1.0, color="grey", lw=0.8, ls="--", label=r"SGF at $T_{\rm eff}$")
    ax.set_xticks(x, [f"η={r['eta']:g}\nS={r['batch']}\nβ={r['momentum']:g}" for r in rows],
                  fontsize="x-small")  # fmt: skip
    ax.set_ylabel(r"Var$[v]$ / SGF's at $T_{\rm eff}$ (D = 0)")
    ax.legend(fontsize="x-small")


def _gap(ax, gap):
    rows = gap["details"]["per_setting"]
    x = np.array([r["x"] for r in rows])
    y = np.array([r["std_gap"] for r in rows])
    err = 2 * np.array([r["std_gap_se"] for r in rows])
    ax.errorbar(x, y, yerr=err, fmt="o", color="C0", ms=4, capsize=2,
                label="simulation (2 s.e.)")  # fmt: skip
    for r, xi, yi in zip(rows, x, y, strict=True):
        ax.annotate(rf"$\beta={r['momentum']:g}$", (xi, yi), textcoords="offset points",
                    xytext=(4, -10), fontsize="x-small")  # fmt: skip
    grid = np.linspace(0, x.max() * 1.05, 50)
    slope = gap["details"]["slope_per_unit_eta_over_1_plus_beta"]
    ax.plot(grid, slope * grid, "-", color="k", lw=0.9, label=r"line in $\eta/(1+\beta)$")
    ax.axhline(y[np.argmin([r["momentum"] for r in rows])], color="C3", ls=":",
               label="folk rule: the plain gap")  # fmt: skip
    ax.set_xlabel(r"$\eta/(1+\beta)$ at $T_{\rm eff}=$" + f"{rows[0]['t_eff']:g}, S = "
                  f"{rows[0]['batch']}")  # fmt: skip
    ax.set_ylabel("std of v / Thm 4.2's at $T_{\\rm eff}$ $-$ 1 (D = 1)")
    ax.legend(fontsize="x-small", loc="upper left")


def _adaptive(ax, adaptive):
    colors = iter(["C0", "C4", "C5", "C6"])  # plain SGD, one colour per learning rate
    for label, optimiser, eta, stats in adaptive:
        steps = stats["checkpoint_steps"]
        u, w = stats["u"], stats["w"]
        imb = np.median((u * u - w * w) / (u[:, :1] ** 2 - w[:, :1] ** 2), axis=0)
        mag = np.median((np.abs(u) - np.abs(w)) / (np.abs(u[:, :1]) - np.abs(w[:, :1])), axis=0)
        color = OPTIMISER_COLORS[optimiser] if optimiser != "sgd" else next(colors)
        ax.plot(steps[1:], imb[1:], "-", color=color, lw=1.5,
                label=rf"{label}, $\eta={eta:g}$")  # fmt: skip
        ax.plot(steps[1:], mag[1:], ":", color=color, lw=1.8)
    ax.plot([], [], "-", color="grey", label=r"solid: $u^2-w^2$")
    ax.plot([], [], ":", color="grey", label=r"dotted: $|u|-|w|$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 2.0)
    ax.set_xlabel("steps")
    ax.set_ylabel("median, relative to the start")
    ax.legend(fontsize="xx-small", loc="lower left")
