"""The DAG's shape and its guards, with no job run: what each target would run, configs
that stop before any job, and the linters the project keeps clean."""

import re
import shutil
import subprocess

import pytest
import yaml
from workflow_runner import BIN, QUICK, ROOT, command, environment, quick_config, snakemake

DRY_TARGETS = (
    "all", "fig1", "fig2", "fig3", "fig4", "fig5", "table1", "fig_discrete", "fig_momentum",
)  # fmt: skip


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
    stages |= {"verify", "paper_macros", "article", "manifest"}
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
        (
            "fig_momentum",  # heavy-ball ensembles, their theory and checks; Adam in numpy
            {"data", "train", "theory", "check", "adaptive", "fig_momentum_render"}
            | {"fig_momentum"},
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
