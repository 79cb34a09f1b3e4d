"""Rule sweep: one sweep of discrete-SGD ensembles, stored as the statistics its checks read."""

import logging
import time

import numba

from sgdbalance.artifact import io
from sgdbalance.discrete import sweeps
from sgdbalance.discrete.sweeps_params import sweep_params

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
numba.set_num_threads(snakemake.threads)  # results do not depend on it, only the speed
spec = snakemake.params.sweep
params = sweep_params(spec)
logging.info("sweep %s: %s", snakemake.wildcards.sweep, params)
start = time.perf_counter()


def progress(done, total):
    elapsed = time.perf_counter() - start
    logging.info("%d/%d ensembles, %.0f s, ETA %.0f s", done, total, elapsed,
                 elapsed * (total - done) / done)  # fmt: skip


data = io.load_dataset(snakemake.input.data) if "data" in snakemake.input.keys() else None
stats = sweeps.run(params, data, progress)
logging.info("done in %.1f s", time.perf_counter() - start)
io.save_npz_atomic(snakemake.output[0], stats)
