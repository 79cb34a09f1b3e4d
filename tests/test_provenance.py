"""The manifest, its verification, and the archive round trip, on small trees in tmp_path; and
Snakemake's view of a restored tree, on a two-rule Snakefile."""

import hashlib
import io as stdio
import json
import os
import shutil
import stat
import subprocess
import tarfile
import time

import pytest
from workflow_runner import BIN, environment

from sgdbalance.artifact import provenance
from sgdbalance.cli import main

CONFIG = """\
datasets:
  example: {n: 10, seed: 7}
experiments:
  run: {dataset: example, seed: 11, schedule: [{seed: 12}, {eta: 0.1}]}
"""


def claim(claim_id, passed=True):
    check = {"passed": passed, "statistic": "KS distance", "value": 0.01, "tolerance": 0.02}
    return {
        "claim": claim_id,
        "verdict": "PASS" if passed else "FAIL",
        "check_records": {f"{claim_id}_check": check},
    }


@pytest.fixture
def project(tmp_path):
    """A checkout with a config, a claims registry and a built results/ tree whose mtimes
    follow the DAG (data, train, checks, claims, figures), and its manifest."""
    root = tmp_path / "project"
    (root / "config").mkdir(parents=True)
    (root / "config/config.yaml").write_text(CONFIG)
    (root / "config/claims.yaml").write_text("claims: {}\n")
    files = {
        "data/example.npz": bytes(range(256)) * 4,
        "train/run/part0.npz": b"part 0",
        "train/run.npz": b"merged",
        "checks/density.json": b'{"passed": true}\n',
        "claims/stationary_density.json": json.dumps(claim("stationary_density")).encode(),
        "figures/fig3.png": b"\x89PNG fake",
        "report.html": b"<html>not listed</html>",
    }
    start = time.time_ns() - 10**12
    for i, (rel, data) in enumerate(files.items()):
        path = root / "results" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, ns=(start + i * 1_000_001, start + i * 1_000_001))
    write_manifest(root)
    return root


def write_manifest(root):
    configs = [root / "config/config.yaml", root / "config/claims.yaml"]
    record = provenance.manifest(root, root / "results", configs)
    (root / "results/manifest.json").write_text(json.dumps(record, indent=2, sort_keys=True))
    return record


def test_manifest_of_an_untouched_tree_matches(project):
    results = project / "results"
    record = json.loads((results / "manifest.json").read_text())
    assert list(record["files"]) == sorted(record["files"])
    assert "report.html" not in record["files"] and "manifest.json" not in record["files"]
    assert len(record["files"]) == 6
    data = (results / "data/example.npz").read_bytes()
    assert record["files"]["data/example.npz"] == {
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": 1024,
    }
    assert record["configs"] == {
        "config/config.yaml": hashlib.sha256(CONFIG.encode()).hexdigest(),
        "config/claims.yaml": hashlib.sha256(b"claims: {}\n").hexdigest(),
    }
    assert record["seeds"] == {
        "datasets.example.seed": 7,
        "experiments.run.schedule.0.seed": 12,
        "experiments.run.seed": 11,
    }
    assert record["git"] == {"commit": None, "dirty": None, "changes": []}  # not a checkout
    assert set(record["versions"]) == {"python", *provenance.PACKAGES}
    assert provenance.verify(results, record, root=project) == []
    assert provenance.manifest(project, results, list(project.glob("config/*.yaml"))) == record


def test_changed_deleted_and_extra_files_are_named(project):
    results = project / "results"
    record = json.loads((results / "manifest.json").read_text())
    data = bytearray((results / "data/example.npz").read_bytes())
    data[100] ^= 1  # same size: only the hash can tell
    (results / "data/example.npz").write_bytes(bytes(data))
    (results / "checks/density.json").unlink()
    (results / "figures/extra.png").write_bytes(b"new")
    problems = provenance.verify(results, record)
    assert len(problems) == 3
    assert any("data/example.npz: changed (sha256" in p for p in problems)
    assert any("checks/density.json: missing" in p for p in problems)
    assert any("figures/extra.png: not in the manifest" in p for p in problems)


def test_failed_claim_and_changed_config_are_reported(project):
    results = project / "results"
    (results / "claims/tails.json").write_text(json.dumps(claim("tails", passed=False)))
    record = write_manifest(project)  # the failing claim is listed: only its verdict fails
    assert provenance.verify(results, record) == ["claim tails: FAIL (failed checks: tails_check)"]
    (project / "config/config.yaml").write_text(CONFIG.replace("seed: 7", "seed: 8"))
    assert provenance.verify(results, record, root=project)[0].endswith(
        "config/config.yaml: config changed since the results were built"
    )


def test_archive_restore_round_trip(project, tmp_path):
    results = project / "results"
    out = tmp_path / "results.tar.gz"
    assert provenance.archive(results, results / "manifest.json", out) == 7
    again = tmp_path / "again.tar.gz"
    provenance.archive(results, results / "manifest.json", again)
    assert out.read_bytes() == again.read_bytes()  # deterministic
    with tarfile.open(out) as tar:
        names = tar.getnames()
    assert names == [  # oldest first, so inputs come before outputs; the manifest last
        "results/data/example.npz",
        "results/train/run/part0.npz",
        "results/train/run.npz",
        "results/checks/density.json",
        "results/claims/stationary_density.json",
        "results/figures/fig3.png",
        "results/manifest.json",
    ]

    dest = tmp_path / "clone"
    shutil.copytree(project / "config", dest / "config")
    assert provenance.restore(out, dest) == []
    for rel in [n.removeprefix("results/") for n in names]:
        a, b = results / rel, dest / "results" / rel
        assert a.read_bytes() == b.read_bytes(), rel
        assert a.stat().st_mtime_ns == b.stat().st_mtime_ns, rel
    assert not (dest / "results/report.html").exists()  # unlisted, so not archived
    assert sorted(p.name for p in dest.iterdir()) == ["config", "results"]  # no temporary left
    with pytest.raises(FileExistsError, match="move it away"):
        provenance.restore(out, dest)


def test_archive_refuses_a_tree_that_no_longer_matches(project, tmp_path):
    (project / "results/figures/fig3.png").write_bytes(b"redrawn")
    with pytest.raises(ValueError, match="fig3.png: changed"):
        provenance.archive(project / "results", project / "results/manifest.json", tmp_path / "a")
    assert not (tmp_path / "a").exists()


def test_restore_refuses_members_outside_results(tmp_path):
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        info = tarfile.TarInfo("results/../../evil")
        info.size = 4
        tar.addfile(info, stdio.BytesIO(b"evil"))
    with pytest.raises(ValueError, match="not a results archive"):
        provenance.restore(bad, tmp_path / "dest")
    assert sorted(p.name for p in (tmp_path / "dest").iterdir()) == []
    assert not (tmp_path / "evil").exists()


def test_cli_verify_archive_restore(project, tmp_path, capsys):
    results = project / "results"
    assert main(["verify", "--results", str(results)]) == 0
    out = capsys.readouterr().out
    assert "PASS        stationary_density" in out
    assert "stationary_density_check: KS distance = 0.01 (tolerance 0.02)" in out
    assert "6 files match the manifest" in out

    archive = tmp_path / "r.tar.gz"
    assert main(["archive", str(archive), "--results", str(results)]) == 0
    dest = tmp_path / "clone"
    shutil.copytree(project / "config", dest / "config")
    (dest / "config/quick.yaml").write_text("datasets: {}\n")
    wrong = [
        "restore",
        str(archive),
        "--dest",
        str(dest),
        "--config",
        str(dest / "config/quick.yaml"),
    ]
    assert main(wrong) == 1
    assert "not the config these results were built from" in capsys.readouterr().err
    assert not (dest / "results").exists()
    right = [*wrong[:-1], str(dest / "config/config.yaml")]
    assert main(right) == 0
    assert "restored 7 files" in capsys.readouterr().out

    (results / "train/run.npz").write_bytes(b"merged again")
    assert main(["verify", "--results", str(results)]) == 1
    out = capsys.readouterr().out
    assert "train/run.npz: changed" in out and "files match" not in out


SNAKEFILE = """\
configfile: "config.yaml"

rule all:
    input: "results/b.txt"

rule a:
    output: "results/a.txt"
    script: "scripts/a.py"

rule b:
    input: "results/a.txt"
    output: "results/b.txt"
    script: "scripts/b.py"
"""


def snakemake(workdir, *args) -> str:
    cmd = [str(BIN / "snakemake"), "--snakefile", str(workdir / "Snakefile"), "--directory",
           str(workdir), "--cores", "1", *args]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, env=environment())
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout + result.stderr


@pytest.mark.slow
def test_restored_tree_needs_touch_after_a_fresh_checkout(tmp_path):
    """Snakemake 9 reruns a job whose output is older than its script, metadata or not: a
    restored tree keeps the builder's mtimes, older than the scripts of a fresh checkout.
    ``snakemake --touch`` (what ``make restore`` runs) marks it up to date in DAG order."""
    src = tmp_path / "src"
    (src / "scripts").mkdir(parents=True)
    (src / "Snakefile").write_text(SNAKEFILE)
    (src / "config.yaml").write_text("seed: 1\n")
    (src / "scripts/a.py").write_text("open(snakemake.output[0], 'w').write('a\\n')\n")
    (src / "scripts/b.py").write_text(
        "open(snakemake.output[0], 'w').write(open(snakemake.input[0]).read() * 2)\n"
    )
    snakemake(src)
    record = provenance.manifest(src, src / "results", [src / "config.yaml"])
    (src / "results/manifest.json").write_text(json.dumps(record))
    provenance.archive(src / "results", src / "results/manifest.json", tmp_path / "r.tar.gz")

    clone = tmp_path / "clone"  # the same sources with the sources' mtimes: nothing to do
    shutil.copytree(src, clone, ignore=shutil.ignore_patterns("results", ".snakemake"))
    assert provenance.restore(tmp_path / "r.tar.gz", clone) == []
    assert "Nothing to be done" in snakemake(clone, "-n")

    now = time.time()  # a fresh checkout: every source newer than every result
    for script in (clone / "scripts").iterdir():
        os.utime(script, (now, now))
    log = snakemake(clone, "-n")
    assert "Code has changed since last execution" in log and "rule a:" in log

    snakemake(clone, "--touch")
    assert "Nothing to be done" in snakemake(clone, "-n")
    assert provenance.verify(clone / "results", record, root=clone) == []  # no byte changed


def test_git_state_ignores_build_outputs(tmp_path):
    def git(*args):
        subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t",
                        *args], check=True, capture_output=True)  # fmt: skip

    git("init", "-q")
    (tmp_path / "Snakefile").write_text("rule all:\n")
    git("add", "Snakefile")
    git("commit", "-q", "-m", "init")
    head = subprocess.run(["git", "-C", str(tmp_path), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()  # fmt: skip
    for output in ("results/x.json", "logs/x.log", "benchmarks/train/x.tsv", ".snakemake/m"):
        (tmp_path / output).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / output).write_text("x")
    assert provenance.git_state(tmp_path) == {"commit": head, "dirty": False, "changes": []}
    (tmp_path / "Snakefile").write_text("rule all:\n    input: 'x'\n")
    assert provenance.git_state(tmp_path) == {
        "commit": head,
        "dirty": True,
        "changes": ["Snakefile"],
    }


@pytest.mark.parametrize("mask", [0o002, 0o022, 0o077])
def test_archive_keeps_modes_and_restore_applies_the_umask(project, tmp_path, mask):
    """A group-writable, a group-readable and a private result keep their modes through
    archive and restore, less the restoring user's umask; the archive is a new file."""
    results = project / "results"
    modes = {"data/example.npz": 0o664, "train/run.npz": 0o640, "figures/fig3.png": 0o600}
    for rel, mode in modes.items():
        (results / rel).chmod(mode)
    old = os.umask(mask)
    try:
        out = tmp_path / "r.tar.gz"
        provenance.archive(results, results / "manifest.json", out)
        assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask
        with tarfile.open(out) as tar:
            packed = {m.name.removeprefix("results/"): m.mode for m in tar.getmembers()}
        for rel, mode in modes.items():
            assert packed[rel] == mode, rel
        dest = tmp_path / "clone"
        shutil.copytree(project / "config", dest / "config")
        assert provenance.restore(out, dest) == []
        for rel, mode in modes.items():
            assert stat.S_IMODE((dest / "results" / rel).stat().st_mode) == mode & ~mask, rel
        for directory in [dest / "results", dest / "results/data"]:
            assert stat.S_IMODE(directory.stat().st_mode) == 0o777 & ~mask
    finally:
        os.umask(old)
