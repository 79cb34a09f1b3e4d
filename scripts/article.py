"""Rule article: the reproduction as one PDF, compiled by Typst from workflow/article/, every
number read from results/ at compile time."""

import logging
import time
from pathlib import Path

from sgdbalance.artifact import article, io

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
root = Path(snakemake.input.source).resolve().parents[2]  # workflow/article/article.typ
captions = {
    name: (root / "workflow" / "report" / f"{name}.rst").read_text()
    for name in snakemake.params.figures
    if (root / "workflow" / "report" / f"{name}.rst").is_file()
}
record = article.inputs(
    snakemake.params.registry,
    snakemake.config,
    snakemake.params.figures,
    captions,
    snakemake.params.overlays,
    snakemake.params.configs,
    root,
)
io.save_json_atomic(snakemake.output.inputs, record)
start = time.perf_counter()
pdf = Path(snakemake.output.pdf)
warnings = article.build(pdf.parent, snakemake.input.source, record, pdf)
seconds = time.perf_counter() - start
for warning in warnings:
    logging.warning("typst: %s", warning)
logging.info("compiled %s in %.2f s, staging included: %d bytes", pdf, seconds, pdf.stat().st_size)
