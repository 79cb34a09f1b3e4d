"""Rule measure: numbers without a verdict (how far discrete SGD lies from the SGF)."""

import logging

from sgdbalance.artifact import io
from sgdbalance.config import ensemble_params

# Each kind imports only its own module: scipy's integrate, special and stats take 0.3-0.6 s
# to import, and a job needs one of them.
logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
spec = snakemake.params.spec
kind = spec.get("kind", "finite_step")
if kind == "discrete_threshold":
    from sgdbalance.discrete import collapse
    from sgdbalance.discrete.batches import MC_BATCHES

    x, y = io.load_dataset(snakemake.input.data)
    record = collapse.threshold_report(
        x, y, spec.get("batches", [1]), spec["eta_max"], spec["seed"],
        spec.get("draws", MC_BATCHES),
    )  # fmt: skip
    record["dataset"] = spec["dataset"]
elif kind == "hill_bias":
    from sgdbalance.discrete import kesten

    x, _ = io.load_dataset(snakemake.input.data)
    sweep = io.load_npz(snakemake.input.sweep)
    record = kesten.hill_bias(sweep, x, spec["n_tails"], spec["n_boot"], spec["seed"])
    record["sweep"] = spec["sweep"]
else:
    from sgdbalance.discrete import finite_step

    params = ensemble_params(snakemake.config["experiments"][spec["experiment"]])
    theory, meta = io.load_theory(snakemake.input.theory)
    if theory is None:
        raise ValueError(f"no stationary density to compare with: {meta['not_normalisable']}")
    run = io.load_npz(snakemake.input.run)
    record = finite_step.finite_step_gap(run, theory, params, spec["alpha"])
record["measurement"] = snakemake.wildcards.measurement
logging.info("%s", record)
io.save_json_atomic(snakemake.output[0], record)
