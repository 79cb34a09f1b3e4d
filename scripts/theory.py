"""Rule theory: the stationary density (or why none exists) from the dataset's own moments."""

import logging
import math

from sgdbalance.artifact import io
from sgdbalance.config import ensemble_params
from sgdbalance.theory.density import NotNormalisable, critical_temperature, stationary_density
from sgdbalance.theory.moments import Moments

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = ensemble_params(snakemake.params.experiment)
moments = Moments.of_samples(*io.load_dataset(snakemake.input[0]))
sign = 1 if math.prod(params.init) > 0 else -1  # the side the runs start on
meta = {"moments": moments.as_dict(), "sign": sign}
if params.depth == 1:
    meta["critical_temperature"] = critical_temperature(moments)
try:
    density = stationary_density(moments, params.depth, params.temperature, params.width, sign)
    meta |= {"mean": density.mean, "variance": density.variance}
except NotNormalisable as err:
    density, meta["not_normalisable"] = None, str(err)
logging.info("D = %d, T = %g: %s", params.depth, params.temperature, meta)
io.save_theory(snakemake.output[0], density, meta)
