"""What the subcommands share: the parser and the checks of every option, the data options,
and CSV or table output."""

import argparse
import math
import os
import re
import sys
from pathlib import Path

from ..artifact import io
from ..theory.moments import Moments

# --- Validation of the command line -------------------------------------------------------
# Each option is checked by its argparse ``type=``; what needs several options at once is
# checked by ``check_options`` right after parsing. Either way the error names the option, the
# value and the allowed range, exits with status 2, and comes before anything is written.

GRID_MAX = 10_000_000  # points of --grid: a CSV of about 300 MB
MAGNITUDE_MIN, MAGNITUDE_MAX = 1e-100, 1e100  # of every real-valued option but 0
POPULATION_BATCH_MAX = 10_000  # S of the quadratures over x ~ N(0, 1) (--k, --sigma)
# T = eta/S of Kesten's kappa over x ~ N(0, 1): kappa is about 0.9/T, and the quadrature
# returns nonsense beyond 1e8 (T = 2.5e-9, S = 4 gave 2.6e305).
POPULATION_T_MIN = 1e-6
ETA_MAX_MIN = 1e-6  # tc --discrete searches from ETA_MAX/1000 (0 for a subnormal ETA_MAX)


class UsageError(SystemExit):
    """Exit status 2 for a bad command line; ``str()`` is the message (argparse's own
    ``SystemExit(2)`` carries none)."""

    def __init__(self, message: str):
        super().__init__(2)
        self.message = message

    def __str__(self) -> str:
        return self.message


class Parser(argparse.ArgumentParser):
    """argparse, with errors that exit 2 carrying their message, and the subcommands' parsers
    at hand for the checks made after parsing."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read "-1e-3" and "-inf" as values, not options (as Python 3.13's argparse does), so
        # that --grid -1e-3 1 5 works and --k -inf meets the range check.
        self._negative_number_matcher = re.compile(r"^-(\.?\d|inf|nan)", re.IGNORECASE)

    def add_subparsers(self, **kwargs):
        self.commands = super().add_subparsers(**kwargs)
        return self.commands

    def error(self, message):
        # argparse says "argument --eta: must be ..."; the checks below read "--eta must be ...".
        message = re.sub(r"^argument (\S+): must ", r"\1 must ", message)
        self.print_usage(sys.stderr)
        text = f"{self.prog}: error: {message}"
        print(text, file=sys.stderr)
        raise UsageError(text)


def _interval(gt=None, ge=None, lt=None, le=None) -> str:
    lo = f"{gt:g}" if gt is not None else f"{ge:g}" if ge is not None else None
    hi = f"{lt:g}" if lt is not None else f"{le:g}" if le is not None else None
    if lo is not None and hi is not None:
        return f" in {'(' if gt is not None else '['}{lo}, {hi}{')' if lt is not None else ']'}"
    if lo is not None:
        return f" {'>' if gt is not None else '>='} {lo}"
    if hi is not None:
        return f" {'<' if lt is not None else '<='} {hi}"
    return ""


def finite_float(gt=None, ge=None, lt=None, le=None):
    """argparse type: a finite float, optionally bounded (``gt``: > bound, ``ge``: >= bound),
    of magnitude 0 or within [1e-100, 1e100]: beyond, squares and sums of the data overflow
    and the quadratures' grids lose the density (found by tests/test_properties.py)."""
    positive = gt == 0 and lt is None and le is None
    scale = (
        f"{MAGNITUDE_MIN:g} to {MAGNITUDE_MAX:g}"
        if positive
        else "0 or magnitude " + (f"{MAGNITUDE_MIN:g} to {MAGNITUDE_MAX:g}")
    )
    allowed = f"a finite number{_interval(gt, ge, lt, le)} ({scale})"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        inside = (
            math.isfinite(value)
            and (value == 0 or MAGNITUDE_MIN <= abs(value) <= MAGNITUDE_MAX)
            and (gt is None or value > gt)
            and (ge is None or value >= ge)
            and (lt is None or value < lt)
            and (le is None or value <= le)
        )
        if not inside:
            raise argparse.ArgumentTypeError(f"must be {allowed}, got {text}")
        return value

    return parse


def integer(ge=None, le=None):
    """argparse type: an integer (digits, no decimal point), optionally bounded."""
    allowed = f"an integer{_interval(ge=ge, le=le)}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or (ge is not None and value < ge) or (le is not None and value > le):
            raise argparse.ArgumentTypeError(f"must be {allowed}, got {text}")
        return value

    return parse


def dataset_file(text: str) -> str:
    """argparse type: the path of a readable dataset .npz with finite arrays x and y."""
    try:
        io.load_dataset(text)
    except (OSError, ValueError) as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return text


def output_file(text: str) -> str:
    """argparse type: a path a file can be written to (its directory is created if needed)."""
    path = Path(text)
    if text == "" or path.is_dir():
        what = ", a directory" if text else ""
        raise argparse.ArgumentTypeError(f"must be a file name, got {text!r}{what}")
    parent = next((p for p in path.absolute().parents if p.exists()), None)
    problem = None
    if parent is not None and not parent.is_dir():
        problem = f"{parent} is a file, not a directory"
    elif parent is not None and not os.access(parent, os.W_OK | os.X_OK):
        problem = f"{parent} cannot be written to"
    if problem:
        raise argparse.ArgumentTypeError(
            f"must be a file name in a writable place, got {text!r}: {problem}"
        )
    return text


def check_options(args) -> str | None:
    """What the options say together: the first problem, naming the options, or None."""
    if hasattr(args, "sigma"):
        if args.k is not None and args.sigma is None:
            return f"--k {args.k:g} needs --sigma, the label-noise standard deviation (>= 0)"
        if args.sigma is not None and args.k is None:
            return "--sigma goes with --k only (y = k x + sigma eps), not with --data or --moments"
    check = {
        "density": _check_density,
        "tc": _check_tc,
        "lyapunov": _check_distribution,
        "tail-index": _check_distribution,
        "simulate": _check_simulate,
    }.get(args.command)
    return check(args) if check else None


def _moments_problem(args) -> str | None:
    """The data options' moments must be those of a distribution with label noise or signal."""
    try:
        moments = _population_moments(args)
        if not all(math.isfinite(m) for m in moments.as_dict().values()):
            raise OverflowError
    except OverflowError:
        return f"{_source(args)}: its moments overflow a float (above 1.8e308); use smaller numbers"
    except ValueError as err:
        if args.moments is not None:
            given = " ".join(f"{m:g}" for m in args.moments)
            return (
                f"--moments {given}: {err}; allowed: A1, A3, B1 > 0 and A1 A3 >= A2^2 "
                "(the moments of a distribution)"
            )
        if args.data is not None:
            return f"--data {args.data}: {err}"
        return (
            f"--k {args.k:g} --sigma {args.sigma:g}: y = 0, no signal and no label noise "
            "(alpha3 = 2 k^2 + sigma^2 = 0); allowed: k != 0 or sigma > 0"
        )
    return None


def _source(args) -> str:
    """The data options as given, for a message."""
    if args.moments is not None:
        return "--moments " + " ".join(f"{m:g}" for m in args.moments)
    if args.data is not None:
        return f"--data {args.data}"
    return f"--k {args.k:g} --sigma {args.sigma:g}"


def _check_density(args) -> str | None:
    if args.grid:
        lo, hi, n = args.grid
        if not lo < hi:
            return f"--grid LO HI N needs LO < HI, got LO = {lo:g}, HI = {hi:g}"
        if not (n == int(n) and 2 <= n <= GRID_MAX):
            return f"--grid N must be an integer in [2, {GRID_MAX}], got {n:g}"
    return _moments_problem(args)


def _no_moments(args, what: str) -> str | None:
    if args.moments is not None:
        return (
            f"{what} needs the distribution of x and y, not only its five moments: "
            "give --k and --sigma (x ~ N(0, 1)) or --data FILE instead of --moments"
        )
    return None


def _batch_problem(args) -> str | None:
    """The population's minibatch expectations are quadratures, accurate up to S = 10^4 (they
    fail near 5 x 10^4)."""
    if args.k is not None and args.batch is not None and args.batch > POPULATION_BATCH_MAX:
        return (
            f"--batch must be an integer in [1, {POPULATION_BATCH_MAX}] with --k (the range of "
            f"the population quadrature), got {args.batch}; give --data FILE for larger S"
        )
    return None


def _check_distribution(args) -> str | None:
    problem = _no_moments(args, args.command) or _batch_problem(args)
    if problem is None and args.command == "tail-index" and args.k is not None:
        if args.eta / args.batch < POPULATION_T_MIN:
            problem = (
                f"--eta {args.eta:g} --batch {args.batch}: T = eta/S = {args.eta / args.batch:g} "
                f"is below {POPULATION_T_MIN:g}, where kappa (about 1/T) is beyond the "
                f"population quadrature; allowed with --k: eta/S >= {POPULATION_T_MIN:g}"
            )
    return problem or _moments_problem(args)


def _check_tc(args) -> str | None:
    if not args.discrete:
        if args.batch is not None or args.eta_max is not None:
            return "--batch and --eta-max apply only with --discrete"
    else:
        if args.batch is None:
            return "--discrete needs --batch S, the minibatch size"
        if args.eta_max is not None and args.eta_max < ETA_MAX_MIN:
            return (
                f"--eta-max must be >= {ETA_MAX_MIN:g} (the search starts at ETA_MAX/1000), "
                f"got {args.eta_max:g}"
            )
        if args.weight_decay != 0:
            return "--discrete is without weight decay: drop --weight-decay"
        if args.depth != 1:
            return (
                f"--discrete is the two-layer model's threshold (--depth 1), got --depth "
                f"{args.depth}"
            )
        if problem := _no_moments(args, "tc --discrete") or _batch_problem(args):
            return problem
    if problem := _moments_problem(args):
        return problem
    beta2 = _population_moments(args).beta2
    if args.depth == 1 and not beta2 > args.weight_decay:
        return (
            f"{_source(args)} --weight-decay {args.weight_decay:g} has no learning phase: "
            f"beta2 = E[xy] = {beta2:g} is not above gamma = {args.weight_decay:g}, so "
            "T_c = (beta2 - gamma)/alpha3 <= 0; allowed: beta2 > gamma >= 0 (with --k: k > gamma)"
        )
    return None


def _check_simulate(args) -> str | None:
    try:
        time = args.steps * args.eta
    except OverflowError:  # an int beyond any float
        time = math.inf
    if not math.isfinite(time):
        return f"--steps {args.steps} --eta {args.eta:g}: the time steps x eta overflows a float"
    if not args.burn_in < args.steps:
        return f"--burn-in must be an integer in [0, --steps = {args.steps}), got {args.burn_in}"
    return None


# --- The data options ----------------------------------------------------------------------


def _add_data_options(
    parser, population: bool, moments_help: str = "alpha1 alpha2 alpha3 beta1 beta2"
):
    source = parser.add_mutually_exclusive_group(required=True)
    if population:
        source.add_argument(
            "--moments",
            nargs=5,
            type=finite_float(),
            metavar=("A1", "A2", "A3", "B1", "B2"),
            help=moments_help,
        )
    # A drawn training set needs k > 0 (DatasetParams); the population formulas take any k.
    source.add_argument(
        "--k",
        type=finite_float() if population else finite_float(gt=0),
        help="teacher slope, y = k x + sigma eps, x ~ N(0,1)" + ("" if population else "; k > 0"),
    )
    source.add_argument("--data", type=dataset_file, help="a dataset .npz with arrays x and y")
    parser.add_argument(
        "--sigma", type=finite_float(ge=0), help="label-noise standard deviation (with --k)"
    )


def _population_moments(args) -> Moments:
    if args.moments is not None:
        return Moments(*args.moments)
    if args.k is not None:
        return Moments.population(args.k, args.sigma)
    return Moments.of_samples(*io.load_dataset(args.data))


def _distribution(args):
    """``(moments, x, y)`` of ``--data``, or ``(moments, None, None)`` for ``--k/--sigma``
    (``check_options`` has refused ``--moments`` for the commands that call this)."""
    if args.data is not None:
        x, y = io.load_dataset(args.data)
        return Moments.of_samples(x, y), x, y
    return _population_moments(args), None, None


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
