"""Rule fig_kesten: the tail index of discrete SGD on linear regression against T, per S."""

import logging

from sgdbalance import figures
from sgdbalance.artifact import io
from sgdbalance.theory.moments import Moments

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")

checks = [io.load_json(path) for path in snakemake.input.checks]
points = [row for c in checks for row in c["details"]["per_point"]]
biased = []
if snakemake.input.bias:  # Hill at the checks' tail count, where kappa is beyond their scope
    n_tail = checks[0]["config"]["n_tail"]
    rows = io.load_json(snakemake.input.bias[0])["per_point"]
    nearest = min({r["n_tail"] for r in rows}, key=lambda n: abs(n - n_tail))
    biased = [r for r in rows if r["n_tail"] == nearest]
m = Moments.of_samples(*io.load_dataset(snakemake.input.data))
fig = figures.kesten_kappa(points, m.beta1 / m.alpha1, biased)
logging.info("wrote %s", figures.save(fig, snakemake.output.pdf.removesuffix(".pdf")))
