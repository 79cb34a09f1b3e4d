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
The stationary density and T_c for your own data
================================================

The SGF theory of the paper (Thm 4.2) needs only five moments of the training set: the
landscape `beta1 = E[x^2]`, `beta2 = E[x y]` and the noise `alpha1 = Var[x^2]`,
`alpha2 = E[x^3 y] - E[x^2] E[x y]`, `alpha3 = Var[x y]`. From them this example computes,
for the scalar model `f(x) = v x` with per-sample loss `(f - y)^2` (no 1/2):

- the critical temperature `T_c = beta2 / alpha3` of the two-layer model (depth D = 1, one
  hidden layer, `v = u w`), above which SGD collapses to `v = 0`;
- the stationary density of `v` at temperatures `T = eta / S` below it, for D = 0
  (linear regression), D = 1 and D = 2, with its mean, spread and mode.

Run it as a script (`python examples/density_and_tc.py`; the plot goes to the folder named
by `SGDBALANCE_EXAMPLE_OUT`, default the current one) or open it as a notebook with
jupytext.
"""

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from sgdbalance.theory import (
    Moments,
    NotNormalisable,
    critical_temperature,
    modes,
    stationary_density,
    t_star,
    tail_exponent,
)

OUT = Path(os.environ.get("SGDBALANCE_EXAMPLE_OUT", "."))

# %% [markdown]
# Your data
# ---------
#
# Put your own inputs and labels here: two 1-d arrays of equal length, one scalar input and
# one label per sample, e.g. `x, y = np.loadtxt("my_data.csv", delimiter=",", unpack=True)`.
# The theory must use the moments of the training set that SGD actually samples, not of the
# distribution it was drawn from. Here: uniform inputs and a nonlinear teacher with noise,
# which the linear model fits as well as it can.

# %%
rng = np.random.default_rng(7)
x = rng.uniform(-np.sqrt(3.0), np.sqrt(3.0), 5000)  # E[x^2] = 1
y = 0.6 * np.sin(x) + 0.8 * rng.standard_normal(x.size)

moments = Moments.of_samples(x, y)
for name, value in moments.as_dict().items():
    print(f"{name} = {value:.6g}")
print(f"v* = beta2 / beta1 = {moments.beta2 / moments.beta1:.6g}  (the minimum of the loss)")

# %% [markdown]
# The critical temperature
# ------------------------
#
# For D = 1, near `v = 0` the right-sign density behaves like `v^(beta2 / (2 alpha3 T) - 3/2)`:
# it is normalisable only for `T < T_c`. Between `T_c / 3` and `T_c` it diverges at 0 (but is
# normalisable); below `T_c / 3` it vanishes there. `T*` is where the mode away from 0
# disappears into a double root of the mode equation (nan if it does not: the mode then
# persists up to `T_c` or merges with `v = 0` at `T_c / 3`). With weight decay `gamma`,
# `T_c = (beta2 - gamma) / alpha3`.

# %%
t_c = critical_temperature(moments)
print(f"T_c = beta2 / alpha3 = {t_c:.10g}")
print(f"T_c / 3 = {t_c / 3:.6g}")
t_mode = t_star(moments)
if not np.isnan(t_mode):
    print(f"T* = {t_mode:.6g}")
elif modes(moments, 1.01 * t_c / 3).size:
    print("T* = nan: the mode away from 0 persists up to T_c")
else:
    print("T* = nan: the mode away from 0 merges with v = 0 already at T_c / 3")
print(f"T_c with weight decay gamma = 0.01: {critical_temperature(moments, weight_decay=0.01):.6g}")
# T = eta / S: in the SGF, the two-layer model learns at batch size S for eta < S T_c.
# Discrete SGD at such steps is another matter (examples/discrete_collapse.py).
for batch in (1, 8, 64):
    print(f"S = {batch}: the SGF learns for eta < S T_c = {batch * t_c:.4g}")

# %% [markdown]
# The stationary density below T_c (D = 1)
# ----------------------------------------
#
# `stationary_density` tabulates the normalised density of Thm 4.2 on a grid of `log|v|`
# reaching down to the smallest normal double, so that the mass piling up near 0 just below
# `T_c` is not lost. Above `T_c` it raises `NotNormalisable` with the reason.

# %%
fractions = (0.2, 0.5, 0.9)
d1 = {}
for fraction in fractions:
    t = fraction * t_c
    p = stationary_density(moments, depth=1, temperature=t)
    d1[fraction] = p
    mode = modes(moments, t)
    mode_text = f"{mode[0]:.4g}" if mode.size else "none"
    print(
        f"D = 1, T = {fraction} T_c = {t:.4g}: mean = {p.mean:.6g}, "
        f"std = {np.sqrt(p.variance):.4g}, median = {p.quantile(0.5):.4g}, mode = {mode_text}"
    )
try:
    stationary_density(moments, depth=1, temperature=1.1 * t_c)
except NotNormalisable as reason:
    print(f"D = 1, T = 1.1 T_c: no density, {reason}")

# %% [markdown]
# Depth: D = 0, 1, 2 at the same temperature
# ------------------------------------------
#
# Linear regression (D = 0) has one density on the whole line at every T, with tail
# `|v|^(-2 - beta1 / (T alpha1))`; D >= 2 has tail `|v|^(-5 + 3/(D+1))` and no sharp
# transition (it stays normalisable above `T_c`).

# %%
t_common = 0.5 * t_c
by_depth = {}
for depth in (0, 1, 2):
    p = stationary_density(moments, depth=depth, temperature=t_common)
    by_depth[depth] = p
    print(
        f"D = {depth}, T = {t_common:.4g}: mean = {p.mean:.6g}, var = {p.variance:.4g}, "
        f"tail exponent = {tail_exponent(moments, depth, t_common):.4g}"
    )
above = stationary_density(moments, depth=2, temperature=1.5 * t_c)
print(f"D = 2, T = 1.5 T_c: still normalisable, mean = {above.mean:.4g}")

# %% [markdown]
# Plot
# ----

# %%
v_star = moments.beta2 / moments.beta1
v = np.linspace(1e-3, 3 * v_star, 600)
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
for fraction, p in d1.items():
    left.plot(v, p.pdf(v), label=f"$T = {fraction}\\,T_c$")
left.axvline(v_star, color="grey", ls=":", label=r"$v^* = \beta_2/\beta_1$")
left.set_ylim(0, 1.3 * max(p.pdf(v[v > 0.3 * v_star]).max() for p in d1.values()))
left.set(xlabel="$v$", ylabel="$p(v)$", title=f"D = 1, $T_c = {t_c:.3g}$")
left.legend()
v_all = np.linspace(-v_star, 3 * v_star, 800)
for depth, p in by_depth.items():
    right.plot(v_all, p.pdf(v_all), label=f"D = {depth}")
bulk = np.abs(v_all) > 0.3 * v_star
right.set_ylim(0, 1.3 * max(p.pdf(v_all[bulk]).max() for p in by_depth.values()))
right.set(xlabel="$v$", ylabel="$p(v)$", title=f"$T = \\eta/S = {t_common:.3g}$")
right.legend()
fig.tight_layout()
path = OUT / "density_and_tc.png"
fig.savefig(path, dpi=150)
print(f"plot: {path.name}")  # in SGDBALANCE_EXAMPLE_OUT
