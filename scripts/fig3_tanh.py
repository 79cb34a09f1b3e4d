"""Rule fig3_tanh: tanh models and the wrong sign (paper Fig. 3, right)."""

import logging

from sgdbalance import figures, nets
from sgdbalance.artifact import io

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
(net_spec,) = snakemake.params.figure["networks"].values()
stats = io.load_npz(snakemake.input.networks[0])
fig = figures.wrong_sign(stats, nets.network_params(net_spec))
logging.info("wrote %s", figures.save(fig, snakemake.output.pdf.removesuffix(".pdf")))
