"""The checks a JSON schema cannot do, one validator per config section.

The schema (``workflow/schemas/config.schema.yaml``) checks types, ranges and unknown keys.
These add what needs several keys at once or the theory: a reference to a missing dataset, a
learning rate at which gradient descent is unstable even at the minimum, a density check at a
temperature where no normalisable density exists. Each raises ``ConfigError`` for the first
problem it finds, naming the key and the allowed range.

``check_config`` runs them all. This module holds the checks of the whole mapping and of the
sections that only describe (datasets, tables); ``validate_runs`` those of the sections that
run something (experiments, networks, sweeps, splitting), ``validate_reads`` those of the
sections that read what runs wrote (checks, measurements, figures).
"""

import math

from .params import ConfigError, population_moments
from .validate_reads import check_checks, check_figures, check_measurements
from .validate_runs import (
    check_adaptive,
    check_experiments,
    check_networks,
    check_splitting,
    check_sweeps,
)

# Keys that are integers wherever the schema has them (test_config keeps this in step with it;
# burn_in is an integer in sweeps but a time in experiments).
INTEGER_KEYS = frozenset(
    ["batch", "bins", "count", "d_in", "d_out", "data_seed", "depth", "draws", "jobs", "keep",
     "min_roots", "n", "n_boot", "n_cells", "n_checkpoints", "n_probe", "n_runs", "n_states",
     "n_tail", "replicates", "sample_every", "seed", "splits", "steps", "theory_draws", "width"]
)  # fmt: skip


def check_config(config: dict) -> None:
    """Raise ConfigError for the first problem found, naming the key.

    The checks a schema cannot express, one validator per config section: for example a
    learning rate beyond GD's stability limit at the minimum, or a check naming a missing
    experiment.

    Parameters
    ----------
    config : dict
        The merged config mapping, already validated against the schema.

    Raises
    ------
    ConfigError
        Naming the key, its value and the allowed range.
    """
    check_numbers(config)
    check_datasets(config)
    check_experiments(config)
    check_sweeps(config)
    check_splitting(config)
    check_checks(config)
    check_measurements(config)
    check_networks(config)
    check_figures(config)
    check_tables(config)
    check_adaptive(config)


def check_numbers(node, key: str = "") -> None:
    """Every number of the config is finite (YAML reads .nan and .inf, and a JSON schema's
    ranges let nan through: every comparison with it is false), and every count is an int (a
    schema's integer type accepts 2.0, which then breaks ``range`` and list arithmetic)."""
    if isinstance(node, dict):
        for name, value in node.items():
            sub = f"{key}.{name}" if key else str(name)
            if name in INTEGER_KEYS and isinstance(value, float) and math.isfinite(value):
                raise ConfigError(f"{sub} = {value} must be an integer (no decimal point)")
            check_numbers(value, sub)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            check_numbers(value, f"{key}[{i}]")
    elif isinstance(node, float) and not math.isfinite(node):
        raise ConfigError(f"{key} = {node} is not a finite number")


def check_datasets(config: dict) -> None:
    """Each dataset's population moments exist and are finite."""
    for name, d in config["datasets"].items():
        try:
            m = population_moments(config, name)
            if not all(math.isfinite(v) for v in m.as_dict().values()):
                raise OverflowError("a moment overflows")
        except (ValueError, OverflowError) as err:
            raise ConfigError(
                f"datasets.{name}: k = {d['k']}, sigma = {d['sigma']} give no usable moments "
                f"({err}); allowed: k > 0 and sigma >= 0 with k^2 and sigma^2 below 1e308"
            ) from None


def check_tables(config: dict) -> None:
    """Each table's dataset, and a weight decay that leaves a learning phase."""
    for name, t in config.get("tables", {}).items():
        if t["dataset"] not in config["datasets"]:
            raise ConfigError(f"tables.{name}.dataset = {t['dataset']!r} is not among datasets")
        beta2 = population_moments(config, t["dataset"]).beta2
        if "weight_decay" in t and not t["weight_decay"] < beta2:
            raise ConfigError(
                f"tables.{name}.weight_decay = {t['weight_decay']} leaves no learning phase: "
                f"allowed range 0 <= weight_decay < beta2 = {beta2:.4g}"
            )
