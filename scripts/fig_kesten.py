"""Rule fig_kesten: the tail index of discrete SGD on linear regression against T, per S."""

import logging

from sgdbalance import checks, figures, io
from sgdbalance.moments import Moments

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
layout = snakemake.params.figure["layout"]
x, y = io.load_dataset(snakemake.input.data)
points = []
for path in snakemake.input.sweeps:
    # The same estimates as the kesten_tails checks: Hill of the n_tail largest |v|.
    record = checks.kesten_tails(
        io.load_npz(path), x, y, layout["n_tail"], layout["n_boot"], layout["seed"]
    )
    points += record["details"]["per_point"]
m = Moments.of_samples(x, y)
fig = figures.kesten_kappa(points, m.beta1 / m.alpha1)
logging.info("wrote %s", figures.save(fig, snakemake.output.pdf.removesuffix(".pdf")))
