"""Rule fig_momentum: heavy ball at T_eff and Adam's balance, from the checks and ensembles."""

import logging

from sgdbalance import figures
from sgdbalance.artifact import io
from sgdbalance.config import ensemble_params

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
layout = snakemake.params.figure["layout"]
specs = snakemake.params.figure["experiments"]
# The balance experiments come first among the runs (the checks of the same names follow).
runs = snakemake.input.runs[: len(layout["balance"])]
balance = [
    (name, io.load_npz(path), ensemble_params(specs[name]))
    for name, path in zip(layout["balance"], runs, strict=True)
]
checks = {
    name: io.load_json(path)
    for name, path in zip(layout["checks"], snakemake.input.checks, strict=True)
}
kinds = {record["config"]["kind"]: record for record in checks.values()}
adaptive = [
    (name.split("_")[0], spec["optimiser"], spec["eta"], io.load_npz(path))
    for name, spec, path in zip(
        layout["adaptive"], snakemake.params.adaptive, snakemake.input.adaptive, strict=True
    )
]
fig = figures.momentum_panels(
    balance, kinds["momentum_variance"], kinds["momentum_gap_series"], adaptive
)
logging.info("wrote %s", figures.save(fig, snakemake.output.pdf.removesuffix(".pdf")))
