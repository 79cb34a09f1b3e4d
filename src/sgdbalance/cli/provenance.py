"""The provenance of results/: ``verify``, ``readme``, ``archive`` and ``restore``."""

import sys
from pathlib import Path

import yaml

from ..artifact import io, paper, provenance


def _configs(record: dict) -> list[str]:
    """The config files of a manifest, but the claims registry."""
    return [name for name in record["configs"] if not name.endswith("claims.yaml")]


def _describe(record: dict) -> str:
    git = record["git"]
    state = {None: "not a git checkout", True: "with uncommitted changes", False: "clean"}
    configs = ", ".join(_configs(record))
    return (
        f"built at commit {(git['commit'] or '-')[:12]} ({state[git['dirty']]}) from {configs}, "
        f"Python {record['versions']['python']}"
    )


def cmd_readme(args) -> int:
    """Splice the claims summary and the runtime table of a finished build into the README."""
    results, readme = Path(args.results), Path(args.readme)
    claims = [io.load_json(p) for p in sorted((results / "claims").glob("*.json"))]
    registry = yaml.safe_load((readme.parent / "config" / "claims.yaml").read_text())
    order = list(registry["claims"])
    claims.sort(key=lambda c: order.index(c["claim"]) if c["claim"] in order else len(order))
    text = readme.read_text()
    text = paper.splice(text, "claims", paper.claims_summary(claims))
    text = paper.splice(text, "runtimes", (results / "paper" / "runtimes.md").read_text())
    with io.atomic_open(readme, "w") as f:
        f.write(text)
    print(f"{readme}: claims ({len(claims)}) and runtimes written from {results}")
    return 0


def cmd_verify(args) -> int:
    results = Path(args.results)
    manifest_path = Path(args.manifest) if args.manifest else results / provenance.MANIFEST
    if not manifest_path.is_file():
        print(
            f"error: no manifest {manifest_path} (rule manifest writes it: make)", file=sys.stderr
        )
        return 2
    record = io.load_json(manifest_path)
    root = Path(args.root) if args.root else results.resolve().parent
    print(f"{manifest_path}: {_describe(record)}")
    records = provenance.claim_records(results)
    for line in provenance.claim_lines(records):
        print(line)
    verdicts = [r["verdict"] for r in records]
    print(", ".join(f"{verdicts.count(v)} {v}" for v in ("PASS", "FAIL", "NOT CHECKED")))
    files = provenance.file_differences(results, record)
    configs = provenance.config_differences(root, record)
    if not files:
        print(f"{len(record['files'])} files match the manifest")
    for problem in files + configs:
        print(problem)
    return 1 if files or configs or "FAIL" in verdicts else 0


def cmd_archive(args) -> int:
    results = Path(args.results)
    n = provenance.archive(results, results / provenance.MANIFEST, args.out)
    print(f"wrote {args.out}: {n} files, {Path(args.out).stat().st_size / 1e6:.1f} MB")
    return 0


def cmd_restore(args) -> int:
    dest = Path(args.dest)
    record = provenance.archive_manifest(args.archive)
    print(f"{args.archive}: {_describe(record)}")
    if args.config and provenance.sha256_file(args.config) not in record["configs"].values():
        print(
            f"error: {args.config} is not the config these results were built from; "
            f"restore with CONFIG={' or '.join(_configs(record))}",
            file=sys.stderr,
        )
        return 1
    here = provenance.git_state(dest)["commit"]
    if here and record["git"]["commit"] and here != record["git"]["commit"]:
        print(f"note: {dest} is at commit {here[:12]}, not the one above", file=sys.stderr)
    try:
        problems = provenance.restore(args.archive, dest)
    except FileExistsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"restored {len(record['files']) + 1} files into {dest / provenance.PREFIX}")
    for problem in problems:
        print(problem)
    return 1 if problems else 0
