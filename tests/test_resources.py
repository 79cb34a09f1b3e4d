"""What each compute job asks a cluster for (``config/resources.py``), against the wall times
its jobs took in a full build (``benchmarks/measured_runtimes.tsv``)."""

import copy
from pathlib import Path

import pytest

from sgdbalance.artifact.io import load_runtimes
from sgdbalance.config import expected_seconds, job_resources, load_config, splitting_threads
from sgdbalance.config.resources import STARTUP_S

ROOT = Path(__file__).resolve().parents[1]
MEASURED = ROOT / "benchmarks" / "measured_runtimes.tsv"
FULL = load_config(ROOT / "config" / "config.yaml")
QUICK = load_config(ROOT / "config" / "config.yaml", ROOT / "config" / "quick.yaml")
# The benchmark folder of each section's jobs (workflow/rules/train.smk).
FOLDERS = {"experiments": "train", "networks": "networks", "sweeps": "sweeps",
           "splitting": "splitting"}  # fmt: skip


def compute_jobs(config: dict) -> dict[str, tuple[str, str]]:
    """Every compute job of a config by its benchmark name (``train/<experiment>``, or
    ``train/<experiment>/part<i>`` for an entry in ``jobs: k > 1``) -> (section, entry)."""
    jobs = {}
    for section, folder in FOLDERS.items():
        for name, spec in config.get(section, {}).items():
            k = spec.get("jobs", 1)
            parts = [f"/part{i}" for i in range(k)] if k > 1 else [""]
            jobs |= {f"{folder}/{name}{part}": (section, name) for part in parts}
    return jobs


def test_every_compute_job_of_the_full_config_was_measured():
    """The reference file is of this config: refresh it (its script's docstring says how) when
    a job is added, renamed or split."""
    assert set(load_runtimes(MEASURED)) == set(compute_jobs(FULL))


def test_requests_cover_the_measured_runtime_and_ask_at_most_ten_times_it():
    # SLURM kills a job at its runtime, so a request below the measured time fails the build;
    # far above it, the job waits in the queue for nothing. 5 minutes: below that, no request
    # is worth the queue's attention.
    measured = load_runtimes(MEASURED)
    wrong = []
    for job, (section, name) in compute_jobs(FULL).items():
        minutes = measured[job] / 60
        requested = job_resources(FULL, section, name)["runtime"]
        if not minutes <= requested <= max(10 * minutes, 5):
            wrong.append(f"{job}: measured {measured[job]:.1f} s, requested {requested} min")
    assert wrong == []


def test_expected_seconds_follow_the_work():
    # A formula of the entry, not a table of jobs: twice the runs take twice the time beyond
    # the start-up, for an ensemble, a network and a splitting estimate alike.
    for section, name, key in (("experiments", "scaling_D16_w16", "n_runs"),
                               ("networks", "tanh_signs", "n_runs"),
                               ("splitting", "split_D1", "replicates")):  # fmt: skip
        doubled = copy.deepcopy(FULL)
        doubled[section][name][key] *= 2
        base = expected_seconds(FULL, section, name) - STARTUP_S
        assert expected_seconds(doubled, section, name) - STARTUP_S == pytest.approx(2 * base)


def test_small_ensembles_ask_for_one_thread_and_large_ones_for_two():
    threads = {name: job_resources(QUICK, "experiments", name)["threads"]
               for name in QUICK["experiments"]}  # fmt: skip
    assert threads["balance_gd"] == 1  # 64 runs: about 1 s, most of it start-up
    assert threads["scaling_D4_w64"] == 2  # 6.5e9 factor-steps: the quick build's largest
    assert set(threads.values()) == {1, 2}
    split = copy.deepcopy(QUICK)
    split["experiments"]["scaling_D4_w64"]["jobs"] = 64
    assert job_resources(split, "experiments", "scaling_D4_w64")["threads"] == 1  # per job


def test_only_long_splitting_jobs_take_two_threads():
    """The full config's split_D0 (32 replicates x 200) takes two; the quick config's (8 x
    50) and the jobs at D >= 1, of seconds, leave the second core to the next job."""
    for config, two in ((FULL, {"split_D0"}), (QUICK, set())):
        assert {name for name in config["splitting"] if splitting_threads(config, name) == 2} == two
        assert {name for name in config["splitting"]
                if job_resources(config, "splitting", name)["threads"] == 2} == two  # fmt: skip
