"""Rule manifest: the sha256 of every file under results/, with the commit, the versions, the
config files and the seeds they came from (``sgdbalance verify`` checks it)."""

import logging
from pathlib import Path

from sgdbalance.artifact import io, provenance

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
output = Path(snakemake.output[0])
record = provenance.manifest(
    snakemake.params.root, output.parent, snakemake.params.configs, config=snakemake.config
)
git = record["git"]
logging.info("commit %s, dirty %s: %s", git["commit"], git["dirty"], git["changes"])
logging.info("%d files, configs %s", len(record["files"]), record["configs"])
io.save_json_atomic(output, record)
