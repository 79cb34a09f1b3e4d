"""From a validated config mapping to parameter objects, and the facts the validators share."""

import math

from ..simulate.data import DatasetParams
from ..simulate.params import EnsembleParams, SplittingParams, balanced_init, balanced_paths
from ..theory.moments import Moments

# Checks that compare an ensemble with the theory density of its experiment.
CHECKS_WITH_THEORY = ("density", "tail_index", "mode")
# Checks that read a splitting estimate (and the theory of its experiment, for tail_slope).
SPLITTING_CHECKS = ("tail_slope", "tail_level", "splitting_plain")


class ConfigError(ValueError):
    """A config that cannot run; the message names the key and the allowed range."""


def dataset_params(config: dict, name: str) -> DatasetParams:
    """The training set ``name`` of the config's ``datasets``, as ``DatasetParams``.

    Parameters
    ----------
    config : dict
        The merged config mapping (``load_config``).
    name : str
        A key of ``config["datasets"]``.

    Returns
    -------
    DatasetParams
    """
    return DatasetParams(**config["datasets"][name])


def population_moments(config: dict, dataset: str) -> Moments:
    """The population moments of a config dataset's distribution (not of its drawn set).

    ``Moments.population(k, sigma)`` for normal inputs; for uniform inputs on
    ``[-sqrt 3, sqrt 3]``, ``beta1 = 1`` and ``Var[x^2] = 4/5``. The validators use these
    before any data exists; the theory rules use the drawn set's moments.

    Parameters
    ----------
    config : dict
        The merged config mapping.
    dataset : str
        A key of ``config["datasets"]``.

    Returns
    -------
    Moments
    """
    d = config["datasets"][dataset]
    if d.get("inputs", "normal") != "normal":
        beta1, var_x2 = 1.0, 0.8  # uniform on [-sqrt 3, sqrt 3]: E[x^2] = 1, Var[x^2] = 4/5
        k, s = d["k"], d["sigma"]
        return Moments(var_x2, k * var_x2, k * k * var_x2 + s * s * beta1, beta1, k * beta1)
    return Moments.population(d["k"], d["sigma"])


def ensemble_params(spec: dict) -> EnsembleParams:
    """The ensemble of one ``experiments`` entry; keys absent from it take the defaults.

    Parameters
    ----------
    spec : dict
        An ``experiments`` entry (``workflow/schemas/config.schema.yaml`` lists its keys).

    Returns
    -------
    EnsembleParams
    """
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
    """Runs of job ``part`` when an experiment's ``n_runs`` are split into ``jobs`` jobs.

    Parameters
    ----------
    spec : dict
        An ``experiments`` entry with ``n_runs`` and optionally ``jobs`` (default 1).
    part : int
        Job index, ``0 <= part < jobs``.

    Returns
    -------
    range
        Run indices; the parts are adjacent and cover ``range(n_runs)``.
    """
    n, jobs = spec["n_runs"], spec.get("jobs", 1)
    return range(part * n // jobs, (part + 1) * n // jobs)


def gd_stability_limit(moments: Moments, depth: int) -> float:
    """Largest eta at which GD is stable at the balanced minimum ``v* = beta2/beta1``.

    The Hessian's top eigenvalue there is ``2 beta1 (D + 1) |v*|^(2D/(D+1))``, and GD is
    stable iff ``eta`` times it is below 2.

    Parameters
    ----------
    moments : Moments
        Moments of the training set.
    depth : int
        D, number of hidden layers.

    Returns
    -------
    float
        ``1 / (beta1 (D + 1) |v*|^(2D/(D+1)))``, a learning rate.

    Examples
    --------
    >>> from sgdbalance.theory import Moments
    >>> gd_stability_limit(Moments.population(k=1.0, sigma=0.5), depth=1)
    0.5
    """
    v_star = moments.beta2 / moments.beta1
    curvature = moments.beta1 * (depth + 1) * abs(v_star) ** (2.0 * depth / (depth + 1))
    return 1.0 / curvature if curvature > 0 else math.inf  # v* = 0: flat, no limit


def figure_names(spec: dict):
    """``(role, name)`` of every experiment or network a figure's spec refers to."""
    for role, value in spec.items():
        if isinstance(value, list):
            yield from ((f"{role}[{i}]", v) for i, v in enumerate(value) if isinstance(v, str))
        elif isinstance(value, str):
            yield role, value


def figure_entries(config: dict, figure: str, section: str) -> list[str]:
    """Names of the entries of one config section that a figure reads, in config order.

    Parameters
    ----------
    config : dict
        The merged config mapping.
    figure : str
        A key of ``config["figures"]``.
    section : {"experiments", "networks", "sweeps"}
        The config section whose entries are wanted.

    Returns
    -------
    list of str

    Examples
    --------
    >>> config = {"experiments": {"a": {}}, "networks": {"n": {}},
    ...           "figures": {"f": {"panels": ["a", "n"], "title": "x"}}}
    >>> figure_entries(config, "f", "experiments"), figure_entries(config, "f", "networks")
    (['a'], ['n'])
    """
    entries = config.get(section, {})
    return [name for _, name in figure_names(config["figures"][figure]) if name in entries]


def splitting_params(config: dict, name: str) -> tuple[EnsembleParams, SplittingParams]:
    """The dynamics (its experiment's ensemble) and the levels of a ``splitting`` entry.

    Parameters
    ----------
    config : dict
        The merged config mapping.
    name : str
        A key of ``config["splitting"]``.

    Returns
    -------
    tuple
        ``(EnsembleParams, SplittingParams)``.
    """
    spec = dict(config["splitting"][name])
    ensemble = ensemble_params(config["experiments"][spec.pop("experiment")])
    grid = spec.pop("grid", None)
    if grid:
        spec["bins"] = (grid["lo"], grid["hi"], grid["n"])
    return ensemble, SplittingParams(**spec)
