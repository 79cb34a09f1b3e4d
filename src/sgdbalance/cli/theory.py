"""The SGF's stationary density and critical temperature, and the simulator: ``density``,
``tc`` and ``simulate``."""

import sys

import numpy as np

from ..artifact import io
from ..simulate.data import DatasetParams, make_dataset
from ..simulate.ensemble import simulate
from ..simulate.params import EnsembleParams, balanced_init
from ..theory.density import NotNormalisable, critical_temperature, stationary_density
from .common import _distribution, _emit, _population_moments
from .discrete import _discrete_thresholds

DATA_STREAM = 0xDA7A  # the CLI's dataset is drawn from SeedSequence([seed, DATA_STREAM])


def cmd_density(args) -> int:
    moments = _population_moments(args)
    try:
        d = stationary_density(moments, args.depth, args.temperature, args.width, args.sign)
    except NotNormalisable as err:
        print(f"no normalisable stationary density: {err}", file=sys.stderr)
        return 1
    if args.grid:
        lo, hi, n = args.grid
        v = np.linspace(lo, hi, int(n))
    else:
        v = np.linspace(*d.quantile([0.001, 0.999]), 401)
    p = d.pdf(v)
    if not (np.isfinite(p).all() and np.isfinite(v).all() and not np.isnan(d.mean)):
        print(
            f"error: no accurate density for D = {args.depth}, T = {args.temperature:g}, "
            f"{moments}: the quadrature lost it (nan) at this scale of the moments and T",
            file=sys.stderr,
        )
        return 1
    comment = (
        f"stationary density of v, D = {args.depth}, T = {args.temperature:g}, width = "
        f"{args.width}, sign = {args.sign:+d}\nmoments: {moments}\n"
        f"mean = {d.mean:.6g}, variance = {d.variance:.6g}"
    )
    _emit({"v": v, "p": p}, comment, args.out)
    return 0


def cmd_tc(args) -> int:
    if not args.discrete:
        moments = _population_moments(args)
    else:
        moments, x, y = _distribution(args)
    try:
        t_c = critical_temperature(moments, args.depth, args.weight_decay)
    except ValueError as err:
        print(f"no critical temperature: {err}", file=sys.stderr)
        return 1
    if not args.discrete:
        print(f"{t_c:.10g}")
        return 0
    _discrete_thresholds(args, moments, x, y, t_c)
    return 0


def cmd_simulate(args) -> int:
    if args.data:
        x, y = io.load_dataset(args.data)
    else:
        params = DatasetParams(n=args.n, k=args.k, sigma=args.sigma, seed=args.seed)
        x, y = make_dataset(params, np.random.default_rng([args.seed, DATA_STREAM]))
    try:
        p = EnsembleParams(
            method="sgd",
            depth=args.depth,
            eta=args.eta,
            batch=args.batch,
            n_runs=args.runs,
            seed=args.seed,
            time=args.steps * args.eta,
            burn_in=args.burn_in * args.eta,
            init=balanced_init(args.init, args.depth),
            hist_range=(-1e6, 1e6),
            hist_bins=1,
            momentum=args.momentum,
        )
    except ValueError as err:
        raise SystemExit(f"error: {err}") from None

    def progress(first, runs, step):
        print(f"runs {first}-{first + runs}: step {step}/{p.n_steps}", file=sys.stderr)

    stats = simulate(x, y, p, progress=progress)
    n, s1, s2 = stats["n_samples"].sum(), stats["sum_v"].sum(), stats["sum_v2"].sum()
    average = "no sample (every run diverged)"
    if n > 0:
        average = f"mean {s1 / n:.6g}, variance {s2 / n - (s1 / n) ** 2:.6g}"
    comment = (
        f"final v of {p.n_runs} SGD runs, D = {p.depth}, eta = {p.eta:g}, S = {p.batch}, "
        + (f"momentum {p.momentum:g}, T_eff = " if p.momentum else "T = ")
        + f"{p.temperature:g}, {p.n_steps} steps, seed {p.seed}\n"
        f"diverged: {int(stats['diverged'].sum())} (|v| > {p.diverge_at:g}; v is nan)\n"
        f"time average after {args.burn_in} steps: {average}"
    )
    columns = {
        "run": np.arange(p.n_runs),
        "v": stats["v_final"],
        "diverged": stats["diverged"].astype(int),
    }
    _emit(columns, comment, args.out)
    return 0
