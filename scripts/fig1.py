"""Rule fig1: the law of balance (paper Fig. 1)."""

import logging

from sgdbalance import figures
from sgdbalance.artifact import io
from sgdbalance.config import ensemble_params
from sgdbalance.theory.moments import Moments

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
spec = snakemake.params.figure
roles = list(spec["layout"].items())  # (method, experiment), in the order of the inputs
runs = {
    method: io.load_npz(path) for (method, _), path in zip(roles, snakemake.input.runs, strict=True)
}
params = {method: ensemble_params(spec["experiments"][name]) for method, name in roles}
moments = Moments.of_samples(*io.load_dataset(snakemake.input.data[0]))
fig = figures.law_of_balance(runs, params, moments)
logging.info("wrote %s", figures.save(fig, snakemake.output.pdf.removesuffix(".pdf")))
