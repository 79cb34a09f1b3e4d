"""Throughput of the ensemble engine against what a user would write instead.

Prints per-sample gradient evaluations per second (run-steps x S) of discrete SGD on the
diagonal linear network (width 1, N = 10^4 samples) for the engine, the engine with
heavy-ball momentum 0.9 (and its rate as a share of plain SGD's, measured in turn), the same
update vectorised over runs in numpy (``rng.integers`` each step; like the engine here, it keeps
only the parameters), each the median of five paired rounds with the 1-minute load average
beside it, and, when PyTorch is
installed, a per-run ``torch.optim.SGD`` loop and a torch update batched over runs; then the
engine's SGF, GD + noise and GD rates, and the peak memory of the process.

    .venv/bin/python benchmarks/engine.py           # 10^5 runs, a few minutes
    .venv/bin/python benchmarks/engine.py --quick   # 10^4 runs, under a minute
"""

import argparse
import os
import platform
import resource
import time

import numba
import numpy as np
from host import cpu_model  # benchmarks/host.py, beside this script

from sgdbalance.simulate.data import DatasetParams, make_dataset
from sgdbalance.simulate.ensemble import simulate
from sgdbalance.simulate.params import EnsembleParams, balanced_init

CASES = [(1, 1), (1, 8), (3, 1), (3, 8)]  # (paper depth D, batch S)
ETA = 0.01
ROUNDS = 5  # engine-numpy pairs per case


def machine() -> str:
    """The processor's model name (Linux) or architecture, and its logical cores."""
    # The 1-minute load average at the start shows a build or test run left going beside the
    # benchmark, which widens the ratios' range (they are of rates taken in turn). Run back to
    # back, it mostly shows the previous run; it cannot see other tenants of a shared host.
    return f"{cpu_model()} ({os.cpu_count()} logical cores, {platform.system()}, load {load()})"


def load() -> str:
    """The 1-minute load average: above the engine's threads, other work shared the cores."""
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "n/a"


def timed(fn, min_seconds):
    """Repeat ``fn`` (which returns the work it did) until ``min_seconds``; return work/s."""
    work, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < min_seconds or work == 0:
        work += fn()
    return work / elapsed


def engine_rate(x, y, depth, batch, runs, steps, min_seconds, method="sgd", momentum=0.0):
    p = EnsembleParams(
        method=method,
        depth=depth,
        eta=ETA,
        batch=batch,
        n_runs=runs,
        seed=1,
        time=steps * ETA,
        dt=ETA,
        init=balanced_init(0.5, depth),
        hist_bins=1,
        sample_every=10**9,
        n_checkpoints=2,
        record="v",  # keep what the numpy baseline keeps: the parameters, no integrals
        momentum=momentum,
    )
    simulate(x, y, EnsembleParams(**{**p.__dict__, "n_runs": 64, "time": 4 * ETA}))  # compile
    return timed(lambda: simulate(x, y, p)["v_final"].size * steps * batch, min_seconds)


def numpy_rate(x, y, depth, batch, runs, steps, min_seconds):
    rng = np.random.default_rng(1)
    x2, xy = x * x, x * y
    U0 = np.tile(np.asarray(balanced_init(0.5, depth)), (runs, 1))

    def run():
        U = U0.copy()
        for _ in range(steps):
            idx = rng.integers(0, x.size, size=(runs, batch))
            v = U.prod(axis=1)
            delta = ETA * 2.0 * (v * x2[idx].mean(axis=1) - xy[idx].mean(axis=1))
            grad = v[:, None] / U  # the product of the other factors (no factor is 0 here)
            U -= delta[:, None] * grad
        return runs * steps * batch

    return timed(run, min_seconds)


def torch_rates(x, y, depth, batch, runs, min_seconds):
    try:
        import torch
    except ImportError:
        return None, None
    torch.set_num_threads(2)
    xt, yt = torch.tensor(x), torch.tensor(y)
    start = torch.tensor(balanced_init(0.5, depth), dtype=torch.float64)

    def per_run():  # one model at a time, as a user would write it
        factors = torch.nn.Parameter(start.clone())
        opt = torch.optim.SGD([factors], lr=ETA)
        g = torch.Generator().manual_seed(1)
        for _ in range(200):
            idx = torch.randint(0, x.size, (batch,), generator=g)
            opt.zero_grad()
            loss = ((factors.prod() * xt[idx] - yt[idx]) ** 2).mean()
            loss.backward()
            opt.step()
        return 200 * batch

    def batched():  # the same update over all runs at once, autograd included
        factors = start.repeat(runs, 1).requires_grad_(True)
        g = torch.Generator().manual_seed(1)
        for _ in range(20):
            idx = torch.randint(0, x.size, (runs, batch), generator=g)
            loss = ((factors.prod(dim=1, keepdim=True) * xt[idx] - yt[idx]) ** 2).mean(dim=1)
            (grad,) = torch.autograd.grad(loss.sum(), factors)
            with torch.no_grad():
                factors -= ETA * grad
        return 20 * runs * batch

    return timed(per_run, min_seconds), timed(batched, min_seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10^4 runs, under a minute")
    args = parser.parse_args()
    runs = 10_000 if args.quick else 100_000
    min_seconds = 1.0 if args.quick else 3.0
    x, y = make_dataset(
        DatasetParams(n=10_000, k=0.5, sigma=0.5, seed=1),
        np.random.default_rng(np.random.SeedSequence(1)),
    )
    print(
        f"# {machine()}, engine on {numba.config.NUMBA_NUM_THREADS} threads, numpy on one; "
        f"numpy {np.__version__}, numba {numba.__version__}; {runs} runs, N = 10^4; "
        "rates in sample-gradients/s (run-steps x S)"
    )
    for depth, batch in CASES:
        steps = max(20, 4000 // batch) if not args.quick else max(20, 1000 // batch)
        # Engine and numpy in turn, ROUNDS times: the machine's speed drifts (shared cores),
        # and a ratio of two rates taken side by side is steadier than either rate.
        pairs = []
        for _ in range(ROUNDS):
            engine = engine_rate(x, y, depth, batch, runs, steps, min_seconds)
            baseline = numpy_rate(x, y, depth, batch, runs, max(5, steps // 20), min_seconds)
            pairs.append((engine / baseline, engine, baseline))
        ratio, engine, baseline = sorted(pairs)[len(pairs) // 2]  # the median pair
        spread = f"{min(pairs)[0]:.1f}-{max(pairs)[0]:.1f}"
        line = (f"D={depth} S={batch} engine={engine:.3g} numpy={baseline:.3g} ratio={ratio:.1f} "
                f"(median of {ROUNDS} paired rounds, range {spread}; load {load()})")  # fmt: skip
        # Heavy ball (beta = 0.9) beside plain SGD, in turn as above: its rate as a share of
        # plain SGD's. It takes its own path in the kernel (the velocity is read and written
        # each step), plain SGD keeps its unrolled paths.
        shares = []
        for _ in range(ROUNDS):
            heavy = engine_rate(x, y, depth, batch, runs, steps, min_seconds, momentum=0.9)
            plain = engine_rate(x, y, depth, batch, runs, steps, min_seconds)
            shares.append((heavy / plain, heavy, plain))
        share, heavy, plain = sorted(shares)[len(shares) // 2]  # the median pair
        spread = f"{min(shares)[0]:.2f}-{max(shares)[0]:.2f}"
        line += (f" momentum={heavy:.3g} beside plain={plain:.3g}: momentum/plain={share:.2f} "
                 f"(median of {ROUNDS} paired rounds, range {spread})")  # fmt: skip
        per_run, batched = torch_rates(x, y, depth, batch, runs, min_seconds)
        if per_run is not None:
            line += f" torch_per_run={per_run:.3g} torch_batched={batched:.3g}"
            line += f" ratio_torch_per_run={engine / per_run:.3g}"
        print(line, flush=True)
    steps = 1000 if args.quick else 4000
    for method in ("sgf", "gd_iso", "gd"):
        for depth in (1, 3):
            rate = engine_rate(x, y, depth, 1, runs, steps, min_seconds, method)
            print(f"method={method} D={depth} engine={rate:.3g} run-steps/s", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
