"""The DAG end to end on the quick config, and the linters the project keeps clean."""

import json
import os
import re
import shutil
import signal
import subprocess
import time

import numpy as np
import pytest
import yaml
from workflow_runner import (
    BIN,
    QUICK,
    ROOT,
    assert_same_results,
    command,
    environment,
    quick_config,
    snakemake,
)


@pytest.fixture(scope="module")
def built(quick_build):
    return quick_build


@pytest.mark.slow
def test_quick_dag_builds_every_figure_and_passing_check(built):
    config = quick_config()
    for name in config["checks"]:
        record = json.loads((built / f"results/checks/{name}.json").read_text())
        assert {"statistic", "value", "tolerance", "tolerance_source", "n", "seed"} <= set(record)
        assert record["passed"], (name, record)
    for fig in config["figures"]:
        for ext in ("pdf", "png"):
            assert (built / f"results/figures/{fig}.{ext}").stat().st_size > 1000
    assert (
        f"all {len(config['checks'])} checks passed" in (built / "results/verify.txt").read_text()
    )
    for name, spec in config["experiments"].items():
        log = (
            f"logs/train/{name}/part0.log" if spec.get("jobs", 1) > 1 else f"logs/train/{name}.log"
        )
        assert "done in" in (built / log).read_text()
    for name, spec in config["networks"].items():
        jobs = spec.get("jobs", 1)
        logs = [f"logs/networks/{name}/part{i}.log" for i in range(jobs)] if jobs > 1 else []
        for log in logs or [f"logs/networks/{name}.log"]:
            assert "done in" in (built / log).read_text()
    claims = (built / "results/claims.md").read_text()
    assert "| `law_of_balance` |" in claims and " 0 failed," in claims
    assert (
        "\\newcommand{\\claimLawOfBalanceVerdict}{PASS}"
        in (built / "results/paper/macros.tex").read_text()
    )
    results = str(built / "results")
    verify = subprocess.run(
        [str(BIN / "sgdbalance"), "verify", "--results", results, "--root", str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert verify.returncode == 0, verify.stdout[-2000:]
    assert "0 FAIL" in verify.stdout and "files match the manifest" in verify.stdout
    table = (built / "results/tables/table1.csv").read_text().splitlines()
    assert table[0] == "case,quantity,closed_form,quadrature,abs_diff,formula"
    assert len(table) > 10


@pytest.mark.slow
def test_split_into_jobs_gives_the_same_bits(built, tmp_path):
    config = quick_config()
    assert config["experiments"]["sgd_T005_D1"]["jobs"] == 2  # built in two jobs above
    assert config["networks"]["scaling_digits"]["jobs"] == 2
    for name, spec in config["experiments"].items():
        spec["jobs"] = 3 if name == "sgd_T005_D1" else 1
    config["networks"]["scaling_digits"]["jobs"] = 1
    split = tmp_path / "split.yaml"
    split.write_text(yaml.safe_dump(config))
    targets = ["results/train/sgd_T005_D1.npz", "results/networks/scaling_digits.npz"]
    result = snakemake("--cores", "2", *targets, "--configfile", str(split), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "results/train/sgd_T005_D1/part2.npz").exists()
    assert not (tmp_path / "results/networks/scaling_digits").exists()  # one job
    for target in targets:
        ours, theirs = np.load(tmp_path / target), np.load(built / target)
        assert sorted(ours.files) == sorted(theirs.files)
        for key in ours.files:
            np.testing.assert_array_equal(ours[key], theirs[key], err_msg=f"{target}: {key}")


@pytest.mark.slow
def test_one_core_gives_the_same_bits(built, tmp_path):
    targets = ["fig1", "table1", "results/claims/law_of_balance.json"]
    result = snakemake("--cores", "1", *targets, "--configfile", str(QUICK), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert assert_same_results(tmp_path, built, (".json", ".npz", ".csv", ".pdf", ".png")) > 10


@pytest.mark.slow
def test_killed_run_resumes_and_redoes_only_what_was_lost(tmp_path):
    args = ["--cores", "1", "fig3", "--configfile", str(QUICK)]
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
    # A killed Snakemake leaves its lock behind: --unlock, then the same command again.
    assert snakemake("--unlock", "--configfile", str(QUICK), cwd=tmp_path).returncode == 0
    result = snakemake(*args, cwd=tmp_path)  # the default profile adds --rerun-incomplete
    assert result.returncode == 0, result.stderr[-2000:]
    # What had finished was not computed again; at most the job Snakemake had not yet marked
    # complete when killed (its output written, its metadata not) is, as incomplete.
    redone = [name for name in finished if f"output: results/train/{name}" in result.stderr]
    assert len(redone) <= 1, redone
    assert not list((tmp_path / "results").rglob(".*.tmp"))  # no half-written file survived
    assert (tmp_path / "results/figures/fig3.pdf").exists()


@pytest.mark.slow
def test_second_run_does_nothing(built):
    result = snakemake("--cores", "2", "--configfile", str(QUICK), "-n", cwd=built)
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


@pytest.mark.slow
def test_lost_output_is_rebuilt_alone(built):
    (built / "results/checks/discrete_identity.json").unlink()
    (built / "results/verify.txt").unlink()
    result = snakemake("--cores", "2", "--configfile", str(QUICK), cwd=built)
    assert result.returncode == 0, result.stderr[-2000:]
    log = result.stdout + result.stderr
    assert "rule train" not in log and "rule check:" in log


# The report's sidebar: one category per paper figure, a subcategory per panel (file).
REPORT_GROUPS = {
    "Fig. 1": {"Law of balance: imbalance and trajectories": ["fig1.pdf"]},
    "Fig. 2": {"Noise balance in a ReLU network": ["fig2.pdf"]},
    "Fig. 3": {
        "Left and middle: stationary distributions of v": ["fig3.pdf"],
        "Right: the tanh model and the wrong sign": ["fig3_tanh.pdf"],
    },
    "Fig. 4": {"Phase diagram and simulated points": ["fig4.pdf"]},
    "Fig. 5": {
        "Left: tails of deep linear networks": ["fig5_tails.pdf"],
        "Middle: loss against learning rate": ["fig5_stability.pdf"],
        "Right: scaling law on digits": ["fig5_scaling.pdf"],
        "Scaling law on diagonal networks": ["fig5_diagonal_scaling.pdf"],
    },
    "Table 1": {"Closed forms against the quadrature density": ["table1.csv"]},
    "Beyond the paper": {
        "Where discrete SGD collapses, D = 1": ["fig_collapse_plane.pdf"],
        "Kesten tail index of discrete SGD, D = 0": ["fig_kesten.pdf"],
    },
    "Claims": {"Every claim with its checks": ["claims.md"]},
}


@pytest.mark.slow
def test_report_groups_results_by_paper_figure(built):
    report = built / "report.html"
    result = snakemake("--configfile", str(QUICK), "--report", str(report), cwd=built)
    assert result.returncode == 0, result.stderr[-3000:]
    html = report.read_text()
    data = {  # the JSON the report's script blocks assign: var categories = {...};
        name: json.loads(re.search(rf'<script id="{name}">\s*var {name} = (.*);\n', html)[1])
        for name in ("categories", "results")
    }
    names = {
        category: {sub: [path.rsplit("/", 1)[-1] for path in paths] for sub, paths in subs.items()}
        for category, subs in data["categories"].items()
    }
    assert names == REPORT_GROUPS
    (kesten,) = [r for path, r in data["results"].items() if path.endswith("fig_kesten.pdf")]
    config = quick_config()
    n_tail = config["checks"][config["figures"]["fig_kesten"]["checks"][0]]["n_tail"]
    assert f"the {n_tail} largest" in " ".join(kesten["caption"].split())


DRY_TARGETS = ("all", "fig1", "fig2", "fig3", "fig4", "fig5", "table1", "fig_discrete")


@pytest.fixture(scope="module")
def dry_runs(tmp_path_factory):
    """The stdout of a dry run (everything forced) of each of DRY_TARGETS, run side by side."""
    runs = {}
    for target in DRY_TARGETS:
        cwd = tmp_path_factory.mktemp(f"dry_{target}")
        args = command("-n", "--forceall", target, "--configfile", str(QUICK), cwd=cwd)
        runs[target] = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment()
        )
    out = {}
    for target, run in runs.items():
        stdout, stderr = run.communicate()
        assert run.returncode == 0, (target, stderr[-2000:])
        out[target] = stdout
    return out


def jobs_of(stdout) -> set[str]:
    """The rules a dry run would run."""
    return set(re.findall(r"^(?:local)?rule (\w+):", stdout, flags=re.MULTILINE))


@pytest.mark.slow
def test_dry_run_lists_every_stage(dry_runs):
    stages = {"data", "train", "train_part", "merge_parts", "theory", "check", "fig1_render"}
    stages |= {"verify"}
    assert stages <= jobs_of(dry_runs["all"])


@pytest.mark.slow
@pytest.mark.parametrize(
    "target, rules",
    [
        ("fig1", {"data", "train", "fig1_render", "fig1"}),
        ("fig2", {"train_network", "fig2_render", "fig2"}),
        (
            "fig3",  # sgd_T005_D1 is split into two jobs in the quick config
            {"data", "train", "train_part", "merge_parts", "theory", "train_network"}
            | {"fig3_render", "fig3_tanh_render", "fig3"},
        ),
        ("fig4", {"data", "train", "theory", "fig4_render", "fig4"}),
        (
            "fig5",  # scaling_digits is split into two jobs in the quick config
            {"data", "train", "theory", "train_network", "fig5_tails_render"}
            | {"train_network_part", "merge_network_parts"}
            | {"fig5_stability_render", "fig5_scaling_render", "fig5_diagonal_scaling_render"}
            | {"splitting", "check", "fig5"},  # the tail_slope checks Fig. 5 left draws
        ),
        ("table1", {"data", "table1_render", "table1"}),
        (
            "fig_discrete",
            {"data", "sweep", "check", "measure", "fig_collapse_plane_render"}
            | {"fig_kesten_render", "fig_discrete"},
        ),
    ],
)
def test_one_figure_needs_only_its_jobs(dry_runs, target, rules):
    assert jobs_of(dry_runs[target]) == rules


@pytest.mark.slow
def test_fig1_trains_no_relu_tanh_or_digit_network(dry_runs):
    assert "results/networks/" not in dry_runs["fig1"]
    assert not {"theory", "check"} & jobs_of(dry_runs["fig1"])


def run_with_bad_config(tmp_path, edit) -> str:
    """Run the quick config after ``edit(config)``; it must stop before any job. Its stderr."""
    config = quick_config()
    edit(config)
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(config))
    result = snakemake("--cores", "1", "--configfile", str(bad), cwd=tmp_path)
    assert result.returncode != 0
    assert not (tmp_path / "results").exists()
    return result.stderr


@pytest.mark.slow
def test_bad_config_stops_before_any_job(tmp_path):
    def edit(config):
        config["experiments"]["balance_sgd"]["depth"] = -1

    stderr = run_with_bad_config(tmp_path, edit)
    assert "depth" in stderr and "minimum" in stderr


@pytest.mark.slow
def test_bad_network_value_is_named_before_any_job(tmp_path):
    def edit(config):
        config["networks"]["relu_sgd"]["d_out"] = 7  # y = x + eps needs d_out = d_in

    stderr = run_with_bad_config(tmp_path, edit)
    assert "networks.relu_sgd" in stderr and "d_out" in stderr


@pytest.mark.slow
def test_bad_sweep_value_is_named_before_any_job(tmp_path):
    def edit(config):
        config["sweeps"]["kesten_S1"]["burn_in"] = 10**6  # not before the end of the run

    stderr = run_with_bad_config(tmp_path, edit)
    assert "sweeps.kesten_S1" in stderr and "burn_in" in stderr


@pytest.mark.slow
def test_snakemake_lint():
    result = snakemake("--lint", "--configfile", str(QUICK), cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:]


def test_formatting():
    targets = ["Snakefile", "workflow"]
    result = subprocess.run(
        [str(BIN / "snakefmt"), "--check", *targets], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    for cmd in (["check", "."], ["format", "--check", "."]):
        result = subprocess.run([str(BIN / "ruff"), *cmd], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_results_are_not_tracked():
    ignored = subprocess.run(
        ["git", "check-ignore", "results/x", "logs/x", ".venv/x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert len(ignored.stdout.split()) == 3
