"""Rule table1: closed forms of the paper's Table 1 against the quadrature density."""

import logging

from sgdbalance.artifact import io
from sgdbalance.theory import table
from sgdbalance.theory.moments import Moments

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
spec = snakemake.params.table
moments = Moments.of_samples(*io.load_dataset(snakemake.input[0]))
rows = table.table1(moments, spec["k"], spec["temperature"], spec["weight_decay"])
for row in rows:
    logging.info("%s", row)
io.save_rows_atomic(snakemake.output[0], rows)
