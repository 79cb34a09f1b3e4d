"""Rule fig5_stability: loss of a tanh net against the learning rate (paper Fig. 5, middle)."""

import logging

from sgdbalance import figures, nets
from sgdbalance.artifact import io

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
(net_spec,) = snakemake.params.figure["networks"].values()
stats = io.load_npz(snakemake.input.networks[0])
fig = figures.edge_of_stability(stats, nets.network_params(net_spec))
logging.info("wrote %s", figures.save(fig, snakemake.output.pdf.removesuffix(".pdf")))
