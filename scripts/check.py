"""Rule check: one theorem check, written as a verdict record (never raises on a failure:
the verdict is data, and rule verify fails the build when any check failed)."""

import logging

import numpy as np

from sgdbalance import checks, io
from sgdbalance.config import ensemble_params

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
spec = snakemake.params.spec
experiment = snakemake.config["experiments"].get(spec.get("experiment"))
if spec["kind"] == "sgf_balance":
    params = ensemble_params(experiment)
    record = checks.sgf_balance(
        io.load_npz(snakemake.input.run), params.temperature, params.seed, spec.get("n_sigma", 4)
    )
elif spec["kind"] == "discrete_identity":
    x, y = io.load_dataset(snakemake.input.data)
    rng = np.random.default_rng(np.random.SeedSequence(spec["seed"]))
    record = checks.discrete_identity(
        x,
        y,
        spec["etas"],
        spec["batch"],
        spec["n_states"],
        rng,
        spec["seed"],
        spec.get("max_ulps", 8.0),
    )
else:
    params = ensemble_params(experiment)
    theory, meta = io.load_theory(snakemake.input.theory)
    if theory is None:
        raise ValueError(f"no stationary density to compare with: {meta['not_normalisable']}")
    record = checks.density(
        io.load_npz(snakemake.input.run),
        theory,
        params.step,
        params.seed,
        spec["alpha"],
        spec["step_bias"],
    )
record["check"] = snakemake.wildcards.check
record["config"] = spec
logging.info("%s", checks.summary_lines({snakemake.wildcards.check: record})[0])
io.save_json_atomic(snakemake.output[0], record)
