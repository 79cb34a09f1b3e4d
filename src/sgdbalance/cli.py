"""Command line: theory and simulator outside the workflow, and the provenance of results/.

    sgdbalance density --depth 1 --temperature 0.3 --k 1 --sigma 0.5
    sgdbalance tc --k 1 --sigma 0.5
    sgdbalance simulate --depth 1 --eta 0.05 --batch 1 --k 1 --sigma 0.5 --runs 1000 \\
        --steps 20000 --seed 1 --out final_v.csv
    sgdbalance verify                     # claims, and results/ against results/manifest.json
    sgdbalance archive results.tar.gz     # results/ with its manifest, mtimes kept
    sgdbalance restore results.tar.gz     # into ./results, checked against the manifest

Conventions of the paper: loss (f - y)^2, T = eta / S, depth D = hidden layers.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import yaml

from . import io, paper, provenance
from .data import DatasetParams, make_dataset
from .density import NotNormalisable, critical_temperature, stationary_density
from .ensemble import EnsembleParams, balanced_init, simulate
from .moments import Moments

DATA_STREAM = 0xDA7A  # the CLI's dataset is drawn from SeedSequence([seed, DATA_STREAM])


def _add_data_options(parser, population: bool):
    source = parser.add_mutually_exclusive_group(required=True)
    if population:
        source.add_argument(
            "--moments",
            nargs=5,
            type=float,
            metavar=("A1", "A2", "A3", "B1", "B2"),
            help="alpha1 alpha2 alpha3 beta1 beta2",
        )
    source.add_argument("--k", type=float, help="teacher slope, y = k x + sigma eps, x ~ N(0,1)")
    source.add_argument("--data", help="a dataset .npz with arrays x and y")
    parser.add_argument("--sigma", type=float, help="label-noise standard deviation (with --k)")


def _population_moments(args) -> Moments:
    if args.moments is not None:
        return Moments(*args.moments)
    if args.k is not None:
        if args.sigma is None:
            raise SystemExit("error: --k needs --sigma")
        return Moments.population(args.k, args.sigma)
    return Moments.of_samples(*io.load_dataset(args.data))


def _emit(columns: dict, comment: str, out):
    if out:
        io.save_csv_atomic(out, columns, comment)
        print(f"wrote {out}", file=sys.stderr)
    else:
        for line in comment.splitlines():
            print(f"# {line}")
        names = list(columns)
        print(",".join(names))
        for row in zip(*(columns[n] for n in names), strict=True):
            print(",".join(f"{float(x):.10g}" for x in row))


def cmd_density(args) -> int:
    moments = _population_moments(args)
    try:
        d = stationary_density(moments, args.depth, args.temperature, args.width, args.sign)
    except NotNormalisable as err:
        print(f"no normalisable stationary density: {err}", file=sys.stderr)
        return 1
    if args.grid:
        lo, hi, n = args.grid
        v = np.linspace(lo, hi, int(n))
    else:
        v = np.linspace(*d.quantile([0.001, 0.999]), 401)
    comment = (
        f"stationary density of v, D = {args.depth}, T = {args.temperature:g}, width = "
        f"{args.width}, sign = {args.sign:+d}\nmoments: {moments}\n"
        f"mean = {d.mean:.6g}, variance = {d.variance:.6g}"
    )
    _emit({"v": v, "p": d.pdf(v)}, comment, args.out)
    return 0


def cmd_tc(args) -> int:
    moments = _population_moments(args)
    try:
        t_c = critical_temperature(moments, args.depth, args.weight_decay)
    except ValueError as err:
        print(f"no critical temperature: {err}", file=sys.stderr)
        return 1
    print(f"{t_c:.10g}")
    return 0


def cmd_simulate(args) -> int:
    if args.data:
        x, y = io.load_dataset(args.data)
    else:
        if args.k is None or args.sigma is None:
            raise SystemExit("error: give --data, or --k and --sigma")
        params = DatasetParams(n=args.n, k=args.k, sigma=args.sigma, seed=args.seed)
        x, y = make_dataset(params, np.random.default_rng([args.seed, DATA_STREAM]))
    try:
        p = EnsembleParams(
            method="sgd",
            depth=args.depth,
            eta=args.eta,
            batch=args.batch,
            n_runs=args.runs,
            seed=args.seed,
            time=args.steps * args.eta,
            burn_in=args.burn_in * args.eta,
            init=balanced_init(args.init, args.depth),
            hist_range=(-1e6, 1e6),
            hist_bins=1,
        )
    except ValueError as err:
        raise SystemExit(f"error: {err}") from None

    def progress(first, runs, step):
        print(f"runs {first}-{first + runs}: step {step}/{p.n_steps}", file=sys.stderr)

    stats = simulate(x, y, p, progress=progress)
    n, s1, s2 = stats["n_samples"].sum(), stats["sum_v"].sum(), stats["sum_v2"].sum()
    comment = (
        f"final v of {p.n_runs} SGD runs, D = {p.depth}, eta = {p.eta:g}, S = {p.batch}, "
        f"T = {p.temperature:g}, {p.n_steps} steps, seed {p.seed}\n"
        f"diverged: {int(stats['diverged'].sum())} (|v| > {p.diverge_at:g}; v is nan)\n"
        f"time average after {args.burn_in} steps: mean {s1 / n:.6g}, "
        f"variance {s2 / n - (s1 / n) ** 2:.6g}"
    )
    columns = {
        "run": np.arange(p.n_runs),
        "v": stats["v_final"],
        "diverged": stats["diverged"].astype(int),
    }
    _emit(columns, comment, args.out)
    return 0


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sgdbalance", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)

    d = sub.add_parser("density", help="normalised stationary density p(v) of the SGF")
    d.add_argument("--depth", type=int, required=True, help="D, hidden layers")
    d.add_argument("--temperature", type=float, required=True, help="T = eta / S")
    _add_data_options(d, population=True)
    d.add_argument("--width", type=int, default=1, help="d, nonzero paths (default 1)")
    d.add_argument("--sign", type=int, choices=(1, -1), default=1, help="side of 0 (D >= 1)")
    d.add_argument("--grid", nargs=3, type=float, metavar=("LO", "HI", "N"))
    d.add_argument("--out", help="CSV file (default: standard output)")
    d.set_defaults(func=cmd_density)

    t = sub.add_parser("tc", help="critical temperature T_c of the two-layer model")
    t.add_argument("--depth", type=int, default=1)
    _add_data_options(t, population=True)
    t.add_argument("--weight-decay", type=float, default=0.0, help="gamma (default 0)")
    t.set_defaults(func=cmd_tc)

    s = sub.add_parser("simulate", help="final v of an ensemble of SGD runs")
    s.add_argument("--depth", type=int, required=True)
    s.add_argument("--eta", type=float, required=True, help="learning rate")
    s.add_argument("--batch", type=int, required=True, help="S, minibatch size")
    _add_data_options(s, population=False)
    s.add_argument("--n", type=int, default=10_000, help="samples drawn with --k (default 1e4)")
    s.add_argument("--runs", type=int, required=True)
    s.add_argument("--steps", type=int, required=True)
    s.add_argument("--burn-in", type=int, default=0, help="steps before time averages")
    s.add_argument("--init", type=float, default=1.0, help="v at start, layers balanced")
    s.add_argument("--seed", type=int, required=True)
    s.add_argument("--out", help="CSV file (default: standard output)")
    s.set_defaults(func=cmd_simulate)

    v = sub.add_parser("verify", help="claim verdicts, and results/ against its manifest")
    v.add_argument("--results", default="results", help="results directory (default results)")
    v.add_argument("--manifest", help="default: RESULTS/manifest.json")
    v.add_argument("--root", help="where the manifest's config files are (default: RESULTS/..)")
    v.set_defaults(func=cmd_verify)

    m = sub.add_parser("readme", help="write the generated tables of README.md from results/")
    m.add_argument("--results", default="results", help="results directory (default results)")
    m.add_argument("--readme", default="README.md", help="the file to update (default README.md)")
    m.set_defaults(func=cmd_readme)

    a = sub.add_parser("archive", help="results/ and its manifest as a deterministic .tar.gz")
    a.add_argument("out", metavar="OUT.tar.gz")
    a.add_argument("--results", default="results", help="results directory (default results)")
    a.set_defaults(func=cmd_archive)

    r = sub.add_parser("restore", help="unpack an archive into DEST/results and verify it")
    r.add_argument("archive", metavar="ARCHIVE")
    r.add_argument("--dest", default=".", help="directory to hold results/ (default .)")
    r.add_argument("--config", help="refuse unless the results were built from this config")
    r.set_defaults(func=cmd_restore)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head`: not an error
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
