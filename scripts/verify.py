"""Rule verify: gather every claim and check; write the claims table; fail the build, naming
each failure."""

import logging
from pathlib import Path

from sgdbalance import checks
from sgdbalance.artifact import io
from sgdbalance.checks import claims

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
records = [io.load_json(p) for p in snakemake.input.claims]
check_records = {Path(p).stem: io.load_json(p) for p in snakemake.input.checks}
with io.atomic_open(snakemake.output.table, "w") as f:
    f.write(claims.markdown_table(records))
lines = checks.summary_lines(check_records)
for line in lines:
    logging.info(line)
failed_claims = [r["claim"] for r in records if r["verdict"] == claims.FAIL]
failed = [name for name, r in check_records.items() if not r["passed"]]
if failed or failed_claims:
    raise SystemExit(
        f"{len(failed_claims)} of {len(records)} claims failed ({', '.join(failed_claims)}); "
        f"{len(failed)} of {len(check_records)} checks failed (results/checks/<name>.json has "
        "each statistic, results/claims.md the table):\n  " + "\n  ".join(lines[: len(failed)])
    )
unchecked = [r["claim"] for r in records if r["verdict"] == claims.NOT_CHECKED]
with io.atomic_open(snakemake.output.summary, "w") as f:
    f.write("\n".join(lines) + f"\nall {len(check_records)} checks passed\n")
    f.write(
        f"all {len(records) - len(unchecked)} checked claims passed"
        + (f"; not checked: {', '.join(unchecked)}\n" if unchecked else "\n")
    )
