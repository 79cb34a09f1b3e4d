"""Rule train: run one SGD (or GD, SGF) ensemble and store its statistics."""

import logging
import time

import numba

from sgdbalance.artifact import io
from sgdbalance.config import ensemble_params
from sgdbalance.simulate.ensemble import simulate

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
numba.set_num_threads(snakemake.threads)  # results do not depend on it, only the speed
params = ensemble_params(snakemake.params.experiment)
runs = range(*snakemake.params.runs)  # this job's share of the runs
x, y = io.load_dataset(snakemake.input[0])
logging.info(
    "experiment %s: %s (%d threads)", snakemake.wildcards.experiment, params, snakemake.threads
)
logging.info(
    "T = eta/S = %g, %d steps of %g, runs %d-%d of %d",
    params.temperature,
    params.n_steps,
    params.step,
    runs.start,
    runs.stop,
    params.n_runs,
)
start = time.perf_counter()
last_report = start


def progress(first_run, n_runs, step):
    global last_report
    now = time.perf_counter()
    if now - last_report < 10 and step < params.n_steps:
        return  # a line every 10 s is enough
    last_report = now
    elapsed = now - start
    done = n_runs * step
    total = len(runs) * params.n_steps
    logging.info(
        "runs %d-%d, step %d/%d, %.3g run-steps/s, ETA %.0f s",
        first_run,
        first_run + n_runs,
        step,
        params.n_steps,
        done / elapsed,
        elapsed * (total - done) / done,
    )


stats = simulate(x, y, params, runs=runs, progress=progress)
elapsed = time.perf_counter() - start
logging.info(
    "done in %.1f s (%.3g run-steps/s); %d of %d runs diverged",
    elapsed,
    len(runs) * params.n_steps / elapsed,
    stats["diverged"].sum(),
    len(runs),
)
io.save_npz_atomic(snakemake.output[0], stats)
