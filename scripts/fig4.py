"""Rule fig4: the phase diagram of the two-layer model, with simulated points (paper Fig. 4)."""

import logging

from sgdbalance import figures
from sgdbalance.artifact import io
from sgdbalance.config import ensemble_params

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
spec = snakemake.params.figure
names = spec["layout"]["points"]
(dataset,) = spec["datasets"].values()  # one dataset: the points lie on its sigma
points = []
for name, run_path, theory_path in zip(
    names, snakemake.input.runs, snakemake.input.theory, strict=True
):
    density, meta = io.load_theory(theory_path)
    theory = density if density is not None else meta["not_normalisable"]
    points.append((io.load_npz(run_path), ensemble_params(spec["experiments"][name]), theory))
fig = figures.phase_diagram(dataset["k"], dataset["sigma"], points)
logging.info("wrote %s", figures.save(fig, snakemake.output.pdf.removesuffix(".pdf")))
