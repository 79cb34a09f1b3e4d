"""From a validated config mapping to parameter objects, with the checks a schema cannot do.

The JSON schema (``workflow/schemas/config.schema.yaml``) checks types, ranges and unknown keys.
``check_config`` adds what needs several keys at once or the theory: a reference to a missing
dataset, a learning rate at which gradient descent is unstable even at the minimum, a density
check at a temperature where no normalisable density exists. Every message names the key.
"""

import math

from .data import DatasetParams
from .density import why_not_normalisable
from .ensemble import EnsembleParams, balanced_init, balanced_paths
from .moments import Moments
from .networks import network_params
from .sweeps import sweep_params

# Checks that compare an ensemble with the theory density of its experiment.
CHECKS_WITH_THEORY = ("density", "tail_index", "mode")
# Most steps (SGD or Euler-Maruyama) of one run: at 2e6 run-steps/s, 1e12 take six days.
MAX_STEPS = 1e12
# Checks that read a sweep, and the sweep kind each needs.
SWEEP_CHECKS = {"discrete_collapse": "collapse_drift", "kesten_tails": "kesten_tails"}


class ConfigError(ValueError):
    """A config that cannot run; the message names the key and the allowed range."""


def dataset_params(config: dict, name: str) -> DatasetParams:
    return DatasetParams(**config["datasets"][name])


def population_moments(config: dict, dataset: str) -> Moments:
    d = config["datasets"][dataset]
    if d.get("inputs", "normal") != "normal":
        beta1, var_x2 = 1.0, 0.8  # uniform on [-sqrt 3, sqrt 3]: E[x^2] = 1, Var[x^2] = 4/5
        k, s = d["k"], d["sigma"]
        return Moments(var_x2, k * var_x2, k * k * var_x2 + s * s * beta1, beta1, k * beta1)
    return Moments.population(d["k"], d["sigma"])


def ensemble_params(spec: dict) -> EnsembleParams:
    """The ensemble of one ``experiments`` entry; keys absent from it take the defaults."""
    e = dict(spec)
    e.pop("dataset")
    e.pop("jobs", None)
    depth, width = e["depth"], e.get("width", 1)
    if "init_layers" in e:
        init = tuple(float(u) for u in e.pop("init_layers"))
    elif "init_paths" in e:  # v_i of each path, every path balanced
        init = balanced_paths(e.pop("init_paths"), depth)
    else:
        init = balanced_init(e.pop("init_v"), depth, width)
    hist = e.pop("hist", None)
    if hist:
        e["hist_range"] = (hist["lo"], hist["hi"])
        e["hist_bins"] = hist["bins"]
    return EnsembleParams(init=init, **e)


def part_runs(spec: dict, part: int) -> range:
    """Runs of job ``part`` when an experiment's ``n_runs`` are split into ``jobs`` jobs."""
    n, jobs = spec["n_runs"], spec.get("jobs", 1)
    return range(part * n // jobs, (part + 1) * n // jobs)


def job_resources(spec: dict) -> dict:
    """Generous SLURM resources for one job of an experiment: ``runtime`` (minutes), ``mem_mb``.

    Runtime assumes 2e6 run-steps/s, 10x below the slowest rate measured (the D = 1 SGF with
    its sub-steps); memory counts the five checkpoint arrays per run and 600 MB for Python,
    numpy and the compiled kernel.
    """
    p = ensemble_params(spec)
    runs = -(-p.n_runs // spec.get("jobs", 1))
    minutes = runs * p.n_steps * p.width * (p.depth + 1) / 2e6 / 60
    mem_mb = 600 + 5 * 8 * runs * (p.n_checkpoints + 1) / 1e6 + 8 * p.hist_bins / 1e6
    return {"runtime": int(10 + 2 * minutes), "mem_mb": int(mem_mb * 1.5)}


def gd_stability_limit(moments: Moments, depth: int) -> float:
    """Largest eta at which GD is stable at the balanced minimum ``v* = beta2/beta1``.

    The Hessian's top eigenvalue there is ``2 beta1 (D + 1) |v*|^(2D/(D+1))``, and GD is
    stable iff ``eta`` times it is below 2.
    """
    v_star = moments.beta2 / moments.beta1
    curvature = moments.beta1 * (depth + 1) * abs(v_star) ** (2.0 * depth / (depth + 1))
    return 1.0 / curvature if curvature > 0 else math.inf  # v* = 0: flat, no limit


def _check_finite(node, key: str = "") -> None:
    """Every number of the config is finite (YAML reads .nan and .inf, and a JSON schema's
    ranges let nan through: every comparison with it is false)."""
    if isinstance(node, dict):
        for name, value in node.items():
            _check_finite(value, f"{key}.{name}" if key else str(name))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _check_finite(value, f"{key}[{i}]")
    elif isinstance(node, float) and not math.isfinite(node):
        raise ConfigError(f"{key} = {node} is not a finite number")


def check_config(config: dict) -> None:
    """Raise ConfigError for the first problem found, naming the key."""
    _check_finite(config)
    datasets = config["datasets"]
    experiments = config["experiments"]
    for name, d in datasets.items():
        try:
            m = population_moments(config, name)
            if not all(math.isfinite(v) for v in m.as_dict().values()):
                raise OverflowError("a moment overflows")
        except (ValueError, OverflowError) as err:
            raise ConfigError(
                f"datasets.{name}: k = {d['k']}, sigma = {d['sigma']} give no usable moments "
                f"({err}); allowed: k > 0 and sigma >= 0 with k^2 and sigma^2 below 1e308"
            ) from None
    for name, e in experiments.items():
        key = f"experiments.{name}"
        if e["dataset"] not in datasets:
            raise ConfigError(
                f"{key}.dataset = {e['dataset']!r} is not among datasets: {sorted(datasets)}"
            )
        given = [k for k in ("init_v", "init_layers", "init_paths") if k in e]
        if len(given) != 1:
            raise ConfigError(
                f"{key}: give exactly one of init_v, init_layers, init_paths; got {given or 'none'}"
            )
        if "init_paths" in e and len(e["init_paths"]) != e.get("width", 1):
            raise ConfigError(
                f"{key}.init_paths needs width = {e.get('width', 1)} values (v_i of each "
                f"path), got {len(e['init_paths'])}"
            )
        if "init_layers" in e and len(e["init_layers"]) != e["depth"] + 1:
            raise ConfigError(
                f"{key}.init_layers needs depth + 1 = {e['depth'] + 1} values, "
                f"got {len(e['init_layers'])}"
            )
        moments = population_moments(config, e["dataset"])
        limit = gd_stability_limit(moments, e["depth"])
        if e["method"] != "sgf" and e["eta"] >= limit:
            raise ConfigError(
                f"{key}.eta = {e['eta']} is impossible: gradient descent is unstable at the "
                f"minimum of dataset {e['dataset']!r} for eta >= 1/(beta1 (D+1) "
                f"|v*|^(2D/(D+1))) = {limit:.4g}; "
                f"allowed range 0 < eta < {limit:.4g}"
            )
        if e["method"] == "sgf" and not (0 < e.get("dt", 0) <= e["eta"]):
            raise ConfigError(f"{key}.dt must be in (0, eta = {e['eta']}] for method sgf")
        if not 0 <= e.get("burn_in", 0.0) < e["time"]:
            raise ConfigError(f"{key}.burn_in must be in [0, time = {e['time']})")
        step = "dt" if e["method"] == "sgf" else "eta"
        if not e["time"] / e[step] < MAX_STEPS:
            raise ConfigError(
                f"{key}.{step} = {e[step]} makes time / {step} = {e['time'] / e[step]:.3g} "
                f"steps; allowed: at most {MAX_STEPS:.0e} steps"
            )
        hist = e.get("hist")
        if hist and not hist["lo"] < hist["hi"]:
            raise ConfigError(f"{key}.hist.lo = {hist['lo']} must be < hist.hi = {hist['hi']}")
        try:
            ensemble_params(e)
        except ValueError as err:
            raise ConfigError(f"{key}: {err}") from None
    sweeps = config.get("sweeps", {})
    for name, spec in sweeps.items():
        key = f"sweeps.{name}"
        if "dataset" in spec and spec["dataset"] not in datasets:
            raise ConfigError(f"{key}.dataset = {spec['dataset']!r} is not among datasets")
        try:
            sweep_params(spec)
        except ValueError as err:
            raise ConfigError(f"{key}: {err}") from None
    for name, c in config.get("checks", {}).items():
        key = f"checks.{name}"
        if c["kind"] in SWEEP_CHECKS:
            kind = sweeps.get(c["sweep"], {}).get("kind")
            if kind != SWEEP_CHECKS[c["kind"]]:
                raise ConfigError(
                    f"{key}.sweep = {c['sweep']!r} must name a {SWEEP_CHECKS[c['kind']]} sweep"
                )
            if c["kind"] == "kesten_tails" and c["n_tail"] >= sweeps[c["sweep"]].get("keep", 5000):
                raise ConfigError(f"{key}.n_tail must be < the sweep's keep")
            continue
        if c["kind"] in ("relu_identity", "relu_balance"):
            if config.get("networks", {}).get(c["network"], {}).get("kind") != "relu":
                raise ConfigError(f"{key}.network = {c['network']!r} is not a relu network")
            continue
        if c["kind"] == "variance_series":
            series = [experiments.get(name) for name in c["experiments"]]
            if None in series:
                raise ConfigError(f"{key}.experiments names an experiment that is not defined")
            temps = [e["eta"] / e["batch"] for e in series]
            if len({e["depth"] for e in series}) != 1 or temps != sorted(set(temps)):
                raise ConfigError(
                    f"{key}: the experiments {c['experiments']} need one depth and increasing "
                    f"T = eta/S, got depths {[e['depth'] for e in series]}, T = {temps}"
                )
            continue
        if c["kind"] == "finite_step_series":
            for name in c["experiments"]:
                if name not in experiments:
                    raise ConfigError(f"{key}.experiments names {name!r}, which is not defined")
            series = [experiments[name] for name in c["experiments"]]
            temps = {round(e["eta"] / e["batch"], 12) for e in series}
            if len(temps) != 1 or len({e["depth"] for e in series}) != 1:
                raise ConfigError(
                    f"{key}: the experiments {c['experiments']} need one depth and one "
                    f"T = eta/S, got depths {[e['depth'] for e in series]}, T = {sorted(temps)}"
                )
            if any(e["method"] != "sgd" for e in series):
                raise ConfigError(f"{key}: every experiment must use method sgd")
            continue
        target = c.get("experiment") or c.get("dataset")
        pool = experiments if "experiment" in c else datasets
        if target not in pool:
            raise ConfigError(f"{key} refers to {target!r}, which is not defined")
        if c["kind"] == "gd_conservation" and experiments[target]["method"] != "gd":
            raise ConfigError(f"{key}: experiment {target!r} must use method gd")
        if c["kind"] == "collapse_rate":
            e = experiments[target]
            m = population_moments(config, e["dataset"])
            sign = 1 if e.get("init_v", 1.0) > 0 else -1
            t_c = (m.beta2 - e.get("weight_decay", 0.0)) / m.alpha3
            if (
                e["method"] != "sgf"
                or e["depth"] != 1
                or (sign > 0 and e["eta"] / e["batch"] <= t_c)
            ):
                raise ConfigError(
                    f"{key}: experiment {target!r} must be a D = 1 sgf run that collapses: "
                    f"T > T_c = (beta2 - weight_decay) / alpha3 = {t_c:.4g} or a negative init_v"
                )
        if c["kind"] in CHECKS_WITH_THEORY:
            e = experiments[target]
            temperature = e["eta"] / e["batch"]
            v0 = e.get("init_v", 1.0)
            sign = 1 if v0 > 0 else -1
            reason = why_not_normalisable(
                population_moments(config, e["dataset"]),
                e["depth"],
                temperature,
                e.get("width", 1),
                sign,
            )
            if reason:
                raise ConfigError(
                    f"{key}: experiment {target!r} at T = eta/S = {temperature:.4g} "
                    f"(init_v = {v0}, dataset {e['dataset']!r}) has no normalisable stationary "
                    f"density to compare with ({reason})"
                )
    for name, m in config.get("measurements", {}).items():
        if "sweep" in m:
            sweep = sweeps.get(m["sweep"], {})
            if sweep.get("kind") != "kesten_tails":
                raise ConfigError(f"measurements.{name}.sweep = {m['sweep']!r} must name a "
                                  "kesten_tails sweep")  # fmt: skip
            if max(m["n_tails"]) >= sweep.get("keep", 5000):
                raise ConfigError(f"measurements.{name}.n_tails must be < the sweep's keep")
            continue
        if "dataset" in m:
            if m["dataset"] not in datasets:
                raise ConfigError(f"measurements.{name}.dataset = {m['dataset']!r} is not defined")
            continue
        if m["experiment"] not in experiments:
            raise ConfigError(
                f"measurements.{name}.experiment = {m['experiment']!r} is not among experiments"
            )
    networks = config.get("networks", {})
    for name, spec in networks.items():
        try:
            network_params(spec)
        except ValueError as err:
            raise ConfigError(f"networks.{name}: {err}") from None
    for fig, spec in config.get("figures", {}).items():
        for role, name in _figure_names(spec):
            kind = role.split("[")[0]
            pool, what = {
                "dataset": (datasets, "datasets"),
                "checks": (config.get("checks", {}), "checks"),
                "bias": (config.get("measurements", {}), "measurements"),
            }.get(kind, (experiments | networks | sweeps, "experiments, networks or sweeps"))
            if name not in pool:
                raise ConfigError(f"figures.{fig}.{role} = {name!r} is not among {what}")
    _check_discrete_figures(config)
    for name, t in config.get("tables", {}).items():
        if t["dataset"] not in datasets:
            raise ConfigError(f"tables.{name}.dataset = {t['dataset']!r} is not among datasets")
        beta2 = population_moments(config, t["dataset"]).beta2
        if "weight_decay" in t and not t["weight_decay"] < beta2:
            raise ConfigError(
                f"tables.{name}.weight_decay = {t['weight_decay']} leaves no learning phase: "
                f"allowed range 0 <= weight_decay < beta2 = {beta2:.4g}"
            )


def _check_discrete_figures(config: dict) -> None:
    """The finite-step figures read a divergence map, and kesten_tails checks of one dataset."""
    figures, sweeps, checks = config.get("figures", {}), config.get("sweeps", {}), config["checks"]
    if "fig_collapse_plane" in figures:
        name = figures["fig_collapse_plane"]["map"]
        if sweeps[name]["kind"] != "divergence_map":
            raise ConfigError(f"figures.fig_collapse_plane.map = {name!r} must be a divergence_map")
    if "fig_kesten" in figures:
        spec = figures["fig_kesten"]
        for name in spec["checks"]:
            if checks[name]["kind"] != "kesten_tails":
                raise ConfigError(
                    f"figures.fig_kesten.checks: {name!r} is not a kesten_tails check"
                )
            dataset = sweeps[checks[name]["sweep"]]["dataset"]
            if dataset != spec["dataset"]:
                raise ConfigError(
                    f"figures.fig_kesten.dataset = {spec['dataset']!r}, but check {name!r} "
                    f"simulates on {dataset!r}"
                )
        bias = config["measurements"].get(spec.get("bias"), {})
        if "bias" in spec and bias.get("kind") != "hill_bias":
            raise ConfigError(f"figures.fig_kesten.bias = {spec['bias']!r} must be a hill_bias")


def _figure_names(spec: dict):
    """``(role, name)`` of every experiment or network a figure's spec refers to."""
    for role, value in spec.items():
        if isinstance(value, list):
            yield from ((f"{role}[{i}]", v) for i, v in enumerate(value) if isinstance(v, str))
        elif isinstance(value, str):
            yield role, value


def figure_experiments(config: dict, figure: str) -> list[str]:
    """Names of the experiments a figure reads, in config order."""
    names = _figure_names(config["figures"][figure])
    return [name for _, name in names if name in config["experiments"]]


def figure_networks(config: dict, figure: str) -> list[str]:
    """Names of the networks a figure reads, in config order."""
    names = _figure_names(config["figures"][figure])
    return [name for _, name in names if name in config.get("networks", {})]


def figure_sweeps(config: dict, figure: str) -> list[str]:
    """Names of the sweeps a figure reads, in config order."""
    names = _figure_names(config["figures"][figure])
    return [name for _, name in names if name in config.get("sweeps", {})]


def load_claims(path, config: dict) -> dict:
    """The claims registry at ``path``; every check it names must be in ``config``."""
    import yaml

    with open(path) as f:
        registry = yaml.safe_load(f)
    for claim, spec in (registry or {}).get("claims", {}).items():
        for name in spec.get("checks", []):
            if name not in config.get("checks", {}):
                raise ConfigError(
                    f"{path}: claims.{claim}.checks names {name!r}, which is not among the "
                    f"config's checks: {sorted(config.get('checks', {}))}"
                )
    return registry
