"""What the subcommands share: the data options, their checks, and CSV or table output."""

import sys

import numpy as np

from ..artifact import io
from ..theory.moments import Moments


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
