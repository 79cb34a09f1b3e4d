"""Rule check: one theorem check, written as a verdict record (never raises on a failure:
the verdict is data, and rule verify fails the build when any claim failed)."""

import logging

import numpy as np

from sgdbalance import checks
from sgdbalance.artifact import io
from sgdbalance.config import ensemble_params
from sgdbalance.discrete.adaptive import AdaptiveParams
from sgdbalance.nets import network_params
from sgdbalance.theory.density import tail_exponent
from sgdbalance.theory.moments import Moments

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
spec = snakemake.params.spec
kind = spec["kind"]
inputs = snakemake.input
if "data" in inputs.keys():  # every check but the ReLU ones reads a training set
    x, y = io.load_dataset(inputs.data)
    moments = Moments.of_samples(x, y)
if "experiment" in spec:
    params = ensemble_params(snakemake.config["experiments"][spec["experiment"]])
    run = io.load_npz(inputs.run)
if "theory" in inputs.keys():
    theory, meta = io.load_theory(inputs.theory)
    if theory is None:
        raise ValueError(f"no stationary density to compare with: {meta['not_normalisable']}")

if kind == "sgf_balance":
    record = checks.sgf_balance(run, params.temperature, params.seed, spec.get("n_sigma", 4))
elif kind == "discrete_identity":
    rng = np.random.default_rng(np.random.SeedSequence(spec["seed"]))
    record = checks.discrete_identity(
        x, y, spec["etas"], spec["batch"], spec["n_states"], rng, spec["seed"],
        spec.get("max_ulps", 8.0),
    )  # fmt: skip
elif kind == "density":
    record = checks.density(run, theory, params.step, params.seed, spec["alpha"], spec["step_bias"])
elif kind == "gd_conservation":
    record = checks.gd_conservation(run, params.eta, moments)
elif kind == "collapse_rate":
    record = checks.collapse_rate(run, params, moments, spec.get("n_sigma", 4))
elif kind == "tail_index":
    samples = run["v"][:, run["checkpoint_time"] >= params.burn_in]  # stationary: (runs, k)
    asymptotic = -1 - tail_exponent(moments, params.depth, params.temperature, params.width)
    record = checks.tail_index(
        samples, theory, asymptotic, spec["tail_fraction"], spec["n_boot"], spec["seed"],
        spec.get("n_sigma", 4),
    )  # fmt: skip
elif kind == "tail_slope":
    split = io.load_npz(inputs.splitting)
    experiment = snakemake.config["splitting"][spec["splitting"]]["experiment"]
    params = ensemble_params(snakemake.config["experiments"][experiment])
    record = checks.tail_slope(
        split, theory, tail_exponent(moments, params.depth, params.temperature, params.width),
        spec["within"], spec["min_roots"], spec["n_boot"], spec["seed"], spec.get("n_sigma", 4),
    )  # fmt: skip
elif kind == "tail_level":
    record = checks.tail_level(
        io.load_npz(inputs.splitting), theory, spec["probability"], spec["allowance"],
        spec.get("n_sigma", 4),
    )  # fmt: skip
elif kind == "splitting_plain":
    if "plain" in spec:  # the same chain and record without levels
        plain = io.load_npz(inputs.plain)
    else:  # the experiment's stationary samples: (runs, k)
        plain = run["v"][:, run["checkpoint_time"] >= params.burn_in]
    record = checks.splitting_against_plain(
        io.load_npz(inputs.splitting), plain, spec["tail_probabilities"], spec.get("n_sigma", 4)
    )
elif kind == "discrete_collapse":
    draws = {"draws": spec["draws"]} if "draws" in spec else {}  # else the function's default
    record = checks.collapse_check(
        io.load_npz(inputs.sweep), x, y, spec["seed"], spec.get("n_sigma", 4), **draws
    )
elif kind == "kesten_tails":
    record = checks.kesten_check(
        io.load_npz(inputs.sweep), x, y, spec["n_tail"], spec["n_boot"], spec["seed"],
        spec.get("n_sigma", 4),
    )  # fmt: skip
elif kind == "fokker_planck":
    record = checks.fokker_planck_check(moments, n_cells=spec.get("n_cells", 2000))
elif kind == "fluctuation_theory":
    record = checks.fluctuation_inversion_check(moments, spec["depth"])
elif kind == "scaling_theory":
    record = checks.scaling_check(moments)
elif kind == "variance_series":
    series = [ensemble_params(snakemake.config["experiments"][n]) for n in spec["experiments"]]
    record = checks.simulated_variance_check(
        [io.load_npz(path) for path in inputs.runs],
        [p.temperature for p in series],
        moments,
        series[0].depth,
        spec["seed"],
        n_boot=spec.get("n_boot", 4000),
    )
elif kind == "scaling_simulation":
    series = {}
    for name, run_path, theory_path in zip(
        spec["experiments"], inputs.runs, inputs.theories, strict=True
    ):
        density, _ = io.load_theory(theory_path)
        params = ensemble_params(snakemake.config["experiments"][name])
        series[name] = (io.load_npz(run_path), params, density)
    regimes = {"collapse": spec["collapse"], "concentrate": spec["concentrate"]}
    record = checks.scaling_simulation_check(
        series, moments, regimes, spec["seed"], spec.get("alpha", 0.001)
    )
elif kind == "memory":
    test = spec["test"]
    if test == "one_dies":
        record = checks.opposite_signs_one_dies(run, params, moments, spec.get("cutoff", 1e-6))
    elif test == "ratio_conserved":
        record = checks.ratio_conserved(run, params)
    else:
        record = checks.paths_equalise(run, params, moments, spec.get("fraction", 0.1))
elif kind == "relu_identity":
    net = network_params(snakemake.config["networks"][spec["network"]])
    record = checks.relu_identity(net, spec["n_states"], spec["seed"], spec.get("max_ulps", 8))
elif kind == "relu_balance":
    net = network_params(snakemake.config["networks"][spec["network"]])
    record = checks.relu_noise_balance(io.load_npz(inputs.network), net, spec.get("n_sigma", 4))
elif kind == "mode":
    record = checks.mode(
        run, params, theory, moments, spec["n_boot"], spec["seed"], spec.get("n_sigma", 4)
    )
elif kind == "finite_step_series":
    series = []
    for name, run_path, theory_path in zip(
        spec["experiments"], inputs.runs, inputs.theories, strict=True
    ):
        density, _ = io.load_theory(theory_path)
        params = ensemble_params(snakemake.config["experiments"][name])
        series.append((io.load_npz(run_path), params, density))
    record = checks.finite_step_series(series, moments, spec.get("n_sigma", 4))
elif kind == "momentum_balance":
    record = checks.momentum_balance(run, params, moments, spec.get("n_sigma", 4))
elif kind in ("momentum_variance", "momentum_gap_series"):
    series = []
    for name, run_path, theory_path in zip(
        spec["experiments"], inputs.runs, inputs.theories, strict=True
    ):
        params = ensemble_params(snakemake.config["experiments"][name])
        density = io.load_theory(theory_path)[0] if kind == "momentum_gap_series" else None
        series.append((io.load_npz(run_path), params, density))
    if kind == "momentum_variance":
        record = checks.momentum_variance_check([s[:2] for s in series], moments,
                                                spec.get("n_sigma", 4))  # fmt: skip
    else:
        record = checks.momentum_gap_series(
            series, spec.get("n_sigma", 4), spec.get("alpha", 0.001)
        )
elif kind == "adaptive_variance":
    entry = dict(snakemake.config["adaptive"][spec["adaptive"]])
    entry.pop("dataset")
    entry["init"] = tuple(entry.get("init", (2.0, 0.1)))
    record = checks.adaptive_variance(
        io.load_npz(inputs.adaptive), AdaptiveParams(**entry), moments, spec.get("n_sigma", 4)
    )
else:
    raise ValueError(f"unknown check kind {kind!r}")
record["check"] = snakemake.wildcards.check
record["config"] = spec
logging.info("%s", checks.summary_lines({snakemake.wildcards.check: record})[0])
io.save_json_atomic(snakemake.output[0], record)
