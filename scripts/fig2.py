"""Rule fig2: noise balance in a two-layer ReLU network (paper Fig. 2)."""

import logging

from sgdbalance import figures, nets
from sgdbalance.artifact import io

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
spec = snakemake.params.figure
layout, specs = spec["layout"], spec["networks"]
paths = dict(zip(specs, snakemake.input.networks, strict=True))  # same order
stats = {role: io.load_npz(paths[name]) for role, name in layout.items()}
params = {role: nets.network_params(specs[name]) for role, name in layout.items()}
fig = figures.noise_balance(stats["sgd"], stats["gd"], params["sgd"], params["gd"])
logging.info("wrote %s", figures.save(fig, snakemake.output.pdf.removesuffix(".pdf")))
