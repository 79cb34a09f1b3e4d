"""Rule fig3: stationary distributions, D = 0 against D = 1 (paper Fig. 3, left and middle)."""

import logging

from sgdbalance import figures
from sgdbalance.artifact import io
from sgdbalance.config import ensemble_params

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
spec = snakemake.params.figure
inputs = iter(
    zip(snakemake.input.runs, snakemake.input.theory, strict=True)
)  # in the layout's order
panels = []
for names in spec["layout"].values():
    panel = []
    for name in names:
        run_path, theory_path = next(inputs)
        density, meta = io.load_theory(theory_path)
        theory = density if density is not None else meta["not_normalisable"]
        panel.append((io.load_npz(run_path), ensemble_params(spec["experiments"][name]), theory))
    panels.append(panel)
fig = figures.stationary_panels(panels, log_scale=[False, True])
logging.info("wrote %s", figures.save(fig, snakemake.output.pdf.removesuffix(".pdf")))
