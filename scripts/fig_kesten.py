"""Rule fig_kesten: the tail index of discrete SGD on linear regression against T, per S."""

import json
import logging

from sgdbalance import figures, io
from sgdbalance.moments import Moments

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
points = []
for path in snakemake.input.checks:  # the kesten_tails checks: Hill fits and Kesten's kappa
    with open(path) as f:
        points += json.load(f)["details"]["per_point"]
m = Moments.of_samples(*io.load_dataset(snakemake.input.data))
fig = figures.kesten_kappa(points, m.beta1 / m.alpha1)
logging.info("wrote %s", figures.save(fig, snakemake.output.pdf.removesuffix(".pdf")))
