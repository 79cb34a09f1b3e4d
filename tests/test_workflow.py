"""The DAG end to end: the quick config built once, then what a user does with a build: check
it, rebuild part of it in other ways, rerun it, report it."""

import json
import re
import shutil
import subprocess

import numpy as np
import pytest
import yaml
from pypdf import PdfReader
from workflow_runner import (
    BIN,
    QUICK,
    ROOT,
    assert_same_results,
    quick_config,
    snakemake,
)

from sgdbalance.artifact import article


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The quick config built once, with 2 cores, in a temporary directory."""
    work = tmp_path_factory.mktemp("quick")
    result = snakemake("--cores", "2", "--configfile", str(QUICK), cwd=work)
    assert result.returncode == 0, result.stderr[-3000:]
    return work


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
        "Heavy-ball momentum and Adam: balance and stationary law": ["fig_momentum.pdf"],
    },
    "Claims": {"Every claim with its checks": ["claims.md"]},
    "Article": {"The reproduction as one paper": ["article.pdf"]},
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


def pdf_text(path) -> str:
    """The article's text with all white space removed: a long line breaks anywhere."""
    return "".join("".join(page.extract_text().split()) for page in PdfReader(path).pages)


@pytest.mark.slow
def test_article_shows_every_claim_verdict_and_figure(built):
    pdf = built / "results/article.pdf"
    first_page = PdfReader(pdf).pages[0].extract_text()
    assert "REDUCED BUILD" in first_page and "config/quick.yaml" in first_page
    text = pdf_text(pdf)
    for path in sorted((built / "results/claims").glob("*.json")):
        record = json.loads(path.read_text())
        verdict = record["verdict"].replace(" ", "")
        assert f"Claim{record['claim']}" in text and verdict in text, record["claim"]
        for check in record["checks"]:
            assert check in text
    for fig in quick_config()["figures"]:
        # Under each figure: the command that rebuilds it and the script that draws it.
        command = f"--configfileconfig/quick.yamlresults/figures/{fig}.pdf"
        assert command in text and f"scripts/{fig}.py" in text, fig
    for number in range(1, 6):
        assert f"(paperFig.{number}" in text
    manifest = json.loads((built / "results/manifest.json").read_text())
    assert {"article.pdf", "article/inputs.json"} <= set(manifest["files"])


@pytest.mark.slow
def test_article_reads_its_numbers_from_results(built, tmp_path):
    """Compiled against a copy of results/ with one check's value and one measurement changed,
    the article shows the changed numbers: they are read, not typed."""
    results = tmp_path / "results"
    shutil.copytree(built / "results", results)
    before = pdf_text(built / "results/article.pdf")
    for path, key, value in (
        (results / "checks/density_T05_D1.json", "value", 0.0271),
        (results / "measurements/finite_step_T005_D0.json", "ks_distance", 0.0777),
    ):
        record = json.loads(path.read_text())
        record[key] = value
        path.write_text(json.dumps(record))
    inputs = json.loads((results / "article/inputs.json").read_text())
    source = ROOT / "workflow/article/article.typ"
    article.build(results, source, inputs, tmp_path / "changed.pdf")
    after = pdf_text(tmp_path / "changed.pdf")
    assert "0.0271" in after and "0.0271" not in before
    assert "0.0777" in after and "0.0777" not in before
    # The build's own inputs compile again to the same bytes: no date, no system font.
    article.build(built / "results", source, inputs, tmp_path / "again.pdf")
    assert (tmp_path / "again.pdf").read_bytes() == (built / "results/article.pdf").read_bytes()
