"""Command line: theory and simulator outside the workflow, and the provenance of results/.

    sgdbalance density --depth 1 --temperature 0.3 --k 1 --sigma 0.5
    sgdbalance tc --k 1 --sigma 0.5
    sgdbalance tc --k 0.2 --sigma 1 --discrete --batch 1   # and discrete SGD's thresholds
    sgdbalance lyapunov --eta 0.3 --batch 1 --k 0.2 --sigma 1   # does v = 0 attract (D = 1)?
    sgdbalance tail-index --depth 0 --eta 0.5 --batch 4 --data train.npz   # Kesten's kappa
    sgdbalance simulate --depth 1 --eta 0.05 --batch 1 --k 1 --sigma 0.5 --runs 1000 \\
        --steps 20000 --seed 1 --out final_v.csv   # --momentum 0.9: heavy ball
    sgdbalance verify                     # claims, and results/ against results/manifest.json
    sgdbalance archive results.tar.gz     # results/ with its manifest, mtimes kept
    sgdbalance restore results.tar.gz     # into ./results, checked against the manifest
    sgdbalance --version

Conventions of the paper: loss (f - y)^2, T = eta / S, depth D = hidden layers.
"""

import argparse
import sys

from .. import __version__
from .common import (
    GRID_MAX,
    Parser,
    _add_data_options,
    check_options,
    finite_float,
    integer,
    output_file,
)
from .discrete import cmd_lyapunov, cmd_tail_index
from .provenance import cmd_archive, cmd_readme, cmd_restore, cmd_verify
from .theory import DATA_STREAM, cmd_density, cmd_simulate, cmd_tc

__all__ = [
    "DATA_STREAM",
    "build_parser",
    "cmd_archive",
    "cmd_density",
    "cmd_lyapunov",
    "cmd_readme",
    "cmd_restore",
    "cmd_simulate",
    "cmd_tail_index",
    "cmd_tc",
    "cmd_verify",
    "main",
]


def build_parser() -> Parser:
    positive, count0, count1 = finite_float(gt=0), integer(ge=0), integer(ge=1)
    parser = Parser(
        prog="sgdbalance", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    seed_help = (
        "seed of the drawn batches with --data, when the n^S batches are too many to list "
        "(default 0)"
    )

    d = sub.add_parser("density", help="normalised stationary density p(v) of the SGF")
    d.add_argument("--depth", type=count0, required=True, help="D >= 0, hidden layers")
    d.add_argument("--temperature", type=positive, required=True, help="T = eta / S > 0")
    _add_data_options(d, population=True)
    d.add_argument("--width", type=count1, default=1, help="d >= 1, nonzero paths (default 1)")
    d.add_argument("--sign", type=int, choices=(1, -1), default=1, help="side of 0 (D >= 1)")
    d.add_argument(
        "--grid",
        nargs=3,
        type=finite_float(),
        metavar=("LO", "HI", "N"),
        help=f"N points from LO to HI > LO, 2 <= N <= {GRID_MAX} (default: 401 points over "
        "the 0.1-99.9 %% quantiles)",
    )
    d.add_argument("--out", type=output_file, help="CSV file (default: standard output)")
    d.set_defaults(func=cmd_density)

    t = sub.add_parser("tc", help="critical temperature T_c of the two-layer model")
    t.add_argument("--depth", type=count0, default=1, help="D >= 0 (default 1)")
    _add_data_options(t, population=True)
    t.add_argument(
        "--weight-decay", type=finite_float(ge=0), default=0.0, help="gamma >= 0 (default 0)"
    )
    t.add_argument(
        "--discrete",
        action="store_true",
        help="also the learning rates where discrete SGD with --batch S starts or stops "
        "collapsing onto v = 0 (needs --k/--sigma or --data; population S > 1 takes seconds)",
    )
    t.add_argument("--batch", type=count1, help="S >= 1, minibatch size (with --discrete)")
    t.add_argument(
        "--eta-max",
        type=positive,
        help="search thresholds in (0, ETA_MAX] (default 4 S, i.e. T up to 4)",
    )
    t.add_argument("--seed", type=count0, default=0, help=seed_help)
    t.set_defaults(func=cmd_tc)

    no_moments = "not accepted: the distribution of x and y matters, not only its moments"
    ly = sub.add_parser(
        "lyapunov", help="Lyapunov exponents of discrete SGD at v = 0 (D = 1): collapse or not"
    )
    ly.add_argument("--eta", type=positive, required=True, help="learning rate > 0")
    ly.add_argument("--batch", type=count1, required=True, help="S >= 1, minibatch size")
    _add_data_options(ly, population=True, moments_help=no_moments)
    ly.add_argument("--seed", type=count0, default=0, help=seed_help)
    ly.set_defaults(func=cmd_lyapunov)

    ti = sub.add_parser(
        "tail-index",
        help="tail index kappa of the stationary law: Kesten (exact, D = 0), SGF, 2nd order",
    )
    ti.add_argument(
        "--depth",
        type=count0,
        required=True,
        help="D >= 0; Kesten's exact index is for D = 0, D >= 1 gives the SGF's only",
    )
    ti.add_argument("--eta", type=positive, required=True, help="learning rate > 0")
    ti.add_argument("--batch", type=count1, required=True, help="S >= 1, minibatch size")
    _add_data_options(ti, population=True, moments_help=no_moments)
    ti.add_argument("--seed", type=count0, default=0, help=seed_help)
    ti.set_defaults(func=cmd_tail_index)

    s = sub.add_parser("simulate", help="final v of an ensemble of SGD runs")
    s.add_argument("--depth", type=count0, required=True, help="D >= 0, hidden layers")
    s.add_argument("--eta", type=positive, required=True, help="learning rate > 0")
    s.add_argument("--batch", type=count1, required=True, help="S >= 1, minibatch size")
    _add_data_options(s, population=False)
    s.add_argument(
        "--n", type=integer(ge=2), default=10_000, help="samples drawn with --k (default 1e4)"
    )
    s.add_argument("--runs", type=count1, required=True, help=">= 1")
    s.add_argument("--steps", type=count1, required=True, help=">= 1")
    s.add_argument("--burn-in", type=count0, default=0, help="steps before time averages")
    s.add_argument("--init", type=finite_float(), default=1.0, help="v at start, layers balanced")
    s.add_argument("--seed", type=count0, required=True, help=">= 0")
    s.add_argument(
        "--momentum",
        type=finite_float(ge=0, lt=1),
        default=0.0,
        metavar="BETA",
        help="heavy-ball momentum beta in [0, 1) (default 0, plain SGD); T = eta / ((1 - beta) S)",
    )
    s.add_argument("--out", type=output_file, help="CSV file (default: standard output)")
    s.set_defaults(func=cmd_simulate)

    v = sub.add_parser("verify", help="claim verdicts, and results/ against its manifest")
    v.add_argument("--results", default="results", help="results directory (default results)")
    v.add_argument("--manifest", help="default: RESULTS/manifest.json")
    v.add_argument("--root", help="where the manifest's config files are (default: RESULTS/..)")
    v.set_defaults(func=cmd_verify)

    m = sub.add_parser(
        "readme", help="write the generated parts of README.md and docs/ from results/"
    )
    m.add_argument("--results", default="results", help="results directory (default results)")
    m.add_argument("--readme", default="README.md", help="the file to update (default README.md)")
    m.add_argument("--docs", help="the docs folder to update (default: beside the README)")
    m.set_defaults(func=cmd_readme)

    a = sub.add_parser("archive", help="results/ and its manifest as a deterministic .tar.gz")
    a.add_argument("out", metavar="OUT.tar.gz", type=output_file)
    a.add_argument("--results", default="results", help="results directory (default results)")
    a.set_defaults(func=cmd_archive)

    r = sub.add_parser("restore", help="unpack an archive into DEST/results and verify it")
    r.add_argument("archive", metavar="ARCHIVE")
    r.add_argument("--dest", default=".", help="directory to hold results/ (default .)")
    r.add_argument("--config", help="refuse unless the results were built from this config")
    r.set_defaults(func=cmd_restore)
    return parser


def main(argv=None) -> int:
    """Run one subcommand. Exit status 0 on success, 1 when the result is "none exists" or a
    write failed (nothing is left half-written), 2 for a bad command line."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if problem := check_options(args):
        parser.commands.choices[args.command].error(problem)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head`: not an error
        sys.stderr.close()
        return 0
    except OSError as err:  # a full disk, a directory that cannot be written
        print(f"error: {err}", file=sys.stderr)
        return 1
