"""What one compute job asks a cluster for: ``runtime`` (minutes), ``mem_mb`` and ``threads``.

A job's expected runtime is a start-up plus its work, counted from its config entry, over the
rate its kind ran at in a full build on the reference machine; it asks for ``MARGIN`` times that,
and never for less than ``FLOOR_MINUTES``. SLURM kills a job at its limit, so the request must
cover a slow run; but a scheduler starts a short request sooner, and asking for hours for a job
of seconds means waiting in the queue for nothing (train jobs asked for 10 + 2 x (factor-steps
at 2e6 per second) minutes before: 381 for scaling_D16_w16, which took 24 s).
``benchmarks/measured_runtimes.tsv`` holds the runtimes of that build, and
``tests/test_resources.py`` checks every compute job of the full config against them:
measured <= requested <= max(10 x measured, 5 minutes).
"""

import math

from ..discrete.sweeps_params import sweep_params
from ..nets.registry import network_params
from .params import ensemble_params, population_moments, splitting_params

FLOOR_MINUTES = 5  # below it a shorter request buys nothing: queueing and start-up dominate
# Requested over expected runtime. The reference build ran on 2 vCPUs shared with other work:
# the jobs of one kind ran at rates up to 3x apart from the median, and one job's wall time
# differed 3.5x between builds (README, "Runtime"). 3x covers that and stays within 10x of a
# job that runs at the median rate.
MARGIN = 3
STARTUP_S = 5.0  # Python, numpy and numba's cached kernels: 1-3 s measured, more on a busy host

# Factor-steps (runs x steps x width x (D + 1)) from which a train job takes two threads.
# Measured below it: every quick job ran in 1-3 s, a second of it start-up; full jobs in up to
# 20 s (the SGF's sub-steps at D <= 1). Such jobs keep two cores busier run side by side.
TWO_THREADS_FROM = 1e9
# Expected seconds of work from which a splitting job takes two threads. Threads take
# replicates one by one, and replicates differ in cost many times over (the deepest
# excursions): with 8 replicates, a splitting job ran 1.35x faster on two threads than on one,
# holding the second core throughout, where a second job would have used it fully. Jobs of a
# few seconds leave the second core to the next job.
SPLITTING_TWO_THREADS_FROM_S = 30.0

# Core-seconds of an ensemble per run-step (the noise, minibatch sums, the SGF's drift) and per
# factor-step (one of a run's width x (D + 1) factors updated), fitted to the six scaling_*
# ensembles of the reference build (2048 runs x 40000 steps, 6 to 320 factors, 5 to 35 s).
RUN_STEP_S = 6e-8
FACTOR_STEP_S = 2.5e-9
# Work per wall second of the other kinds: the median over the kind's jobs in the reference
# build (benchmarks/measured_runtimes.tsv), in the unit its work function counts.
RATES = {
    "relu": 1e10,  # multiply-adds of forward and backward passes
    "tanh": 2.5e7,  # model-steps: runs x steps x 2 models (x learning rates)
    "scaling": 1.4e10,  # multiply-adds of the deep tanh nets' training and evaluation
    "collapse_drift": 3e7,  # run-steps
    "kesten_tails": 1e8,  # run-steps, each weighted by 1 + S/4 for its minibatch
    "divergence_map": 1.2e7,  # run-steps
    # _splitting_work's count: at D = 0 it is about 25x below the sub-steps taken (a copy
    # that climbs makes copies in turn), which the rate absorbs; at D >= 1 about 1-3x above.
    "splitting_linear": 3.3e5,
    "splitting": 1e7,
}


def job_resources(config: dict, section: str, name: str) -> dict:
    """What one job of a config entry asks for: ``runtime`` (minutes), ``mem_mb``, ``threads``.

    Parameters
    ----------
    config : dict
        The merged config mapping.
    section : {"experiments", "networks", "sweeps", "splitting"}
        The entry's section; an entry split into ``jobs`` jobs asks this for each.
    name : str
        A key of ``config[section]``.

    Returns
    -------
    dict of int
        ``runtime`` in minutes: ``MARGIN`` times ``expected_seconds``, at least
        ``FLOOR_MINUTES``; ``mem_mb`` in MB; ``threads``.
    """
    seconds = expected_seconds(config, section, name)
    runtime = max(FLOOR_MINUTES, math.ceil(MARGIN * seconds / 60))
    spec = config[section][name]
    if section == "experiments":
        p = ensemble_params(spec)
        runs = _runs_per_job(p.n_runs, spec)
        # five checkpoint arrays per run, the histogram, and 600 MB for Python, numpy, numba
        mem_mb = 600 + 5 * 8 * runs * (p.n_checkpoints + 1) / 1e6 + 8 * p.hist_bins / 1e6
        return {"runtime": runtime, "mem_mb": int(mem_mb * 1.5), "threads": _train_threads(spec)}
    threads = splitting_threads(config, name) if section == "splitting" else 1
    return {"runtime": runtime, "mem_mb": 2000, "threads": threads}


def expected_seconds(config: dict, section: str, name: str) -> float:
    """Wall seconds one job of a config entry is expected to take on the reference machine:
    ``STARTUP_S`` plus its work over the rate of its kind (``RATES``; an ensemble's from
    ``RUN_STEP_S`` and ``FACTOR_STEP_S``).

    Parameters
    ----------
    config : dict
        The merged config mapping.
    section : {"experiments", "networks", "sweeps", "splitting"}
    name : str
        A key of ``config[section]``.

    Returns
    -------
    float
    """
    spec = config[section][name]
    if section == "experiments":
        return STARTUP_S + _train_seconds(spec)
    if section == "networks":
        kind, work = _network_work(spec)
    elif section == "sweeps":
        kind, work = spec["kind"], _sweep_work(spec)
    elif section == "splitting":
        kind, work = _splitting_work(config, name)
    else:
        raise ValueError(f"section must be experiments, networks, sweeps or splitting: {section!r}")
    return STARTUP_S + work / RATES[kind]


def _runs_per_job(n_runs: int, spec: dict) -> int:
    """Runs of the largest job of an entry whose ``n_runs`` are split into ``jobs`` jobs."""
    return -(-n_runs // spec.get("jobs", 1))


def _train_work(spec: dict) -> float:
    """Factor-steps of one job of an experiment: its share of the runs x steps x factors."""
    p = ensemble_params(spec)
    runs = _runs_per_job(p.n_runs, spec)
    return runs * p.n_steps * p.width * (p.depth + 1)


def _train_threads(spec: dict) -> int:
    """Two threads for a job of ``TWO_THREADS_FROM`` factor-steps or more, else one."""
    return 2 if _train_work(spec) >= TWO_THREADS_FROM else 1


def _train_seconds(spec: dict) -> float:
    """Wall seconds of the work of one job of an experiment: core-seconds per run-step (the
    noise, the minibatch sums, the SGF's drift) and per factor updated, over its threads."""
    p = ensemble_params(spec)
    runs = _runs_per_job(p.n_runs, spec)
    core_seconds = runs * p.n_steps * RUN_STEP_S + _train_work(spec) * FACTOR_STEP_S
    return core_seconds / _train_threads(spec)


def _network_work(spec: dict) -> tuple[str, float]:
    """The rate's kind and the work of one job of a network."""
    p = network_params(spec)
    runs = _runs_per_job(p.n_runs, spec)
    if spec["kind"] == "relu":
        samples = p.n if p.method == "gd" else p.batch  # per step
        weights = p.d_in * p.width + p.width * p.d_out
        return "relu", runs * p.steps * samples * 3 * weights  # forward and backward
    if spec["kind"] == "tanh_signs":
        return "tanh", runs * p.steps * 2
    if spec["kind"] == "tanh_stability":
        return "tanh", runs * p.steps * 2 * len(p.etas)
    # scaling: both schedules at every depth; the 1797 8x8 digits unless source is mnist
    n, pixels = (60_000, 784) if p.source == "mnist" else (1797, 64)
    weights = sum(pixels * p.width + (D - 1) * p.width**2 + p.width * 10 for D in p.depths)
    passes = 3 * p.steps * p.batch + (p.n_checkpoints + p.n_tail) * (p.n_probe or n)
    return "scaling", 2 * runs * weights * passes


def _sweep_work(spec: dict) -> float:
    """Run-steps of a sweep (Kesten's weighted by its minibatch size)."""
    p = sweep_params(spec)
    if spec["kind"] == "collapse_drift":
        return len(p.temperatures) * p.n_runs * p.steps
    if spec["kind"] == "kesten_tails":
        return sum(1 + S / 4 for _, S in p.points) * p.n_runs * p.steps
    return len(p.ks) * len(p.temperatures) * len(p.batches) * p.n_runs * p.steps


def _splitting_work(config: dict, name: str) -> tuple[str, float]:
    """SGF sub-steps that a splitting job takes, over all its replicates.

    The main runs take ``(burn_in + time) / dt`` steps, each of ``substeps(first / factor)``
    (the bulk). The levels are spaced so that about as many copies reach each level as the one
    below (``SplittingParams``), and ``splits - 1`` copies are made at each, per root
    excursion; the roots are counted as ``replicates x time``. At D = 0 a copy at level ``L``
    lives about ``ln(factor) / (2 beta1)`` in time, in steps of dt. At D >= 1 far out, log|v|
    moves about ``(D + 1) max_relative_step`` per sub-step and drifts by one factor in about
    ``(ln(factor) / ((D + 1) max_relative_step))^2`` of them, at every level alike.
    """
    ensemble, split = splitting_params(config, name)
    experiment = config["experiments"][config["splitting"][name]["experiment"]]
    m = population_moments(config, experiment["dataset"])
    dt, depth = ensemble.step, ensemble.depth
    bulk = split.first / split.factor
    main = split.replicates * (split.burn_in + split.time) / dt * _substeps(ensemble, m, bulk, dt)
    if depth == 0:
        per_copy = math.log(split.factor) / (2 * m.beta1) / dt
    else:
        per_copy = (math.log(split.factor) / ((depth + 1) * ensemble.max_relative_step)) ** 2
    per_root = split.count * (split.splits - 1) * per_copy
    return ("splitting_linear" if depth == 0 else "splitting"), main + (
        split.replicates * split.time * per_root
    )


def _substeps(p, m, v: float, dt: float) -> float:
    """Euler-Maruyama sub-steps the engine takes for one SGF step of ``dt`` at ``v`` (one path,
    balanced): ``(scale / max_relative_step)^2`` with ``scale`` the typical move of a factor,
    as ``simulate.kernels.sgf_scale`` has it; one at D = 0, which the engine never splits."""
    if p.depth == 0:
        return 1.0
    g = m.alpha1 * v * v - 2 * m.alpha2 * v + m.alpha3
    drift = 2 * (m.beta1 * v - m.beta2)
    largest = abs(v) ** (1 / (p.depth + 1))
    scale = (dt * abs(drift) + math.sqrt(4 * p.temperature * max(g, 0.0) * dt)) * largest ** (
        (p.depth - 1) / (p.depth + 1)
    )
    return max(1.0, (scale / p.max_relative_step) ** 2)


def splitting_threads(config: dict, name: str) -> int:
    """Threads for the job of a ``splitting`` entry: two where its work is expected to take
    ``SPLITTING_TWO_THREADS_FROM_S`` or more on one core, else one.

    Parameters
    ----------
    config : dict
        The merged config mapping.
    name : str
        A key of ``config["splitting"]``.

    Returns
    -------
    int
    """
    work = expected_seconds(config, "splitting", name) - STARTUP_S
    return 2 if work >= SPLITTING_TWO_THREADS_FROM_S else 1
