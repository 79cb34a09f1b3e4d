"""Rule fig5_tails: tails of deep linear nets and their Hill exponents (paper Fig. 5, left)."""

import logging

from sgdbalance import figures
from sgdbalance.artifact import io
from sgdbalance.config import ensemble_params
from sgdbalance.theory import tails
from sgdbalance.theory.moments import Moments

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
spec = snakemake.params.figure
layout = spec["layout"]
moments = Moments.of_samples(*io.load_dataset(snakemake.input.data[0]))
panels, fits = [], []
for name, run_path, theory_path in zip(
    layout["depths"], snakemake.input.runs, snakemake.input.theory, strict=True
):
    params = ensemble_params(spec["experiments"][name])
    run = io.load_npz(run_path)
    samples = run["v"][:, run["checkpoint_time"] >= params.burn_in]  # stationary: (runs, k)
    density, _ = io.load_theory(theory_path)
    depth_fits = []
    for fraction in layout["tail_fractions"]:
        fit = tails.hill_bootstrap(samples, fraction, layout["n_boot"], layout["seed"])
        fit["theory"] = tails.theory_hill(density, fit["threshold"])
        logging.info("D = %d, top %g: %s", params.depth, fraction, fit)
        depth_fits.append(fit)
    panels.append((samples, params, density))
    fits.append(depth_fits)
splits = [
    (io.load_npz(split_path), io.load_json(check_path))
    for split_path, check_path in zip(
        snakemake.input.splitting, snakemake.input.slopes, strict=True
    )
]
fig = figures.tail_panels(panels, fits, moments, splits)
logging.info("wrote %s", figures.save(fig, snakemake.output.pdf.removesuffix(".pdf")))
