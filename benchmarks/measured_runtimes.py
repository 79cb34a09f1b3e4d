"""Write ``benchmarks/measured_runtimes.tsv``: the wall seconds of every compute job (train,
network, sweep, splitting) of a full build, read from its Snakemake ``benchmark:`` files.

``sgdbalance.config.resources`` is calibrated on these numbers and ``tests/test_resources.py``
checks every job's SLURM request against them. After a full build (``make``, config.yaml):

    .venv/bin/python benchmarks/measured_runtimes.py [BUILD_DIR] [--note "what else ran"]

The header gives the build's commit, the date of its last benchmark, and the machine.
"""

import argparse
import datetime
import os
import platform
import subprocess
from pathlib import Path

from host import cpu_model  # benchmarks/host.py, beside this script

from sgdbalance.artifact import io

OUT = Path(__file__).with_name("measured_runtimes.tsv")
COMPUTE = ("train", "networks", "sweeps", "splitting")  # benchmark folders of compute rules


def machine() -> str:
    """Processor model, logical cores and operating system, as far as Linux tells them."""
    try:
        system = platform.freedesktop_os_release()["PRETTY_NAME"]
    except OSError:
        system = platform.platform()
    return f"{cpu_model()}, {os.cpu_count()} logical cores, {system}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build", nargs="?", default=".", help="the built checkout (default .)")
    parser.add_argument("--note", default="", help="a line on the conditions, e.g. the load")
    args = parser.parse_args()
    build = Path(args.build)
    seconds = {
        job: s
        for job, s in io.load_benchmarks(build / "benchmarks").items()
        if job.split("/")[0] in COMPUTE
    }
    commit = subprocess.run(
        ["git", "-C", str(build), "rev-parse", "--short", "HEAD"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    newest = max((build / "benchmarks" / f"{job}.tsv").stat().st_mtime for job in seconds)
    day = datetime.datetime.fromtimestamp(newest, datetime.UTC).date().isoformat()
    header = (
        "Wall seconds (Snakemake benchmark column s) of every train, network, sweep and\n"
        "splitting job of a full build of config/config.yaml; benchmarks/measured_runtimes.py\n"
        f"wrote it. Build: commit {commit}, {day}; machine: {machine()}."
        + (f"\n{args.note}" if args.note else "")
    )
    io.save_runtimes_atomic(OUT, seconds, header)
    print(f"{OUT}: {len(seconds)} jobs")


if __name__ == "__main__":
    main()
