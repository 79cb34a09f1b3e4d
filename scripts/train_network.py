"""Rules train_network and train_network_part: train a network entry (ReLU, tanh, deep tanh),
or a share of its runs, and store its statistics."""

import logging
import time

from threadpoolctl import threadpool_limits

from sgdbalance import nets
from sgdbalance.artifact import io

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
spec = snakemake.params.network
runs = range(*snakemake.params.runs)  # this job's share of the runs
logging.info("network %s, runs %d-%d: %s", snakemake.wildcards.network, runs.start, runs.stop,
             nets.network_params(spec))  # fmt: skip
start = time.perf_counter()
last_report = start


def progress(done, total):
    global last_report
    now = time.perf_counter()
    if now - last_report < 10 and done < total:
        return  # a line every 10 s is enough
    last_report = now
    rate = done / (now - start)
    logging.info("%d/%d, ETA %.0f s", done, total, (total - done) / rate if rate else float("nan"))


# A fixed BLAS thread count (the rule's threads) keeps the sums, hence the bits, the same on a
# laptop and on a cluster node.
with threadpool_limits(limits=snakemake.threads):
    stats = nets.train(spec, progress, runs)
logging.info("done in %.1f s", time.perf_counter() - start)
io.save_npz_atomic(snakemake.output[0], stats)
