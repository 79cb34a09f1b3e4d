"""Rule data: draw the training set once from its seed and store it with its moments."""

import logging

import numpy as np

from sgdbalance.artifact import io
from sgdbalance.simulate.data import DatasetParams, make_dataset
from sgdbalance.theory.moments import Moments

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = DatasetParams(**snakemake.params.dataset)
x, y = make_dataset(params, np.random.default_rng(np.random.SeedSequence(params.seed)))
logging.info("dataset %s: %s", snakemake.wildcards.dataset, params)
logging.info("empirical moments: %s", Moments.of_samples(x, y))
io.save_dataset(snakemake.output[0], x, y, snakemake.params.dataset)
