"""Validators of the config sections that run something: experiments, networks, sweeps and
splitting estimates (``validate.check_config`` runs them).

Each checks what the section's parameter class cannot see alone: a dataset that is not
defined, gradient descent unstable at the minimum, more steps than a job can take.
"""

from ..discrete.adaptive import AdaptiveParams
from ..discrete.sweeps_params import sweep_params
from ..nets.registry import network_params
from .params import (
    ConfigError,
    ensemble_params,
    gd_stability_limit,
    population_moments,
    splitting_params,
)

# Most steps (SGD or Euler-Maruyama) of one run: at 2e6 run-steps/s, 1e12 take six days.
MAX_STEPS = 1e12


def check_experiments(config: dict) -> None:
    """Each experiment's dataset, start, learning rate, SGF step and burn-in."""
    datasets = config["datasets"]
    for name, e in config["experiments"].items():
        key = f"experiments.{name}"
        if e["dataset"] not in datasets:
            raise ConfigError(
                f"{key}.dataset = {e['dataset']!r} is not among datasets: {sorted(datasets)}"
            )
        _check_start(key, e)
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
        _check_jobs(key, e, e["n_runs"])
        hist = e.get("hist")
        if hist and not hist["lo"] < hist["hi"]:
            raise ConfigError(f"{key}.hist.lo = {hist['lo']} must be < hist.hi = {hist['hi']}")
        try:
            ensemble_params(e)
        except ValueError as err:
            raise ConfigError(f"{key}: {err}") from None


def _check_jobs(key: str, spec: dict, n_runs: int) -> None:
    """An experiment's or network's ``jobs`` leaves each job a share of its runs."""
    if not 1 <= spec.get("jobs", 1) <= n_runs:
        raise ConfigError(
            f"{key}.jobs = {spec['jobs']} must be in [1, n_runs = {n_runs}] (each job runs a "
            "share of the runs)"
        )


def _check_start(key: str, e: dict) -> None:
    """Exactly one of init_v, init_layers, init_paths, with as many values as it needs."""
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


def check_networks(config: dict) -> None:
    """Each network's parameters, as its module's parameter class checks them, and its jobs."""
    for name, spec in config.get("networks", {}).items():
        try:
            params = network_params(spec)
        except ValueError as err:
            raise ConfigError(f"networks.{name}: {err}") from None
        _check_jobs(f"networks.{name}", spec, params.n_runs)


def check_sweeps(config: dict) -> None:
    """Each sweep's dataset, and its parameters."""
    for name, spec in config.get("sweeps", {}).items():
        key = f"sweeps.{name}"
        if "dataset" in spec and spec["dataset"] not in config["datasets"]:
            raise ConfigError(f"{key}.dataset = {spec['dataset']!r} is not among datasets")
        try:
            sweep_params(spec)
        except ValueError as err:
            raise ConfigError(f"{key}: {err}") from None


def check_splitting(config: dict) -> None:
    """Each splitting estimate runs an sgf experiment, with levels that make sense."""
    for name, spec in config.get("splitting", {}).items():
        key = f"splitting.{name}"
        experiment = config["experiments"].get(spec["experiment"])
        if experiment is None or experiment["method"] != "sgf":
            raise ConfigError(
                f"{key}.experiment = {spec['experiment']!r} must name an sgf experiment"
            )
        try:
            ensemble, split = splitting_params(config, name)
        except (ValueError, OverflowError) as err:
            raise ConfigError(f"{key}: {err}") from None
        dt = ensemble.step
        for what in ("time", "burn_in"):
            steps = getattr(split, what) / dt
            if not (steps <= MAX_STEPS and (what == "burn_in" or steps >= 1)):
                raise ConfigError(
                    f"{key}.{what} = {getattr(split, what)} is {steps:.3g} steps of dt = {dt}; "
                    f"allowed: {'1' if what == 'time' else '0'} to {MAX_STEPS:.0e} steps"
                )


def check_adaptive(config: dict) -> None:
    """Each Adam, RMSProp or SGD ensemble of ``adaptive``: its dataset exists and its
    parameters are accepted by ``discrete.adaptive.AdaptiveParams``."""
    for name, spec in config.get("adaptive", {}).items():
        key = f"adaptive.{name}"
        if spec["dataset"] not in config["datasets"]:
            raise ConfigError(f"{key}.dataset = {spec['dataset']!r} is not among datasets")
        fields = {k: v for k, v in spec.items() if k != "dataset"}
        try:
            AdaptiveParams(**fields | {"init": tuple(fields.get("init", (2.0, 0.1)))})
        except ValueError as err:
            raise ConfigError(f"{key}: {err}") from None
