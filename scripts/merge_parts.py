"""Rule merge_parts: join the jobs of one experiment, in run order, into one ensemble."""

import logging

from sgdbalance.artifact import io
from sgdbalance.simulate.ensemble import merge

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
merged = merge([io.load_npz(path) for path in snakemake.input])
logging.info("merged %d parts, %d runs", len(snakemake.input), merged["v_final"].size)
io.save_npz_atomic(snakemake.output[0], merged)
