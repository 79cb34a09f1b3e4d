"""Command line: theory and simulator outside the workflow, and the provenance of results/.

    sgdbalance density --depth 1 --temperature 0.3 --k 1 --sigma 0.5
    sgdbalance tc --k 1 --sigma 0.5
    sgdbalance tc --k 0.2 --sigma 1 --discrete --batch 1   # and discrete SGD's thresholds
    sgdbalance lyapunov --eta 0.3 --batch 1 --k 0.2 --sigma 1   # does v = 0 attract (D = 1)?
    sgdbalance tail-index --depth 0 --eta 0.5 --batch 4 --data train.npz   # Kesten's kappa
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

from . import collapse, discrete, io, kesten, paper, provenance
from .data import DatasetParams, make_dataset
from .density import NotNormalisable, critical_temperature, stationary_density, tail_exponent
from .ensemble import EnsembleParams, balanced_init, simulate
from .moments import Moments

DATA_STREAM = 0xDA7A  # the CLI's dataset is drawn from SeedSequence([seed, DATA_STREAM])


def _add_data_options(
    parser, population: bool, moments_help: str = "alpha1 alpha2 alpha3 beta1 beta2"
):
    source = parser.add_mutually_exclusive_group(required=True)
    if population:
        source.add_argument(
            "--moments",
            nargs=5,
            type=float,
            metavar=("A1", "A2", "A3", "B1", "B2"),
            help=moments_help,
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


def _distribution(args, what: str):
    """``(moments, x, y)`` of ``--data``, or ``(moments, None, None)`` for ``--k/--sigma``.

    Refuses ``--moments``: ``what`` needs the distribution of the data, not five moments.
    """
    if args.moments is not None:
        raise SystemExit(
            f"error: {what} needs the distribution of x and y, not only its five moments: "
            "give --k and --sigma (x ~ N(0, 1)) or --data FILE instead of --moments"
        )
    if args.data is not None:
        x, y = io.load_dataset(args.data)
        return Moments.of_samples(x, y), x, y
    return _population_moments(args), None, None


def _check_positive(value: float, option: str) -> None:
    if not (np.isfinite(value) and value > 0):
        raise SystemExit(f"error: {option} must be a finite number > 0, got {value:g}")


def _check_batch_and_seed(args) -> None:
    if args.batch < 1:
        raise SystemExit(f"error: --batch must be an integer >= 1, got {args.batch}")
    if args.seed < 0:
        raise SystemExit(f"error: --seed must be an integer >= 0, got {args.seed}")


def _describe_source(args, bm=None, n: int = 0) -> str:
    """Where the minibatch expectations come from: quadrature, or the batches of --data."""
    if args.data is None:
        return f"population x ~ N(0, 1), y = {args.k:g} x + {args.sigma:g} eps, quadrature"
    if bm.exact:
        return f"{args.data}: exact, all {n}^{bm.batch} = {bm.values.size} batches"
    return f"{args.data}: Monte Carlo, {bm.values.size} batches of {n} samples, seed {args.seed}"


def _pm(value: float, se: float | None) -> str:
    """``value``, with `` ± se`` when it is a Monte Carlo estimate (se > 0)."""
    return f"{value:.6g} ± {se:.2g}" if se else f"{value:.6g}"


def _row(label: str, value: str, comment: str = "") -> str:
    return f"{label:<24}{value:<22}{comment}".rstrip()


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
    if not args.discrete:
        if args.batch is not None or args.eta_max is not None:
            raise SystemExit("error: --batch and --eta-max apply only with --discrete")
        moments = _population_moments(args)
    else:
        if args.batch is None:
            raise SystemExit("error: --discrete needs --batch S, the minibatch size")
        _check_batch_and_seed(args)
        if args.eta_max is not None:
            _check_positive(args.eta_max, "--eta-max")
        if args.weight_decay != 0:
            raise SystemExit("error: --discrete is without weight decay: drop --weight-decay")
        if args.depth != 1:
            raise SystemExit(
                f"error: --discrete is the two-layer model's threshold (--depth 1), got --depth "
                f"{args.depth}"
            )
        moments, x, y = _distribution(args, "tc --discrete")
    try:
        t_c = critical_temperature(moments, args.depth, args.weight_decay)
    except ValueError as err:
        print(f"no critical temperature: {err}", file=sys.stderr)
        return 1
    if not args.discrete:
        print(f"{t_c:.10g}")
        return 0
    _discrete_thresholds(args, moments, x, y, t_c)
    return 0


def _discrete_thresholds(args, moments, x, y, t_c) -> None:
    """``tc --discrete``: where ``max(Lambda_+, Lambda_-)`` changes sign, next to T_c."""
    batch = args.batch
    eta_max = 4.0 * batch if args.eta_max is None else args.eta_max
    if x is None:
        source = _describe_source(args)
        roots = collapse.population_collapse_thresholds(batch, args.k, args.sigma, eta_max)
        ses = [0.0] * len(roots)

        def top(eta):
            e = collapse.population_lyapunov(eta, batch, args.k, args.sigma)
            return max(e["plus"], e["minus"])

    else:
        bm = discrete.batch_means(x * y, batch, args.seed)
        source = _describe_source(args, bm, x.size)
        roots = collapse.collapse_thresholds(bm, eta_max)
        ses = [collapse.threshold_se(bm, eta) for eta in roots]

        def top(eta):
            return collapse.top_exponent(bm, eta)

    second = collapse.second_order_threshold(moments, batch)
    print(_row("T_c, SGF", f"{t_c:.6g}", "beta2/alpha3"))
    print(_row("T_c, second order", f"{second:.6g}", f"beta2/(alpha3 + S beta2^2), S = {batch}"))
    print(f"discrete SGD, S = {batch}, eta in (0, {eta_max:g}]  ({source})")
    for eta, se in zip(roots, ses, strict=True):
        print(
            _row(
                "  threshold",
                f"eta = {_pm(eta, se)}",
                f"T = eta/S = {_pm(eta / batch, se / batch)}",
            )
        )
    # Between consecutive roots the top exponent has one sign: read it at the middle.
    edges = [0.0, *roots, eta_max]
    spans = list(zip(edges[:-1], edges[1:], strict=True))
    attracting = [(lo, hi) for lo, hi in spans if top((lo + hi) / 2) < 0]
    if not roots:
        if attracting:
            print(f"no threshold: v = 0 attracts (collapse) at every eta in (0, {eta_max:g}]")
        else:
            print(
                f"no threshold: v = 0 repels at every eta in (0, {eta_max:g}], "
                f"discrete SGD with S = {batch} never collapses there"
            )
        return
    for lo, hi in attracting:
        end = "]" if hi == eta_max else ")"
        print(
            f"v = 0 attracts (collapse) for eta in ({lo:.6g}, {hi:.6g}{end}, "
            f"T in ({lo / batch:.6g}, {hi / batch:.6g}{end}"
        )
    print(f"  and repels at the other eta in (0, {eta_max:g}]")


def cmd_lyapunov(args) -> int:
    _check_positive(args.eta, "--eta")
    _check_batch_and_seed(args)
    eta, batch = args.eta, args.batch
    moments, x, y = _distribution(args, "lyapunov")
    if x is None:
        source = _describe_source(args)
        e = collapse.population_lyapunov(eta, batch, args.k, args.sigma)
        e["plus_se"] = e["minus_se"] = 0.0
    else:
        bm = discrete.batch_means(x * y, batch, args.seed)
        source = _describe_source(args, bm, x.size)
        e = collapse.lyapunov_exponents(bm, eta)
    print(f"D = 1 near v = 0, eta = {eta:g}, S = {batch}, T = eta/S = {eta / batch:.6g}")
    print(f"  ({source}; m = minibatch mean of x y)")
    plus, minus = _pm(e["plus"], e["plus_se"]), _pm(e["minus"], e["minus_se"])
    print(_row("Lambda_+", plus, "balanced u = w, E log|1 + 2 eta m| per step"))
    print(_row("Lambda_-", minus, "antibalanced u = -w, E log|1 - 2 eta m| per step"))
    top, top_se = max((e["plus"], e["plus_se"]), (e["minus"], e["minus_se"]))
    if top_se and abs(top) < 2 * top_se:
        print(
            "v = 0: undecided, max(Lambda_+, Lambda_-) is within 2 s.e. of 0 "
            "(fewer samples or a smaller S list every batch)"
        )
    elif top < 0:
        print("v = 0 attracts: max(Lambda_+, Lambda_-) < 0, SGD collapses onto u = w = 0")
    else:
        print("v = 0 repels: max(Lambda_+, Lambda_-) >= 0, SGD does not collapse")
    print(f"  (SGF: T_c = beta2/alpha3 = {moments.beta2 / moments.alpha3:.6g})")
    return 0


def _kappa_text(kappa: float, se: float | None, what: str) -> tuple[str, str]:
    if kappa == np.inf:
        return "inf", f"|1 - 2 eta m2| <= 1 for every batch: no power-law tail for this {what}"
    if kappa == 0:
        return "0", "E log|1 - 2 eta m2| >= 0: no stationary law, SGD diverges"
    return _pm(kappa, se), "E|1 - 2 eta m2|^kappa = 1, m2 = minibatch mean of x^2"


def cmd_tail_index(args) -> int:
    _check_positive(args.eta, "--eta")
    _check_batch_and_seed(args)
    if args.depth < 0:
        raise SystemExit(f"error: --depth must be an integer >= 0, got {args.depth}")
    eta, batch, depth = args.eta, args.batch, args.depth
    temperature = eta / batch
    moments, x, _ = _distribution(args, "tail-index")
    sgf = -1.0 - tail_exponent(moments, depth, temperature)
    print(f"D = {depth}, eta = {eta:g}, S = {batch}, T = eta/S = {temperature:.6g}")
    print("  (tail index kappa: p(v) ~ |v|^(-1-kappa), P(|v| > x) ~ x^-kappa)")
    if depth >= 1:
        print(_row("kappa, SGF", f"{sgf:.6g}", "4 - 3/(D+1), at every T and for any data"))
        print(
            "note: Kesten's recursion (exact discrete SGD) is the D = 0 case; "
            "for D >= 1 only the SGF's index is computed"
        )
        return 0
    note = None
    if x is None:
        value, comment = _kappa_text(kesten.population_kesten_index(eta, batch), 0.0, "data")
        source = "x ~ N(0, 1), quadrature"
    else:
        bm = discrete.batch_means(x * x, batch, args.seed)
        index = kesten.kesten_index(bm, eta)
        value, comment = _kappa_text(index["kappa"], index["kappa_se"], "training set")
        source = _describe_source(args, bm, x.size)
        n_eff = index.get("effective_batches")
        if not bm.exact and n_eff is not None and n_eff < 100:
            note = (
                f"note: only ~{n_eff:.0f} of the drawn batches carry E|A|^kappa, "
                "so kappa and its s.e. are unreliable"
            )
    print(_row("kappa, Kesten (exact)", value, comment))
    print(f"  ({source})")
    if note:
        print(note)
    second = kesten.kappa_two_interpolation(moments, temperature, batch)
    print(_row("kappa, SGF", f"{sgf:.6g}", "1 + beta1/(T alpha1)"))
    print(_row("kappa, kappa=2 fit", f"{second:.6g}",
               "1 + beta1/(T (alpha1 + S beta1^2)): exact only where kappa = 2"))  # fmt: skip
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
    seed_help = (
        "seed of the drawn batches with --data, when the n^S batches are too many to list "
        "(default 0)"
    )

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
    t.add_argument(
        "--discrete",
        action="store_true",
        help="also the learning rates where discrete SGD with --batch S starts or stops "
        "collapsing onto v = 0 (needs --k/--sigma or --data; population S > 1 takes seconds)",
    )
    t.add_argument("--batch", type=int, help="S, minibatch size (with --discrete)")
    t.add_argument(
        "--eta-max",
        type=float,
        help="search thresholds in (0, ETA_MAX] (default 4 S, i.e. T up to 4)",
    )
    t.add_argument("--seed", type=int, default=0, help=seed_help)
    t.set_defaults(func=cmd_tc)

    no_moments = "not accepted: the distribution of x and y matters, not only its moments"
    ly = sub.add_parser(
        "lyapunov", help="Lyapunov exponents of discrete SGD at v = 0 (D = 1): collapse or not"
    )
    ly.add_argument("--eta", type=float, required=True, help="learning rate")
    ly.add_argument("--batch", type=int, required=True, help="S, minibatch size")
    _add_data_options(ly, population=True, moments_help=no_moments)
    ly.add_argument("--seed", type=int, default=0, help=seed_help)
    ly.set_defaults(func=cmd_lyapunov)

    ti = sub.add_parser(
        "tail-index",
        help="tail index kappa of the stationary law: Kesten (exact, D = 0), SGF, 2nd order",
    )
    ti.add_argument(
        "--depth",
        type=int,
        required=True,
        help="D; Kesten's exact index is for D = 0, D >= 1 gives the SGF's only",
    )
    ti.add_argument("--eta", type=float, required=True, help="learning rate")
    ti.add_argument("--batch", type=int, required=True, help="S, minibatch size")
    _add_data_options(ti, population=True, moments_help=no_moments)
    ti.add_argument("--seed", type=int, default=0, help=seed_help)
    ti.set_defaults(func=cmd_tail_index)

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
