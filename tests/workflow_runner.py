"""Run this project's Snakefile from a test, in a working directory of the test's own."""

import os
import subprocess
import sys
from pathlib import Path

from sgdbalance.config import load_config

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the environment's snakemake, snakefmt, ruff
BASE = ROOT / "config" / "config.yaml"
QUICK = ROOT / "config" / "quick.yaml"  # an overlay on BASE


def quick_config() -> dict:
    """The quick config as the workflow sees it: the overlay merged onto the base."""
    return load_config(BASE, QUICK)


def command(*args, cwd) -> list[str]:
    return [str(BIN / "snakemake"), "--snakefile", str(ROOT / "Snakefile"), "--directory",
            str(cwd), *args]  # fmt: skip


def environment() -> dict:
    """The test's environment, with this Python's scripts first on PATH (SLURM jobs too)."""
    return os.environ | {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}


def snakemake(*args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        command(*args, cwd=cwd), capture_output=True, text=True, env=environment()
    )


def assert_same_results(ours, theirs, suffixes) -> int:
    """Every result file under ``ours/results`` with one of ``suffixes`` equals its twin under
    ``theirs``, byte for byte; returns how many were compared."""
    compared = 0
    for path in sorted((ours / "results").rglob("*")):
        if path.suffix in suffixes:
            relative = path.relative_to(ours)
            assert path.read_bytes() == (theirs / relative).read_bytes(), relative
            compared += 1
    return compared
