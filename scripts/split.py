"""Rule splitting: a RESTART estimate of a stationary SGF tail, per replicate and bin of |v|."""

import logging
import time

import numba

from sgdbalance.artifact import io
from sgdbalance.config import splitting_params
from sgdbalance.simulate.splitting import tail_splitting

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
numba.set_num_threads(snakemake.threads)  # results do not depend on it, only the speed
ensemble, split = splitting_params(snakemake.config, snakemake.wildcards.splitting)
logging.info("splitting %s: %s on %s", snakemake.wildcards.splitting, split, ensemble)
x, y = io.load_dataset(snakemake.input.data)
start = time.perf_counter()


def progress(done, total):
    elapsed = time.perf_counter() - start
    logging.info("%d/%d replicates, %.0f s, ETA %.0f s", done, total, elapsed,
                 elapsed * (total - done) / done)  # fmt: skip


stats = tail_splitting(x, y, ensemble, split, progress)
logging.info(
    "done in %.1f s: %d main and %d copy sub-steps, deepest stack %d",
    time.perf_counter() - start, stats["main_substeps"].sum(), stats["copy_substeps"].sum(),
    stats["deepest"].max(),
)  # fmt: skip
io.save_npz_atomic(snakemake.output[0], stats)
