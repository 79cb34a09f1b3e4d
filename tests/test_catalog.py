"""What the Snakemake workflow catalog reads: its settings file, config/README.md, and a conda
environment on every rule that runs code (the settings promise --software-deployment-method
conda)."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_catalog_settings():
    settings = yaml.safe_load((ROOT / ".snakemake-workflow-catalog.yml").read_text())
    usage = settings["usage"]
    methods = usage["software-stack-deployment"]
    assert set(methods) <= {"conda", "singularity", "singularity+conda"}
    assert methods["conda"] is True
    assert usage["report"] is True  # make report: snakemake --report
    assert usage["mandatory-flags"]["desc"].strip()
    assert (ROOT / "config" / "README.md").is_file()
    assert "config/quick.yaml" in usage["mandatory-flags"]["desc"]


def test_every_rule_that_runs_code_has_the_conda_environment():
    env = ROOT / "workflow" / "envs" / "sgdbalance.yaml"
    deps = yaml.safe_load(env.read_text())["dependencies"]
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    assert pip[0] == "-e ../.."  # the rules' package, from the checkout the workflow runs in
    lock = (ROOT / "requirements.lock").read_text().splitlines()
    assert all(line.split("#")[0].strip() in lock for line in pip[1:])  # typst, as locked
    running = 0
    for path in sorted((ROOT / "workflow" / "rules").glob("*.smk")):
        for block in re.split(r"^(?=rule )", path.read_text(), flags=re.M)[1:]:
            name = block.split(":", 1)[0].removeprefix("rule ")
            if re.search(r"^\s+(script|shell|run):", block, re.M):
                running += 1
                assert '"../envs/sgdbalance.yaml"' in block, f"{path.name}: rule {name}"
    assert running > 20
