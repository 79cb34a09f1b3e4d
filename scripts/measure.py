"""Rule measure: a number without a verdict (how far discrete SGD lies from the SGF)."""

import logging

from sgdbalance import checks, discrete, io
from sgdbalance.config import ensemble_params

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
spec = snakemake.params.spec
if spec.get("kind") == "discrete_threshold":
    x, y = io.load_dataset(snakemake.input.data)
    record = discrete.threshold_report(
        x, y, spec.get("batches", [1]), spec["eta_max"], seed=0,
        draws=spec.get("draws", discrete.MC_BATCHES),
    )  # fmt: skip
    record["dataset"] = spec["dataset"]
else:
    params = ensemble_params(snakemake.config["experiments"][spec["experiment"]])
    theory, meta = io.load_theory(snakemake.input.theory)
    if theory is None:
        raise ValueError(f"no stationary density to compare with: {meta['not_normalisable']}")
    run = io.load_npz(snakemake.input.run)
    record = checks.finite_step_gap(run, theory, params, spec["alpha"])
record["measurement"] = snakemake.wildcards.measurement
logging.info("%s", record)
io.save_json_atomic(snakemake.output[0], record)
