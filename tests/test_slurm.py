"""The quick config on a real single-node SLURM cluster, through the executor plugin.

The cluster is started by ``tests/slurm/cluster.sh`` from Debian's packages (installed on first
use) and stopped afterwards. It needs root; elsewhere these tests are skipped with that reason.
"""

import os
import re
import subprocess
import time

import pytest
import yaml
from workflow_runner import (
    QUICK,
    ROOT,
    assert_same_results,
    command,
    environment,
    quick_config,
    snakemake,
)

SLURM_FLAGS = [
    "--profile", str(ROOT / "profiles" / "slurm"),
    "--slurm-no-account",  # this cluster has no accounts
    "--slurm-status-command", "squeue",  # and no accounting database for sacct
    # The plugin waits this long after a poll that finds a job finished, and 10 s more after
    # each poll that finds none: a short wait costs one cheap poll, a long one idles the node.
    "--slurm-init-seconds-before-status-checks", "1",
    "--seconds-between-status-checks", "2",
    "--default-resources", "slurm_partition=debug", "runtime=30", "mem_mb=2000",
]  # targets go before these: --default-resources takes every word after it  # fmt: skip

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason="starting SLURM daemons needs root"),
]


@pytest.fixture(scope="module")
def cluster():
    script = ROOT / "tests" / "slurm" / "cluster.sh"
    subprocess.run([str(script), "start"], check=True)
    yield
    subprocess.run(["scancel", "--user", "root"], check=False)
    subprocess.run([str(script), "stop"], check=False)


# One of each kind of job (the whole quick DAG would be ~200 jobs at SLURM's pace): data, an
# ensemble split into two jobs, merge, theory, checks, a claim, a measurement, a network, a
# sweep, a figure. The compute rules go through sbatch, the rest run on the submitting node;
# no target needs more than two rounds of SLURM jobs (data, then what reads it).
SUBMITTED_RULES = {"data", "train", "train_part", "theory", "sweep", "train_network", "measure"}
TARGETS = [
    "results/figures/fig3_tanh.pdf",
    "results/claims/wrong_sign.json",
    "results/measurements/discrete_threshold_k02.json",
    "results/checks/discrete_collapse_k02_S4.json",  # a sweep job, then its check
    "results/train/sgd_T005_D1.npz",  # two train_part jobs, then merge_parts
]


def test_slurm_run_matches_the_local_run(cluster, tmp_path):
    remote, local = tmp_path / "slurm", tmp_path / "local"
    # The same targets built locally on one core, while the SLURM jobs queue and run. Its log
    # goes to a file: a pipe nobody reads until the SLURM run ends could fill and stall it.
    local_args = command(*TARGETS, "--cores", "1", "--configfile", str(QUICK), cwd=local)
    local_log = tmp_path / "local.log"
    with local_log.open("w") as log:
        reference = subprocess.Popen(
            local_args, stdout=log, stderr=subprocess.STDOUT, env=environment()
        )
    start = time.perf_counter()
    result = snakemake(*TARGETS, *SLURM_FLAGS, "--configfile", str(QUICK), cwd=remote)
    assert result.returncode == 0, result.stderr[-5000:]
    elapsed = time.perf_counter() - start
    submitted = re.findall(r"submitted with SLURM jobid .*/slurm_logs/rule_(\w+)/", result.stderr)
    print(f"SLURM run: {elapsed:.0f} s, {len(submitted)} jobs submitted")
    assert set(submitted) == SUBMITTED_RULES
    assert reference.wait() == 0, local_log.read_text()[-3000:]
    compared = assert_same_results(remote, local, (".json", ".npz", ".pdf", ".png"))
    assert compared > 15


def test_cancelled_job_fails_cleanly_and_a_rerun_completes(cluster, tmp_path):
    config = quick_config()
    config["experiments"]["sgf_T05_D1"]["time"] = 500.0  # about 20 s in one job
    long = tmp_path / "long.yaml"
    long.write_text(yaml.safe_dump(config))
    target = "results/train/sgf_T05_D1.npz"  # one job in the quick config
    cmd = command(target, *SLURM_FLAGS, "--configfile", str(long), cwd=tmp_path)
    run = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment()
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # wait for the train job to run, then kill it
            queue = subprocess.run(
                ["squeue", "-h", "-t", "R", "-o", "%i %k"], capture_output=True, text=True
            ).stdout
            running = [line.split()[0] for line in queue.splitlines() if "train" in line]
            if running:
                time.sleep(3)
                subprocess.run(["scancel", *running], check=True)
                break
            time.sleep(1)
        else:
            pytest.fail("the train job never started")
        output, _ = run.communicate(timeout=300)
    finally:
        run.kill()
    assert run.returncode != 0, output[-3000:]
    assert "Error" in output
    assert not (tmp_path / target).exists()
    assert not list((tmp_path / "results/train").glob(".*.tmp"))  # no half-written file
    rerun = snakemake(target, *SLURM_FLAGS, "--configfile", str(long), cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert (tmp_path / target).exists()
