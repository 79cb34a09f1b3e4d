"""Rule paper_macros: TeX macros of every claim and measurement, and the runtime table."""

import logging
from pathlib import Path

from sgdbalance.artifact import io, paper

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
claims = [io.load_json(p) for p in snakemake.input.claims]
measurements = {Path(p).stem: io.load_json(p) for p in snakemake.input.measurements}
with io.atomic_open(snakemake.output.macros, "w") as f:
    f.write(paper.tex_macros(claims, measurements))
# Every benchmarked job but the article's has written its file by now: the rule's inputs are
# the claims, measurements, figures and tables, and everything else runs upstream of them.
seconds = {f"benchmarks/{job}.tsv": s for job, s in io.load_benchmarks("benchmarks").items()}
with io.atomic_open(snakemake.output.runtimes, "w") as f:
    f.write(paper.runtime_table(seconds))
logging.info("%d macros, %d benchmark files", len(claims), len(seconds))
