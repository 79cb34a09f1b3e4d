"""Reading config files: the base config with its overlays, and the claims registry.

``config/config.yaml`` is the paper-scale config; an overlay such as ``config/quick.yaml`` holds
only the keys that differ. Snakemake merges them itself (the Snakefile reads the base, and
``--configfile`` overlays are merged onto it); ``load_config`` does the same merge outside the
workflow: mappings are merged key by key, any other value (a number, a list) is replaced whole.
"""

from pathlib import Path

import yaml

from .params import ConfigError


def merge(base: dict, overlay: dict) -> dict:
    """``base`` with ``overlay`` merged onto it, as Snakemake merges ``--configfile`` files.

    Mappings are merged key by key, recursively; numbers, strings and lists are replaced
    whole.

    Parameters
    ----------
    base, overlay : dict

    Returns
    -------
    dict
        A new mapping; neither argument is changed.

    Examples
    --------
    >>> merge({"a": {"x": 1, "y": [1, 2]}, "b": 2}, {"a": {"y": [3]}})
    {'a': {'x': 1, 'y': [3]}, 'b': 2}
    """
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_config(base, *overlays) -> dict:
    """The config at ``base`` with each overlay file merged onto it in turn.

    Parameters
    ----------
    base : str or path
        The base YAML config, e.g. ``config/config.yaml``.
    *overlays : str or path
        YAML files holding only what differs, e.g. ``config/quick.yaml``.

    Returns
    -------
    dict
        The merged config, as the workflow sees it with ``--configfile``.
    """
    config = _read(base)
    for path in overlays:
        config = merge(config, _read(path))
    return config


def _read(path) -> dict:
    with open(Path(path)) as f:
        return yaml.safe_load(f) or {}


def load_claims(path, config: dict) -> dict:
    """The claims registry at ``path``; every check it names must be in ``config``.

    Parameters
    ----------
    path : str or path
        ``config/claims.yaml``.
    config : dict
        The merged config mapping whose ``checks`` the claims name.

    Returns
    -------
    dict
        Claim id -> its statement, paper reference, figure and checks.
    """
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
