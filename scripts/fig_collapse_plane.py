"""Rule fig_collapse_plane: where discrete SGD collapses or diverges in the (T, k) plane, D = 1."""

import logging

from sgdbalance import figures
from sgdbalance.artifact import io

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
(sweep_path,) = snakemake.input.sweeps
fig = figures.collapse_plane(io.load_npz(sweep_path))
logging.info("wrote %s", figures.save(fig, snakemake.output.pdf.removesuffix(".pdf")))
