"""Figures read as a reader sees them: every ensemble visible, no label over the data."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.patches import StepPatch  # noqa: E402

from sgdbalance import figures  # noqa: E402
from sgdbalance.simulate import EnsembleParams  # noqa: E402
from sgdbalance.theory import Moments, bin_probability, stationary_density  # noqa: E402

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


def _split(density, rng, replicates=8):
    """A splitting estimate drawn around the density's own bin probabilities (5 % noise), and
    its tail_slope record with a fitted window."""
    edges = 0.7 * 1.5 ** np.arange(15)
    prob = bin_probability(density, edges)
    probability = prob * rng.lognormal(0.0, 0.05, size=(replicates, prob.size))
    record = {"details": {"slope": -3.5, "lo": -3.6, "hi": -3.4, "window": [edges[5], edges[12]]}}
    return {"edges": edges, "probability": probability}, record


def test_fig5_tails_shows_splitting_estimates_and_their_ratio_to_theory():
    rng = np.random.default_rng(np.random.SeedSequence(5))
    panels, fits, splits = [], [], []
    for depth in (0, 1):
        density = stationary_density(M, depth, 0.3)
        samples = density.quantile(rng.uniform(size=(200, 10)))
        params = EnsembleParams(eta=0.3, batch=1, depth=depth, n_runs=200, seed=1, dt=0.005,
                                init=(0.7,) * (depth + 1), method="sgf", time=10.0)  # fmt: skip
        panels.append((samples, params, density))
        fits.append([{"threshold": 1.0, "kappa": 3.0, "lo": 2.5, "hi": 3.5}])
        splits.append(_split(density, rng))
    fig = figures.tail_panels(panels, fits, M, splits)
    density_ax, ratio_ax, _ = fig.axes
    # Every splitting estimate is a visible marker, not hidden under its theory line.
    squares = [ln for ln in density_ax.lines if ln.get_marker() == "s" and len(ln.get_xdata())]
    assert len(squares) == 2 and all(line.get_markerfacecolor() == "white" for line in squares)
    # Below: estimate over theory, near 1 here, with its band.
    ratios = [line for line in ratio_ax.lines if line.get_marker() == "s"]
    assert len(ratios) == 2
    for line in ratios:
        assert np.all(np.abs(np.asarray(line.get_ydata()) - 1) < 0.3)
    assert ratio_ax.collections  # the 2-standard-error bands
    # The legend is the figure's, below the axes: it covers no data.
    assert not density_ax.get_legend() and fig.legends
    fig.canvas.draw()
    legend_top = fig.legends[0].get_window_extent().y1
    assert legend_top <= min(ax.get_tightbbox().y0 for ax in fig.axes) + 1


def test_fig_momentum_draws_every_ensemble_theory_and_optimiser():
    # Four panels from hand-made statistics: each heavy-ball ensemble with its law of balance,
    # each D = 0 setting with its exact variance, each D = 1 gap, each optimiser's two curves.
    rng = np.random.default_rng(np.random.SeedSequence(5))
    t = np.linspace(0, 4, 9)
    balance = []
    for beta in (0.9, 0.5):
        p = EnsembleParams(method="sgd", depth=1, eta=0.002, batch=1, n_runs=4, seed=1, time=4.0,
                           init=(2.0, 0.25), momentum=beta)  # fmt: skip
        g_int = np.tile(t * 0.3, (4, 1))
        imb = 3.9 * np.exp(-4 * p.temperature * g_int / (1 - beta))
        balance.append(("b", {"checkpoint_time": t, "imbalance": imb, "g_integral": g_int}, p))
    rows = [{"eta": e, "batch": 1, "momentum": b, "variance": 1.1, "variance_se": 0.01,
             "exact_variance": 1.1, "sgf_variance_at_t_eff": 1.0, "folk_rule_variance": 1.5}
            for e, b in ((0.2, 0.5), (0.01, 0.9))]  # fmt: skip
    gaps = [{"x": x, "std_gap": 0.7 * x, "std_gap_se": 0.005, "momentum": b, "t_eff": 0.05,
             "batch": 4} for x, b in ((0.2, 0.0), (0.01, 0.9))]  # fmt: skip
    steps = np.array([0, 1, 10, 100])
    adaptive = [(name, name, 0.005, {"checkpoint_steps": steps, "u": 2 + rng.random((3, 4)),
                                     "w": 0.1 + rng.random((3, 4))})
                for name in ("adam", "rmsprop", "sgd")]  # fmt: skip
    fig = figures.momentum_panels(
        balance,
        {"details": {"per_setting": rows}},
        {"details": {"per_setting": gaps, "slope_per_unit_eta_over_1_plus_beta": 0.7}},
        adaptive,
    )
    a, b, c, d = fig.axes
    assert len(a.get_lines()) >= 3 * len(balance)  # ensemble, T_eff law, plain-T law each
    assert len(b.collections) + len(b.containers) >= 1 and len(b.get_xticks()) == len(rows)
    assert d.get_yscale() == "log" and len(d.get_lines()) >= 2 * len(adaptive)
