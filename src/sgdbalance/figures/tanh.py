"""Fig. 3 (right) and Fig. 5 (middle): the tanh models, sign of v and loss against eta."""

import matplotlib.pyplot as plt
import numpy as np

from .common import STYLE

START_COLORS = {1.0: "C2", -1.0: "C1"}  # start at +v0, -v0
MODEL_COLORS = ("C0", "C1")  # D = 0, D = 1
MODEL_LABELS = ("D = 0: $f=w_0\\tanh(ux)$, u trained", "D = 1: $f=w\\tanh(ux)$, both trained")


def _percent(fraction) -> str:
    return f"{100 * fraction:.2g} %"


def _over_runs(reduce, values):
    """``reduce(values, axis=-1)`` over the finite entries, nan where a row has none."""
    finite = np.isfinite(values).any(axis=-1)
    out = np.full(values.shape[:-1], np.nan)
    out[finite] = reduce(values[finite], axis=-1)
    return out


def wrong_sign(stats: dict, params) -> plt.Figure:
    """Fig. 3 (right): histograms of v for D = 0 and D = 1 by starting sign, and trajectories.

    ``stats`` is ``tanh.train_signs``'s output, ``params`` its TanhSignParams. Each histogram
    is the density of v over the samples after burn-in of the runs started at ``+v0`` or
    ``-v0``; the legend gives the share of samples with ``v < -v_tol`` and of runs ending there.
    The right panel shows v over training for a few runs started at ``-v0``.

    Returns
    -------
    matplotlib.figure.Figure
        Axes carry the paper's symbols (``T = eta / S``, D hidden layers); save with
        ``figures.save``.
    """
    p = params
    edges = stats["hist_edges"]
    sign = stats["start_sign"]
    # density of one sample in one bin: the floor of the log axis
    one_count = 1.0 / (stats["n_samples"] * np.sum(sign > 0) * np.diff(edges)[0])
    with plt.style.context(STYLE):
        fig, axes = plt.subplots(1, 3, figsize=(11.0, 3.2))
        titles = ("D = 0: $f=\\tanh(vx)$", "D = 1: $f=w\\tanh(ux)$, $v=wu$")
        for d, (ax, title) in enumerate(zip(axes[:2], titles, strict=True)):
            lines = []
            for s, start in enumerate((1.0, -1.0)):
                mine = sign == start
                counts = stats["hist_counts"][d, s]
                total = counts.sum() + stats["hist_under"][d, s] + stats["hist_over"][d, s]
                ax.stairs(
                    counts / (total * np.diff(edges)),
                    edges,
                    color=START_COLORS[start],
                    fill=start > 0,  # the two coincide at stationarity: one filled, one line
                    alpha=0.5 if start > 0 else 1.0,
                    lw=0 if start > 0 else 0.9,
                    label=f"started at $v_0={start * p.v0:+g}$",
                )
                wrong_time = stats["wrong_fraction"][d, mine].mean()
                wrong_end = np.mean(stats["v_final"][d, mine] < -p.v_tol)
                lines.append(
                    f"$v_0={start * p.v0:+g}$: {_percent(wrong_time)} of samples, "
                    f"{_percent(wrong_end)} of runs at the end"
                )
            ax.axvline(p.v_star, color="k", ls="--", lw=1, label=f"ground truth $v^*={p.v_star:g}$")
            ax.axvspan(edges[0], -p.v_tol, color="0.92", lw=0, zorder=0)
            ax.plot([], [], " ", label=f"wrong sign, $v<-{p.v_tol:g}$:")
            for line in lines:
                ax.plot([], [], " ", label=line)
            ax.set_yscale("log")
            ax.set_ylim(0.3 * one_count, 1e5)  # headroom for the legend
            ax.set_xlim(edges[0], edges[-1])
            ax.set_xlabel("$v$ (shaded: wrong sign)")
            ax.set_ylabel("$p(v)$, SGD histogram")
            ax.set_title(title)
            ax.legend(loc="upper left", fontsize=6.5)
        ax = axes[2]
        steps = stats["checkpoint_steps"]
        negative = np.flatnonzero(sign < 0)[:3]
        for d in (0, 1):
            v = stats["v_checkpoints"][d][:, negative]
            # step 0 drawn at 0.5 on the log axis
            ax.plot(np.maximum(steps, 0.5), v, color=MODEL_COLORS[d], lw=0.9, alpha=0.8)
            ax.plot([], [], color=MODEL_COLORS[d], label=f"D = {d}")
        ax.axhline(p.v_star, color="k", ls="--", lw=1)
        ax.axhline(0, color="0.6", lw=0.6)
        ax.set_xscale("log")
        ax.set_yscale("symlog", linthresh=p.v_tol)
        ax.set_xlabel("SGD step")
        ax.set_ylabel(f"$v$ (symlog, linear in $\\pm{p.v_tol:g}$)")
        ax.set_title(f"{negative.size} runs per model started at $v_0={-p.v0:g}$")
        ax.legend(loc="lower right")
        fig.suptitle(
            f"SGD, $\\eta={p.eta:g}$, S = {p.batch} ($T={p.temperature:g}$), "
            f"$y=\\tanh({p.v_star:g}x)+{p.sigma:g}\\epsilon$, n = {p.n}, "
            f"{sign.size} runs per model",
            fontsize=9,
        )
        fig.tight_layout()
    return fig


def edge_of_stability(stats: dict, params) -> plt.Figure:
    """Fig. 5 (middle): loss against eta for D = 0 (u trained) and D = 1 (u and w trained).

    ``stats`` is ``tanh.train_stability``'s output, ``params`` its TanhStabilityParams.
    Left: time-averaged full-batch loss, median over the runs that did not diverge (line) and
    their 10-90 % range (band); a cross marks an eta at which every run diverged. Middle: the
    fraction of runs that diverged. Right: the median time-averaged ``|u|`` and ``|w|``.

    Returns
    -------
    matplotlib.figure.Figure
        Axes carry the paper's symbols (``T = eta / S``, D hidden layers); save with
        ``figures.save``.
    """
    p = params
    etas = stats["etas"]
    with plt.style.context(STYLE):
        fig, (ax, ax2, ax3) = plt.subplots(1, 3, figsize=(11.0, 3.2))
        for d in (0, 1):
            color = MODEL_COLORS[d]
            losses = stats["loss_mean"][d]
            alive = np.isfinite(losses).any(axis=-1)
            median = _over_runs(np.nanmedian, losses)
            ax.plot(etas, median, "o-", ms=3, color=color, label=MODEL_LABELS[d])
            if alive.any():
                lo, hi = np.nanquantile(losses[alive], [0.1, 0.9], axis=-1)
                ax.fill_between(etas[alive], lo, hi, color=color, alpha=0.15, lw=0)
            ax2.plot(etas, stats["diverged"][d].mean(axis=-1), "o-", ms=3, color=color)
            u_rms = _over_runs(np.nanmedian, np.sqrt(stats["u2_mean"][d]))
            ax3.plot(etas, u_rms, "o-", ms=3, color=color, label=f"D = {d}: $|u|$")
            if d == 1:
                w_rms = _over_runs(np.nanmedian, np.sqrt(stats["w2_mean"][d]))
                ax3.plot(etas, w_rms, "s--", ms=3, color=color, label="D = 1: $|w|$")
        for d in (0, 1):
            dead = ~np.isfinite(stats["loss_mean"][d]).any(axis=-1)
            ax.plot(
                etas[dead],
                np.full(dead.sum(), 0.96),
                "x",
                color=MODEL_COLORS[d],
                ms=6,
                transform=ax.get_xaxis_transform(),  # x in data, y in axes units: at the top
            )
        ax.axhline(stats["loss_zero"], color="0.4", ls="--", lw=1, label="$f=0$: mean $y^2$")
        ax.axhline(stats["loss_teacher"], color="0.4", ls=":", lw=1, label="teacher's weights")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("learning rate $\\eta$")
        ax.set_ylabel("training loss (time average)")
        ax.set_title("x: all runs diverged", fontsize=8)
        ax.legend(loc="upper left")
        ax2.set_xscale("log")
        ax2.set_ylim(-0.03, 1.03)
        ax2.set_xlabel("learning rate $\\eta$")
        ax2.set_ylabel(f"fraction diverged ($|u|$ or $|w|>{p.diverge_at:g}$)")
        ax3.axhline(p.u_star, color="0.4", ls=":", lw=1)
        ax3.axhline(p.w_star, color="0.4", ls=":", lw=1)
        ax3.set_xscale("log")
        ax3.set_yscale("log")
        ax3.set_xlabel("learning rate $\\eta$")
        ax3.set_ylabel("median RMS weight (dotted: teacher)")
        ax3.legend(loc="upper left")
        fig.suptitle(
            f"SGD, S = {p.batch}, $y={p.w_star:g}\\tanh({p.u_star:g}x)+{p.sigma:g}\\epsilon$, "
            f"n = {p.n}, start $(u, w)=({p.u0:g}, {p.w0:g})$, {p.steps} steps, "
            f"{stats['loss_mean'].shape[-1]} runs per $\\eta$",
            fontsize=9,
        )
        fig.tight_layout()
    return fig
