"""What each job pays before any work: a new Python process and its script's imports.

For every rule with a ``script:``, the time to import what the script imports at its top
(best of three fresh processes, less that of a bare ``python -c pass``), times the rule's jobs
in the DAG of a config (``snakemake -n``); the sum is the start-up of the whole build. Work
that a script imports inside a branch (one kind of check or measurement) is not counted.

    .venv/bin/python benchmarks/startup.py                      # the quick DAG
    .venv/bin/python benchmarks/startup.py --config config/config.yaml   # the full DAG
"""

import argparse
import ast
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = re.compile(r'"\.\./\.\./scripts/(\w+\.py)"')


def top_imports(script: Path) -> str:
    """The script's top-level import statements, as code."""
    tree = ast.parse(script.read_text())
    return "\n".join(
        ast.unparse(n) for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)
    )


def seconds(code: str, repeat: int = 3) -> float:
    """Best wall time of ``python -c code`` in a fresh process."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def rule_scripts() -> dict[str, str]:
    """Each rule's script, read from ``workflow/rules/*.smk``."""
    found, rule = {}, None
    for smk in sorted((ROOT / "workflow/rules").glob("*.smk")):
        for line in smk.read_text().splitlines():
            if m := re.match(r"use rule (\w+) as (\w+)", line):
                found[m.group(2)] = found[m.group(1)]  # the same script
            elif m := re.match(r"rule (\w+)", line):
                rule = m.group(1)
            if (m := SCRIPT.search(line)) and rule:
                found[rule] = m.group(1)
    return found


def jobs_per_rule(configs: list[str]) -> dict[str, int]:
    """Jobs of each rule in the whole DAG of the config (``snakemake -n --forceall``)."""
    args = [
        str(Path(sys.executable).with_name("snakemake")),
        "-n",
        "--forceall",
        "--quiet",
        "rules",
    ]
    args += ["--configfile", *configs]
    out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return {
        p[0]: int(p[1]) for p in map(str.split, out.splitlines()) if len(p) == 2 and p[1].isdigit()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", nargs="+", default=["config/quick.yaml"],
                        help="config overlays (default: the quick build's)")  # fmt: skip
    args = parser.parse_args()
    bare = seconds("pass")
    jobs = jobs_per_rule(args.config)
    rows = []
    for rule, script in rule_scripts().items():
        if jobs.get(rule):
            cost = max(0.0, seconds(top_imports(ROOT / "scripts" / script)) - bare)
            rows.append((jobs[rule] * cost, rule, cost, jobs[rule]))
    print(f"# {' + '.join(args.config)}: a bare Python process {bare:.3f} s")
    for total, rule, cost, n in sorted(rows, reverse=True):
        print(f"{rule:30s} imports {cost:5.2f} s x {n:3d} jobs = {total:6.1f} s")
    n_jobs = sum(n for *_, n in rows)
    print(
        f"{n_jobs} jobs: processes {n_jobs * bare:.0f} s + imports {sum(r[0] for r in rows):.0f} s"
    )


if __name__ == "__main__":
    main()
