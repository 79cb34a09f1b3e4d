# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

"""
Where does discrete SGD collapse for my batch size?
===================================================

In the SGF the two-layer model (depth D = 1, `v = u w`) collapses to `v = 0` for
`T = eta / S >= T_c = beta2 / alpha3`, whatever S. Discrete SGD has its own thresholds.
Near `v = 0` one step is linear, `(u', w') = (I + 2 eta m J)(u, w)` with `m` the minibatch
mean of `x y` and `J = [[0, 1], [1, 0]]`; the balanced and antibalanced amplitudes grow by
`1 + 2 eta m` and `1 - 2 eta m` per step, with Lyapunov exponents
`Lambda_pm = E log|1 pm 2 eta m|` over minibatches. `v = 0` attracts iff both are negative,
and then `log|v|` drifts at `2 max(Lambda_+, Lambda_-)` per step.

This example finds, for a training set and several batch sizes S, the temperatures where
that changes sign, sets them beside `T_c`, and checks one by simulating SGD from
`v = 1e-150`. Conventions: per-sample loss `(u w x - y)^2`, `T = eta / S`, minibatches of S
samples drawn with replacement.
"""

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from sgdbalance.discrete import batch_means, threshold_report, top_exponent
from sgdbalance.simulate import DatasetParams, EnsembleParams, make_dataset, simulate
from sgdbalance.theory import Moments, critical_temperature

OUT = Path(os.environ.get("SGDBALANCE_EXAMPLE_OUT", "."))

# %% [markdown]
# The training set and your batch sizes
# -------------------------------------
#
# A weak signal, `y = 0.1 x + eps` (n = 10 000): there discrete SGD does collapse for small S.
# On stronger signals (the workflow's example data, `k = 0.5`, `sigma = 0.5`) there is no
# window at any S (docs, Findings). Put your own `x`, `y` and batch sizes here. For
# S = 1 (or whenever `n^S <= 2^21`) the expectations
# are exact averages over every minibatch; otherwise over `DRAWS` random minibatches, with a
# standard error.

# %%
data = DatasetParams(n=10_000, k=0.1, sigma=1.0, seed=20230815)
x, y = make_dataset(data, np.random.default_rng(np.random.SeedSequence(data.seed)))
BATCHES = (1, 4, 16)
DRAWS = 2**18
SEED = 5
moments = Moments.of_samples(x, y)
t_c = critical_temperature(moments)
print(f"SGF: T_c = beta2 / alpha3 = {t_c:.6g}")

# %% [markdown]
# The thresholds
# --------------
#
# `threshold_report` searches learning rates up to `S eta_max` for the sign changes of
# `max(Lambda_+, Lambda_-)` and reports them as temperatures, with the second-order value
# `beta2 / (alpha3 + S beta2^2)` (the modified-loss `T_c` for S = 1). A window
# `(T_1, T_2)` means: SGD collapses to `v = 0` for T in it, and escapes from 0 below and
# above it; `T_max = eta_max`, the largest temperature searched.

# %%
report = threshold_report(x, y, BATCHES, eta_max=4.0, seed=SEED, draws=DRAWS)
windows = {}
for row in report["per_batch"]:
    s, roots = row["batch"], row["thresholds"]
    windows[s] = roots
    # The exponent is positive at small eta: odd roots enter a collapse window, even ones
    # leave it (an odd count: the last window reaches past the largest eta searched).
    ends = [
        f"{r:.4g}" if row["exact_batches"] else f"{r:.4g} +- {se:.1g}"
        for r, se in zip(roots, row["threshold_se"], strict=True)
    ] + ["T_max"] * (len(roots) % 2)
    where = ", ".join(f"({a}, {b})" for a, b in zip(ends[::2], ends[1::2], strict=True))
    batches = "every batch" if row["exact_batches"] else f"{DRAWS} random batches"
    if where:
        print(f"S = {s}: collapses for T in {where} ({batches})")
    else:
        print(f"S = {s}: never collapses for T up to T_max ({batches})")
    print(f"    second-order value beta2 / (alpha3 + S beta2^2) = {row['second_order']:.4g}")

# %% [markdown]
# The top exponent against T
# --------------------------
#
# The same batches as the report (`batch_means` with the same seed), evaluated on a grid.

# %%
temperatures = np.geomspace(0.02, 2.0, 160)
exponent = {}
for s in BATCHES:
    xy_means = batch_means(x * y, s, [SEED, s], DRAWS)
    exponent[s] = np.array([top_exponent(xy_means, t * s) for t in temperatures])

# %% [markdown]
# A check by simulation (S = 1)
# -----------------------------
#
# SGD from `v = 1e-150` (u = 2w, so both amplitudes are present) stays in the linear regime;
# the mean slope of `log|v|` per step over the second half of 800 steps estimates
# `2 max(Lambda_+, Lambda_-)`. One temperature inside the S = 1 window, one below it.

# %%
lo, hi = windows[1][:2]  # this training set has one window at S = 1
checks = {"inside": float(np.sqrt(lo * hi)), "below": 0.5 * lo}
xy_means_1 = batch_means(x * y, 1, [SEED, 1], DRAWS)
a = np.sqrt(1e-150 / 2)
drift = {}
for i, (where, t) in enumerate(checks.items()):
    params = EnsembleParams(
        method="sgd", depth=1, eta=t, batch=1, n_runs=1024, seed=40 + i, time=800 * t,
        init=(2 * a, a), n_checkpoints=40, diverge_at=1.0,
    )  # fmt: skip
    run = simulate(x, y, params)
    steps, v = run["checkpoint_steps"], run["v"]
    mid = int(np.argmin(np.abs(steps - steps[-1] / 2)))
    rates = np.log(np.abs(v[:, -1] / v[:, mid])) / (steps[-1] - steps[mid])
    predicted = 2 * top_exponent(xy_means_1, t)
    drift[where] = (t, rates.mean(), rates.std(ddof=1) / np.sqrt(rates.size), predicted)
    print(
        f"S = 1, T = {t:.4g} ({where} the window): drift of log|v| = {rates.mean():.5f} "
        f"+- {drift[where][2]:.1g} per step, predicted {predicted:.5f}"
    )

# %% [markdown]
# Plot
# ----

# %%
fig, ax = plt.subplots(figsize=(6.5, 4))
for s in BATCHES:
    ax.plot(temperatures, exponent[s], label=f"S = {s}")
ax.axhline(0, color="grey", lw=0.8)
ax.axvline(t_c, color="k", ls="--", label=f"SGF $T_c = {t_c:.3g}$")
for t, mean, se, _ in drift.values():
    ax.errorbar(t, mean / 2, yerr=se / 2, fmt="o", color="C0")
ax.set_xscale("log")
ax.set_yscale("symlog", linthresh=0.01)  # linear within +-0.01
ax.set(
    xlabel=r"$T = \eta / S$",
    ylabel=r"$\max(\Lambda_+, \Lambda_-)$ per step",
    title="discrete SGD collapses where the curve is below 0\n(dots: simulated, S = 1)",
)
ax.legend(fontsize=8)
fig.tight_layout()
path = OUT / "discrete_collapse.png"
fig.savefig(path, dpi=150)
print(f"plot: {path.name}")  # in SGDBALANCE_EXAMPLE_OUT
