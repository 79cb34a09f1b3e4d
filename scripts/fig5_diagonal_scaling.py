"""Rule fig5_diagonal_scaling: the scaling law (d/D)(S/eta) = const on simulated diagonal nets."""

import logging

from sgdbalance import figures
from sgdbalance.artifact import io
from sgdbalance.config import ensemble_params
from sgdbalance.theory.moments import Moments

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
spec = snakemake.params.figure
layout = spec["layout"]
moments = Moments.of_samples(*io.load_dataset(snakemake.input.data[0]))
ensembles = {}
for name, run_path, theory_path in zip(
    layout["curve"] + [layout["collapse"], layout["concentrate"]],
    snakemake.input.runs,
    snakemake.input.theory,
    strict=True,
):  # figure_inputs lists the experiments in the layout's order
    density, _ = io.load_theory(theory_path)
    params = ensemble_params(spec["experiments"][name])
    ensembles[name] = (io.load_npz(run_path), params, density)
curve = [ensembles[name] for name in layout["curve"]]
regimes = {role: ensembles[layout[role]] for role in ("collapse", "concentrate")}
fig = figures.diagonal_scaling(curve, regimes, moments)
logging.info("wrote %s", figures.save(fig, snakemake.output.pdf.removesuffix(".pdf")))
