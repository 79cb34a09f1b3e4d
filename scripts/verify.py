"""Rule verify: gather every check's verdict; fail the build, naming each failure."""

import logging
from pathlib import Path

from sgdbalance import checks, io

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
records = {Path(p).stem: io.load_json(p) for p in snakemake.input}
lines = checks.summary_lines(records)
for line in lines:
    logging.info(line)
failed = [name for name, r in records.items() if not r["passed"]]
if failed:
    raise SystemExit(
        f"{len(failed)} of {len(records)} theorem checks failed "
        "(results/checks/<name>.json has each statistic):\n  " + "\n  ".join(lines[: len(failed)])
    )
with io.atomic_open(snakemake.output[0], "w") as f:
    f.write("\n".join(lines) + f"\nall {len(records)} checks passed\n")
