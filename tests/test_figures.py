"""Figures read as a reader sees them: every ensemble visible, no label over the data."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.patches import StepPatch  # noqa: E402

from sgdbalance import figures  # noqa: E402
from sgdbalance.simulate import EnsembleParams  # noqa: E402
from sgdbalance.theory import Moments, stationary_density  # noqa: E402

M = Moments.population(k=0.5, sigma=0.5)


def _ensemble(depth, temperature, rng):
    """A run dict of final v drawn from the density itself, histogrammed on a fixed grid."""
    density = stationary_density(M, depth, temperature)
    v = density.quantile(rng.uniform(size=2000))
    edges = np.linspace(-0.25, 1.25, 61)
    counts, _ = np.histogram(v, edges)
    run = {"hist_edges": edges, "hist_counts": counts, "n_samples": np.array([v.size]),
           "v_final": v}  # fmt: skip
    params = EnsembleParams(eta=temperature, batch=1, depth=depth, n_runs=8, seed=1,
                            init=(0.7,) * (depth + 1), method="sgd", time=10.0)  # fmt: skip
    return run, params, density


def test_fig3_draws_each_ensemble_as_an_outline():
    rng = np.random.default_rng(np.random.SeedSequence(3))
    panel = [_ensemble(0, 0.05, rng), _ensemble(1, 0.05, rng)]
    fig = figures.stationary_panels([panel], log_scale=[False])
    outlines = [p for p in fig.axes[0].patches if isinstance(p, StepPatch) and not p.get_fill()]
    assert len(outlines) == 2  # neither ensemble can hide the other
    assert len({tuple(p.get_edgecolor()) for p in outlines}) == 2


def test_fig4_puts_point_labels_above_their_panels():
    rng = np.random.default_rng(np.random.SeedSequence(4))
    points = [_ensemble(1, t, rng) for t in (0.05, 0.3)]
    fig = figures.phase_diagram(0.5, 0.5, points)
    for ax, label in zip(fig.axes[1:], "AB", strict=True):
        assert ax.get_title(loc="left").startswith(f"{label}: T = ")
        assert not ax.texts  # nothing written inside the axes, over the density
