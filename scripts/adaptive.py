"""Rule adaptive: Adam, RMSProp or SGD on the two-layer model (numpy), its u and w kept."""

import logging

from sgdbalance.artifact import io
from sgdbalance.discrete.adaptive import AdaptiveParams, adaptive_ensemble, balance_summary

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
spec = dict(snakemake.params.spec)
spec.pop("dataset")
spec["init"] = tuple(spec.get("init", (2.0, 0.1)))
params = AdaptiveParams(**spec)
logging.info("running %s", params)
stats = adaptive_ensemble(*io.load_dataset(snakemake.input[0]), params)
logging.info("%s", balance_summary(stats))
io.save_npz_atomic(snakemake.output[0], stats)
