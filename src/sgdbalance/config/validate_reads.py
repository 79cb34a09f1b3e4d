"""Validators of the config sections that read what others wrote: checks, measurements and
figures (``validate.check_config`` runs them).

Each checks that what it names exists and suits it: a density check at a temperature with a
normalisable density, a Kesten check of a kesten_tails sweep, a figure's every name.
"""

from ..theory.density import why_not_normalisable
from .params import (
    CHECKS_WITH_THEORY,
    SPLITTING_CHECKS,
    ConfigError,
    figure_names,
    population_moments,
)

# Checks that read a sweep, and the sweep kind each needs.
SWEEP_CHECKS = {"discrete_collapse": "collapse_drift", "kesten_tails": "kesten_tails"}


def check_checks(config: dict) -> None:
    """Each check against what its kind reads: a sweep, a network, a series or an experiment."""
    for name, c in config.get("checks", {}).items():
        key = f"checks.{name}"
        if c["kind"] in SWEEP_CHECKS:
            _check_sweep_check(config, key, c)
        elif c["kind"] in ("relu_identity", "relu_balance"):
            if config.get("networks", {}).get(c["network"], {}).get("kind") != "relu":
                raise ConfigError(f"{key}.network = {c['network']!r} is not a relu network")
        elif c["kind"] == "variance_series":
            _check_variance_series(config["experiments"], key, c)
        elif c["kind"] == "finite_step_series":
            _check_finite_step_series(config["experiments"], key, c)
        elif c["kind"] == "scaling_simulation":
            _check_scaling_simulation(config["experiments"], key, c)
        elif c["kind"] in SPLITTING_CHECKS:
            _check_splitting_check(config, key, c)
        elif c["kind"].startswith("momentum_"):
            _check_momentum_check(config["experiments"], key, c)
        elif c["kind"] == "adaptive_variance":
            entry = config.get("adaptive", {}).get(c["adaptive"])
            if entry is None or entry["optimiser"] not in ("adam", "rmsprop"):
                raise ConfigError(
                    f"{key}.adaptive = {c['adaptive']!r} is not an adam or rmsprop entry"
                )
        else:
            _check_single_check(config, key, c)


def _check_splitting_check(config: dict, key: str, c: dict) -> None:
    split = config.get("splitting", {}).get(c["splitting"])
    if split is None:
        raise ConfigError(f"{key}.splitting = {c['splitting']!r} is not among splitting")
    if split["count"] == 0:
        raise ConfigError(f"{key}.splitting = {c['splitting']!r} has no levels (count 0)")
    if c["kind"] != "splitting_plain":
        return
    if "plain" in c:
        plain = config["splitting"].get(c["plain"])
        if plain is None or plain["count"] != 0 or plain["experiment"] != split["experiment"]:
            raise ConfigError(
                f"{key}.plain = {c['plain']!r} must be a splitting entry with count 0 of "
                f"{c['splitting']!r}'s experiment ({split['experiment']!r}): the same dynamics"
            )
        if plain.get("grid") != split.get("grid") or plain["seed"] == split["seed"]:
            raise ConfigError(
                f"{key}.plain = {c['plain']!r} must bin |v| on the grid of {c['splitting']!r} "
                f"and draw from another seed (independent runs)"
            )
    elif c["experiment"] != split["experiment"]:
        raise ConfigError(
            f"{key}.experiment = {c['experiment']!r} must be the experiment of splitting "
            f"{c['splitting']!r} ({split['experiment']!r}): the same dynamics"
        )


def _check_sweep_check(config: dict, key: str, c: dict) -> None:
    sweeps = config.get("sweeps", {})
    kind = sweeps.get(c["sweep"], {}).get("kind")
    if kind != SWEEP_CHECKS[c["kind"]]:
        raise ConfigError(
            f"{key}.sweep = {c['sweep']!r} must name a {SWEEP_CHECKS[c['kind']]} sweep"
        )
    if c["kind"] == "kesten_tails" and c["n_tail"] >= sweeps[c["sweep"]].get("keep", 5000):
        raise ConfigError(f"{key}.n_tail must be < the sweep's keep")


def _check_variance_series(experiments: dict, key: str, c: dict) -> None:
    series = [experiments.get(name) for name in c["experiments"]]
    if None in series:
        raise ConfigError(f"{key}.experiments names an experiment that is not defined")
    temps = [e["eta"] / e["batch"] for e in series]
    if len({e["depth"] for e in series}) != 1 or temps != sorted(set(temps)):
        raise ConfigError(
            f"{key}: the experiments {c['experiments']} need one depth and increasing "
            f"T = eta/S, got depths {[e['depth'] for e in series]}, T = {temps}"
        )


def _check_finite_step_series(experiments: dict, key: str, c: dict) -> None:
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


def _check_scaling_simulation(experiments: dict, key: str, c: dict) -> None:
    """Named sgf ensembles of one dataset; a curve of one d/(D T) in increasing D, and the two
    regimes among the experiments."""
    for name in c["experiments"]:
        if name not in experiments:
            raise ConfigError(f"{key}.experiments names {name!r}, which is not defined")
    for role in ("collapse", "concentrate"):
        if c[role] not in c["experiments"]:
            raise ConfigError(f"{key}.{role} = {c[role]!r} must be one of {key}.experiments")
    series = [experiments[name] for name in c["experiments"]]
    if any(e["method"] != "sgf" for e in series) or len({e["dataset"] for e in series}) != 1:
        raise ConfigError(f"{key}: the experiments need method sgf and one dataset")
    names = [n for n in c["experiments"] if n not in (c["collapse"], c["concentrate"])]
    curve = [experiments[n] for n in names]
    depths = [e["depth"] for e in curve]
    if len(curve) < 2 or depths != sorted(set(depths)) or min(depths) < 1:
        raise ConfigError(
            f"{key}: the curve's experiments {names} need increasing depths D >= 1, got {depths}"
        )
    ratios = [e.get("width", 1) * e["batch"] / (e["depth"] * e["eta"]) for e in curve]
    if len({round(r, 9) for r in ratios}) != 1:
        shown = ", ".join(f"{n}: {r:g}" for n, r in zip(names, ratios, strict=True))
        raise ConfigError(f"{key}: the curve's experiments need one d/(D T), got {shown}")


def _check_single_check(config: dict, key: str, c: dict) -> None:
    """A check of one experiment (or dataset): it exists, and suits the check's kind."""
    experiments = config["experiments"]
    target = c.get("experiment") or c.get("dataset")
    pool = experiments if "experiment" in c else config["datasets"]
    if target not in pool:
        raise ConfigError(f"{key} refers to {target!r}, which is not defined")
    if c["kind"] == "gd_conservation" and experiments[target]["method"] != "gd":
        raise ConfigError(f"{key}: experiment {target!r} must use method gd")
    if c["kind"] == "collapse_rate":
        e = experiments[target]
        m = population_moments(config, e["dataset"])
        sign = 1 if e.get("init_v", 1.0) > 0 else -1
        t_c = (m.beta2 - e.get("weight_decay", 0.0)) / m.alpha3
        if e["method"] != "sgf" or e["depth"] != 1 or (sign > 0 and e["eta"] / e["batch"] <= t_c):
            raise ConfigError(
                f"{key}: experiment {target!r} must be a D = 1 sgf run that collapses: "
                f"T > T_c = (beta2 - weight_decay) / alpha3 = {t_c:.4g} or a negative init_v"
            )
    if c["kind"] in CHECKS_WITH_THEORY:
        e = experiments[target]
        temperature = e["eta"] / e["batch"]
        sign = 1 if e.get("init_v", 1.0) > 0 else -1
        moments = population_moments(config, e["dataset"])
        reason = why_not_normalisable(moments, e["depth"], temperature, e.get("width", 1), sign)
        if reason:
            raise ConfigError(
                f"{key}: experiment {target!r} at T = eta/S = {temperature:.4g} "
                f"(init_v = {e.get('init_v', 1.0)}, dataset {e['dataset']!r}) has no normalisable "
                f"stationary density to compare with ({reason})"
            )


def check_measurements(config: dict) -> None:
    """Each measurement reads an existing kesten_tails sweep, dataset or experiment."""
    sweeps = config.get("sweeps", {})
    for name, m in config.get("measurements", {}).items():
        if "sweep" in m:
            sweep = sweeps.get(m["sweep"], {})
            if sweep.get("kind") != "kesten_tails":
                raise ConfigError(f"measurements.{name}.sweep = {m['sweep']!r} must name a "
                                  "kesten_tails sweep")  # fmt: skip
            if max(m["n_tails"]) >= sweep.get("keep", 5000):
                raise ConfigError(f"measurements.{name}.n_tails must be < the sweep's keep")
        elif "dataset" in m:
            if m["dataset"] not in config["datasets"]:
                raise ConfigError(f"measurements.{name}.dataset = {m['dataset']!r} is not defined")
        elif m["experiment"] not in config["experiments"]:
            raise ConfigError(
                f"measurements.{name}.experiment = {m['experiment']!r} is not among experiments"
            )


def check_figures(config: dict) -> None:
    """Every name a figure reads exists; the finite-step figures read what they need."""
    pools = config["experiments"] | config.get("networks", {}) | config.get("sweeps", {})
    for fig, spec in config.get("figures", {}).items():
        for role, name in figure_names(spec):
            kind = role.split("[")[0]
            pool, what = {
                "dataset": (config["datasets"], "datasets"),
                "checks": (config.get("checks", {}), "checks"),
                "slopes": (_checks_of_kind(config, "tail_slope"), "tail_slope checks"),
                "bias": (config.get("measurements", {}), "measurements"),
                "adaptive": (config.get("adaptive", {}), "adaptive"),
            }.get(kind, (pools, "experiments, networks or sweeps"))
            if name not in pool:
                raise ConfigError(f"figures.{fig}.{role} = {name!r} is not among {what}")
    _check_discrete_figures(config)


def _checks_of_kind(config: dict, kind: str) -> list[str]:
    return [name for name, c in config.get("checks", {}).items() if c["kind"] == kind]


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


def _check_momentum_check(experiments: dict, key: str, c: dict) -> None:
    """A momentum check's experiments: defined, sgd, and of the depth, T_eff, S and momentum
    its kind reads (checks.momentum)."""
    names = c.get("experiments") or [c["experiment"]]
    for name in names:
        if name not in experiments:
            raise ConfigError(f"{key} refers to {name!r}, which is not defined")
    series = [experiments[name] for name in names]
    if any(e["method"] != "sgd" for e in series):
        raise ConfigError(f"{key}: every experiment must use method sgd")
    beta = [e.get("momentum", 0.0) for e in series]
    depths = {e["depth"] for e in series}
    if c["kind"] == "momentum_balance" and (depths != {1} or beta[0] <= 0):
        raise ConfigError(f"{key}: the experiment must have depth 1 and momentum in (0, 1)")
    if c["kind"] == "momentum_variance" and depths != {0}:
        raise ConfigError(f"{key}: the experiments must have depth 0 (linear regression)")
    if c["kind"] == "momentum_gap_series":
        t_eff = {
            round(e["eta"] / ((1 - b) * e["batch"]), 9) for e, b in zip(series, beta, strict=True)
        }
        if len(depths) != 1 or len(t_eff) != 1 or len({e["batch"] for e in series}) != 1:
            raise ConfigError(
                f"{key}: the experiments need one depth, one S and one T_eff = eta / ((1 - "
                f"momentum) S); got depths {sorted(depths)}, T_eff {sorted(t_eff)}"
            )
        if beta[0] != 0 or len(set(beta)) != len(beta):
            raise ConfigError(
                f"{key}: the first experiment needs momentum 0, each other a different one"
            )
