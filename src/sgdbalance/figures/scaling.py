"""Fig. 5 (right): tanh networks of several depths, learning rate eta0 / D against a fixed one."""

import warnings
from contextlib import contextmanager

import matplotlib.pyplot as plt
import numpy as np

from ..nets.digits import source_label
from ..nets.mlp import SCHEDULES, ScalingParams
from .common import STYLE


@contextmanager
def _all_nan_ok():
    """Silence nanmedian's warning on all-nan slices, which diverged runs make by design."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _schedule_title(schedule: str, params: ScalingParams) -> str:
    if schedule == "inv_depth":
        return f"$\\eta = \\eta_0/D$, $\\eta_0$ = {params.eta0:g}"
    return f"fixed $\\eta$ = {params.eta_fixed:g}"


def scaling_law(stats: dict, params: ScalingParams) -> plt.Figure:
    """Training loss against SGD steps per depth, for both schedules, and the late loss vs D.

    ``stats`` is the output of ``mlp.train_scaling`` run with ``params``. Left and middle: the
    median over runs of the loss on the probe samples (band: min to max over runs); a run that
    diverged ends in a cross at the top of the panel, at the step where it diverged. Right: the
    loss averaged over the last ``tail_fraction`` of the steps, per run (dots) and median (line);
    diverged runs are counted above the axis.

    Returns
    -------
    matplotlib.figure.Figure
        Axes carry the paper's symbols (``T = eta / S``, D hidden layers); save with
        ``figures.save``.
    """
    depths = [int(D) for D in stats["depths"]]
    steps = stats["checkpoint_steps"]
    colors = plt.cm.viridis(np.linspace(0.0, 0.85, len(depths)))
    with plt.style.context(STYLE):
        fig, axes = plt.subplots(1, 3, figsize=(9.6, 3.9), width_ratios=(1.25, 1.25, 1))
        for s, schedule in enumerate(SCHEDULES):
            ax = axes[s]
            for j, D in enumerate(depths):
                loss = stats["loss"][s, j][:, 1:]  # step 0 has no place on a log axis
                div = stats["diverged_step"][s, j]
                label = f"D = {D}, $\\eta$ = {stats['eta'][s, j]:.3g}"
                if (div >= 0).any():
                    label += f" ({(div >= 0).sum()}/{div.size} div.)"
                with _all_nan_ok():
                    med = np.nanmedian(loss, axis=0)
                    lo, hi = np.nanmin(loss, axis=0), np.nanmax(loss, axis=0)
                ax.plot(steps[1:], med, color=colors[j], label=label)
                ax.fill_between(steps[1:], lo, hi, color=colors[j], alpha=0.15, lw=0)
                for step in div[div >= 0]:
                    ax.plot(
                        max(step, 1), 0.97, "x", color=colors[j], ms=6, mew=1.5,
                        transform=ax.get_xaxis_transform(), clip_on=False,
                    )  # fmt: skip
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("SGD steps")
            ax.set_title(_schedule_title(schedule, params))
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2)
        axes[0].set_ylabel(r"training loss $\langle|f(x)-y|^2\rangle$")
        # A diverging run's loss leaves the panel: show training, not how far a blow-up went.
        with _all_nan_ok():
            start = np.nanmax(stats["loss"][..., 1])
            bottom = np.nanmin(stats["loss"])
        for ax in axes[:2]:
            ax.set_ylim(0.7 * bottom, 3 * start)
        ax = axes[2]
        for s, schedule in enumerate(SCHEDULES):
            tail = stats["tail_loss"][s]
            color, marker = ("C3", "o") if schedule == "inv_depth" else ("C0", "s")
            for j, D in enumerate(depths):
                ax.plot([D] * tail.shape[1], tail[j], marker, color=color, ms=3, alpha=0.5)
            with _all_nan_ok():
                med = np.nanmedian(tail, axis=1)
            ax.plot(depths, med, "-" + marker, color=color, label=_schedule_title(schedule, params))
            n_div = (stats["diverged_step"][s] >= 0).sum(axis=1)
            for D, k in zip(depths, n_div, strict=True):
                if k:  # diverged runs have no late loss: count them above the panel
                    y = 1.02 + 0.07 * s
                    ax.plot(D, y, "x", color=color, transform=ax.get_xaxis_transform(),
                            clip_on=False, mew=1.5)  # fmt: skip
                    ax.annotate(
                        f"{k}/{tail.shape[1]}", (D, y), xycoords=("data", "axes fraction"),
                        xytext=(5, 0), textcoords="offset points", va="center", color=color,
                        fontsize=6.5, annotation_clip=False,
                    )  # fmt: skip
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(depths, [str(D) for D in depths])
        ax.set_xlabel("depth D (hidden layers)")
        ax.set_ylabel(f"loss, last {params.tail_fraction:.0%} of steps")
        ax.plot([], [], "x", color="0.3", mew=1.5, label="diverged runs (count)")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22))
        n_train = int(stats["n_train"])
        fig.suptitle(
            f"{source_label(params.source, n_train)}: tanh networks of width d = {params.width}, "
            f"S = {params.batch}, init {params.init} with gain {params.init_gain:.3g}, "
            f"{params.n_runs} runs per depth; loss on {int(stats['n_probe'])} training images",
            fontsize=9,
        )
        fig.tight_layout()
    return fig
