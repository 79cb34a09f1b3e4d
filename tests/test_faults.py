"""Faults during a build, on the quick config's cheapest jobs (the example data, one part of
balance_sgd): a full disk fails the job that cannot write, naming the file and the reason,
keeps every finished output and leaves no temporary file, and a rerun completes; a result
file cut short is named by ``sgdbalance verify`` and rebuilt by the command in docs/faults.rst; a
build killed outright resumes and redoes only what was lost."""

import hashlib
import json
import os
import signal
import subprocess
import time

import pytest
from workflow_runner import BIN, QUICK, ROOT, command, environment, snakemake

from sgdbalance.artifact import io, provenance

DATA = "results/data/example.npz"
PART = "results/train/balance_sgd.npz"  # 228 kB: an ensemble trained in one job


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(target, cwd, *extra) -> subprocess.CompletedProcess:
    # The target comes first: --configfile and --forcerun take every word that follows.
    return snakemake(target, "--cores", "2", "--configfile", str(QUICK), *extra, cwd=cwd)


@pytest.fixture
def tiny_disk(tmp_path):
    """``results/train`` of the test's directory on a 64 kB tmpfs, unmounted afterwards.
    Skips where mounting is not allowed (needs root, or CAP_SYS_ADMIN)."""
    train = tmp_path / "results/train"
    train.mkdir(parents=True)
    try:
        mount = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(train)],
                               capture_output=True, text=True)  # fmt: skip
    except FileNotFoundError:
        pytest.skip("no mount command")
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mount.stderr.strip()}")
    yield train
    subprocess.run(["umount", str(train)], capture_output=True)  # if the test has not


@pytest.mark.slow
def test_full_disk_fails_the_job_keeps_finished_outputs_and_a_rerun_completes(tmp_path, tiny_disk):
    assert build(DATA, tmp_path).returncode == 0  # on the real disk
    data = sha256(tmp_path / DATA)

    result = build(PART, tmp_path)  # the part does not fit in 64 kB
    assert result.returncode != 0
    assert f"No space left on device; {PART} was not written" in result.stderr
    assert "Error in rule train:" in result.stderr
    assert sha256(tmp_path / DATA) == data  # the finished output keeps its bytes
    assert list(tiny_disk.rglob("*")) == []  # no half-written part, no temporary file

    subprocess.run(["umount", str(tiny_disk)], check=True)  # the disk has room again
    result = build(PART, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "rule train:" in result.stderr and "rule data:" not in result.stderr
    assert sha256(tmp_path / DATA) == data
    assert io.load_npz(tmp_path / PART)["v_final"].size == 64


@pytest.mark.slow
def test_truncated_result_is_named_by_verify_and_rebuilt_by_forcerun(tmp_path):
    assert build(PART, tmp_path).returncode == 0
    results = tmp_path / "results"
    record = provenance.manifest(ROOT, results, [QUICK])
    (results / provenance.MANIFEST).write_text(json.dumps(record, indent=2, sort_keys=True))
    good = (tmp_path / PART).read_bytes()
    (tmp_path / PART).write_bytes(good[: len(good) // 2])  # a copy cut short

    verify = [str(BIN / "sgdbalance"), "verify", "--results", str(results), "--root", str(ROOT)]
    found = subprocess.run(verify, capture_output=True, text=True)
    assert found.returncode == 1
    named = f"{results}/train/balance_sgd.npz: changed ({len(good) // 2} bytes, manifest "
    assert named + f"{len(good)})" in found.stdout
    with pytest.raises(ValueError, match="balance_sgd.npz: not a readable .npz file"):
        io.load_npz(tmp_path / PART)  # what a job reading it would say

    # docs/faults.rst: snakemake --forcerun <file> rebuilds it (and, without a
    # target, everything computed from it); here only up to the file itself.
    result = build(PART, tmp_path, "--forcerun", PART)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "rule data:" not in result.stderr
    assert (tmp_path / PART).read_bytes() == good  # the same bytes as before the damage
    fixed = subprocess.run(verify, capture_output=True, text=True)
    assert fixed.returncode == 0, fixed.stdout
    assert f"{len(record['files'])} files match the manifest" in fixed.stdout


@pytest.mark.slow
def test_killed_run_resumes_and_redoes_only_what_was_lost(tmp_path):
    # Figure 1 is three small ensembles and a plot: killed once two are written, in the third.
    args = ["--cores", "1", "fig1", "--configfile", str(QUICK)]
    process = subprocess.Popen(
        command(*args, cwd=tmp_path), env=environment(), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    train = tmp_path / "results/train"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(train.glob("*.npz"))) < 2:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)  # no chance to clean up: as a crash would
    process.wait()
    finished = sorted(p.name for p in train.glob("*.npz"))
    assert len(finished) >= 2
    assert not (tmp_path / "results/figures/fig1.pdf").exists()  # killed before the end
    # A killed Snakemake leaves its lock behind: --unlock, then the same command again.
    assert snakemake("--unlock", "--configfile", str(QUICK), cwd=tmp_path).returncode == 0
    result = snakemake(*args, cwd=tmp_path)  # the default profile adds --rerun-incomplete
    assert result.returncode == 0, result.stderr[-2000:]
    # What had finished was not computed again; at most the job Snakemake had not yet marked
    # complete when killed (its output written, its metadata not) is, as incomplete.
    redone = [name for name in finished if f"output: results/train/{name}" in result.stderr]
    assert len(redone) <= 1, redone
    assert not list((tmp_path / "results").rglob(".*.tmp"))  # no half-written file survived
    assert (tmp_path / "results/figures/fig1.pdf").exists()
