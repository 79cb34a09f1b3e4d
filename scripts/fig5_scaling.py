"""Rule fig5_scaling: deep tanh nets with eta ~ 1/D against a fixed eta (paper Fig. 5, right)."""

import logging

from sgdbalance import figures, nets
from sgdbalance.artifact import io

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
spec = snakemake.params.figure
(net_spec,) = spec["networks"].values()
fig = figures.scaling_law(io.load_npz(snakemake.input.networks[0]), nets.network_params(net_spec))
logging.info("wrote %s", figures.save(fig, snakemake.output.pdf.removesuffix(".pdf")))
