"""The paper's figures, as functions from statistics and theory to a matplotlib Figure."""

import os
from importlib.resources import files
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .io import atomic_open  # noqa: E402

STYLE = str(files("sgdbalance") / "paper.mplstyle")
METHOD_LABELS = {
    "gd": "GD (T = 0)",
    "sgd": "SGD",
    "gd_iso": "GD + isotropic noise",
    "sgf": "SGF (Euler-Maruyama)",
}


def save(fig, stem) -> list[Path]:
    """Write ``stem.pdf`` and ``stem.png`` atomically, with fixed metadata so reruns match."""
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    paths = []
    for ext, meta in (("pdf", {"CreationDate": None}), ("png", {"Software": None})):
        path = Path(f"{stem}.{ext}")
        with atomic_open(path, "wb") as f:
            fig.savefig(f, format=ext, metadata=meta)
        paths.append(path)
    plt.close(fig)
    return paths


def _quantile_band(ax, t, values, label, color, style="-"):
    med = np.nanmedian(values, axis=0)
    lo, hi = np.nanquantile(values, [0.1, 0.9], axis=0)
    ax.plot(t, med, style, color=color, label=label)
    ax.fill_between(t, lo, hi, color=color, alpha=0.15, lw=0)


def law_of_balance(runs: dict, params: dict, moments) -> plt.Figure:
    """Fig. 1: |u^2 - w^2| over training for GD, SGD and GD + isotropic noise.

    ``runs`` maps a method name to its ensemble statistics, ``params`` to its EnsembleParams.
    The SGF prediction ``|I_0| exp(-4 T ∫ g(v) dt)`` is drawn from the SGD runs' own v, and
    the bound ``exp(-4 T Delta t / alpha1)``.
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
            _quantile_band(ax, t, imb, label, color, "--" if method == "gd" else "-")
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


def stationary_panels(panels: list[list[tuple]], log_scale: list[bool]) -> plt.Figure:
    """Fig. 3 (left, middle): histograms of simulated v against theory densities.

    ``panels`` is a list of panels, each a list of ``(run, params, density_or_reason)``:
    the ensemble statistics, its EnsembleParams, and the StationaryDensity (or the reason
    none exists, shown in the legend). ``log_scale`` puts a panel's density axis on a log
    scale, to show a density diverging at 0 next to a heavy tail.
    """
    with plt.style.context(STYLE):
        fig, axes = plt.subplots(1, len(panels), figsize=(3.4 * len(panels), 2.8), squeeze=False)
        for ax, panel, log in zip(axes[0], panels, log_scale, strict=True):
            for color, (run, p, theory) in zip(("C0", "C3", "C2", "C1"), panel, strict=False):
                edges = run["hist_edges"]
                total = run["n_samples"].sum()
                dens = run["hist_counts"] / (total * np.diff(edges))
                sim = METHOD_LABELS[p.method]
                if p.method == "sgd":
                    sim += f" $\\eta$={p.eta:g}, S={p.batch}"
                else:
                    sim += f" dt={p.dt:g}"
                ax.stairs(
                    dens,
                    edges,
                    color=color,
                    alpha=0.45,
                    fill=True,
                    lw=0,
                    label=f"D = {p.depth}: {sim}",
                )
                if isinstance(theory, str):
                    ax.plot([], [], " ", label=f"D = {p.depth} theory: {theory}")
                else:
                    v = np.linspace(edges[0], edges[-1], 2000)
                    ax.plot(v, theory.pdf(v), color=color, label=f"D = {p.depth}: theory")
            ax.set_title(f"$T=\\eta/S={panel[0][1].temperature:g}$")
            ax.set_xlabel("$v$")
            ax.set_ylabel("$p(v)$")
            ax.set_xlim(edges[0], edges[-1])
            if log:
                ax.set_yscale("log")
                ax.set_ylim(1e-3, ax.get_ylim()[1] * 30)
            else:
                ax.set_ylim(0, ax.get_ylim()[1] * 1.6)  # room for the legend
            ax.legend(loc="upper left")
        fig.tight_layout()
    return fig
