"""Rule measure: distance of a discrete-SGD ensemble from the SGF density, as a number."""

import logging

from sgdbalance import checks, io
from sgdbalance.config import ensemble_params

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
spec = snakemake.params.spec
params = ensemble_params(snakemake.config["experiments"][spec["experiment"]])
theory, meta = io.load_theory(snakemake.input.theory)
if theory is None:
    raise ValueError(f"no stationary density to compare with: {meta['not_normalisable']}")
record = checks.finite_step_gap(io.load_npz(snakemake.input.run), theory, params, spec["alpha"])
record["measurement"] = snakemake.wildcards.measurement
logging.info("%s", record)
io.save_json_atomic(snakemake.output[0], record)
