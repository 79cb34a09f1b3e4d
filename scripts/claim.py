"""Rule claim: one claim of the registry with the verdicts of its checks."""

import logging
from pathlib import Path

from sgdbalance.artifact import io
from sgdbalance.checks import claims

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
checks = {Path(p).stem: io.load_json(p) for p in snakemake.input}
record = claims.claim_record(snakemake.wildcards.claim, dict(snakemake.params.spec), checks)
logging.info("%s: %s", record["claim"], record["verdict"])
io.save_json_atomic(snakemake.output[0], record)
