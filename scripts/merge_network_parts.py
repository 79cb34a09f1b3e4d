"""Rule merge_network_parts: join the jobs of one network, in run order, into one result."""

import logging

from sgdbalance import nets
from sgdbalance.artifact import io

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
merged = nets.merge(snakemake.params.kind, [io.load_npz(path) for path in snakemake.input])
logging.info("merged %d parts of network %s", len(snakemake.input), snakemake.wildcards.network)
io.save_npz_atomic(snakemake.output[0], merged)
