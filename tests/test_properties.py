"""Every entry point under any value: each option of each subcommand and each numeric key of
the config gets a clear error naming it, or a valid output; never a traceback (an exception
other than the exit), never a nan in an output, never a partial file.

Examples are drawn by hypothesis from finite, non-finite, out-of-range and malformed values.
The default profile is derandomized (the same examples every run, no example database); set
SGDBALANCE_HYPOTHESIS=explore for 20 times as many fresh random examples.
"""

import copy
import io
import math
import os
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from sgdbalance.cli import main
from sgdbalance.config import ConfigError, check_config, load_config

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = str(ROOT / "workflow/schemas/config.schema.yaml")

_common = dict(
    deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.register_profile("default", max_examples=40, derandomize=True, **_common)
settings.register_profile("explore", max_examples=800, **_common)
settings.load_profile(os.environ.get("SGDBALANCE_HYPOTHESIS", "default"))

# Values as a user could type them.
FLOATS = st.floats(allow_nan=True, allow_infinity=True).map(repr)  # nan, inf, 1e-300, -0.0
MODEST = st.floats(-20, 20).map(lambda v: f"{v:.3g}")
SMALL_INTS = st.integers(-3, 12).map(str)
BIG_INTS = st.sampled_from(["100000", "2147483648", "9223372036854775808", str(10**30)])
WORDS = st.sampled_from(
    ["", "abc", "1e999", "-1e999", "NaN", "-inf", "Infinity", "0x10", "1,5", "2.5", "1e3"]
)
REAL = st.one_of(FLOATS, MODEST, SMALL_INTS, WORDS)
COUNT = st.one_of(SMALL_INTS, BIG_INTS, FLOATS, WORDS)  # counts whose large values are cheap
SMALL_COUNT = st.one_of(SMALL_INTS, FLOATS, WORDS)  # counts that set the work done
# tc --discrete over the population takes seconds at S = 1 and half a minute at S = 2.
NO_MORE_THAN_ONE = st.one_of(st.integers(-3, 1).map(str), FLOATS, WORDS)

POPULATION = ["--k", "0.2", "--sigma", "1"]
CASES = {
    "density": (
        ["density", "--depth", "1", "--temperature", "0.3", "--k", "0.5", "--sigma", "0.5"],
        {"--depth": COUNT, "--temperature": REAL, "--k": REAL, "--sigma": REAL,
         "--width": COUNT, "--sign": SMALL_INTS},
    ),
    "tc": (
        ["tc", "--k", "0.5", "--sigma", "0.5"],
        {"--depth": COUNT, "--k": REAL, "--sigma": REAL, "--weight-decay": REAL},
    ),
    "tc --discrete": (
        ["tc", *POPULATION, "--discrete", "--batch", "1"],
        {"--batch": NO_MORE_THAN_ONE, "--eta-max": REAL, "--k": REAL, "--sigma": REAL},
    ),
    "lyapunov": (
        ["lyapunov", "--eta", "0.3", "--batch", "1", *POPULATION],
        {"--eta": REAL, "--batch": COUNT, "--k": REAL, "--sigma": REAL, "--seed": COUNT},
    ),
    "tail-index": (
        ["tail-index", "--depth", "0", "--eta", "0.3", "--batch", "2", *POPULATION],
        {"--depth": COUNT, "--eta": REAL, "--batch": COUNT, "--k": REAL, "--sigma": REAL},
    ),
    "simulate": (
        ["simulate", "--depth", "1", "--eta", "0.05", "--batch", "1", "--k", "1", "--sigma",
         "0.5", "--n", "50", "--runs", "2", "--steps", "6", "--burn-in", "2", "--seed", "1"],
        {"--depth": SMALL_COUNT, "--eta": REAL, "--batch": SMALL_COUNT, "--k": REAL,
         "--sigma": REAL, "--n": SMALL_COUNT, "--runs": SMALL_COUNT, "--steps": SMALL_COUNT,
         "--burn-in": SMALL_COUNT, "--init": REAL, "--seed": COUNT},
    ),
}  # fmt: skip
# Exit status 1 is a valid answer "none exists", never a bad input: these are the answers.
NONE_EXISTS = (
    "no normalisable stationary density",
    "no critical temperature",
    "no accurate density",
)


def with_value(argv: list[str], option: str, value: str) -> list[str]:
    """``argv`` with ``option`` set to ``value`` (``--opt=value``, so "-1e-3" is a value)."""
    argv = list(argv)
    if option in argv:
        i = argv.index(option)
        del argv[i : i + 2]
    return [*argv, f"{option}={value}"]


def run(argv, capsys) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_no_nan(table_or_text) -> None:
    """No nan anywhere but in ``v`` of a run marked ``diverged`` (simulate's documented mark)."""
    if isinstance(table_or_text, pd.DataFrame):
        table = table_or_text
        if "diverged" in table:
            assert table.v.isna().eq(table.diverged == 1).all(), table
            table = table.drop(columns="v")
        assert not table.isna().any().any(), table
    else:
        text = table_or_text.replace("v is nan", "")  # simulate's comment explains the mark
        assert "nan" not in text.lower(), table_or_text


def assert_answer(option, value, code, out, err) -> None:
    """Exit 2 names the option (and, for a value out of its range, the value); exit 1 says
    that no answer exists; exit 0 prints no nan."""
    assert code in (0, 1, 2), (code, err)
    event(f"exit {code}")  # pytest --hypothesis-show-statistics: how many answers, how many errors
    if code == 2:
        assert option in err, err
        if value is not None and " must be " in err and "--burn-in" not in err:
            assert f"got {value}" in err, err
        assert out == ""
    elif code == 1:
        assert any(answer in err for answer in NONE_EXISTS), err
        assert out == ""
    elif "run,v,diverged" in out:
        assert_no_nan("\n".join(line for line in out.splitlines() if line.startswith("#")))
        assert_no_nan(pd.read_csv(io.StringIO(out), comment="#"))
    else:
        assert_no_nan(out)


@pytest.mark.parametrize("case", list(CASES))
@given(data=st.data())
def test_every_numeric_option_gets_an_error_or_a_valid_answer(case, data, capsys):
    base, options = CASES[case]
    option = data.draw(st.sampled_from(sorted(options)), label="option")
    value = data.draw(options[option], label="value")
    code, out, err = run(with_value(base, option, value), capsys)
    assert_answer(option, value, code, out, err)


@given(
    lo=REAL,
    hi=REAL,
    n=st.one_of(SMALL_INTS, FLOATS, WORDS, st.sampled_from(["1e7", "10000001", "2.0"])),
)
def test_density_grid(lo, hi, n, capsys):
    argv = ["density", "--depth", "0", "--temperature", "0.3", "--k", "0.5", "--sigma", "0.5"]
    # nargs=3 takes no "--grid=..." form; "-1e-3" and "-inf" still read as values.
    code, out, err = run([*argv, "--grid", lo, hi, n], capsys)
    assert_answer("--grid", None, code, out, err)
    if code == 0:
        rows = [line for line in out.splitlines() if not line.startswith("#")][1:]
        assert len(rows) == int(float(n)) and float(lo) < float(hi)


@given(moments=st.lists(REAL, min_size=5, max_size=5))
def test_density_moments(moments, capsys):
    argv = ["density", "--depth", "1", "--temperature", "0.05", "--moments", *moments]
    assert_answer("--moments", None, *run(argv, capsys))


@pytest.mark.parametrize("command", ["density", "simulate"])
@given(data=st.data())
def test_out_file_is_complete_or_absent(command, data, capsys):
    base, options = CASES[command]
    option = data.draw(st.sampled_from(sorted(options)), label="option")
    value = data.draw(options[option], label="value")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sub" / "out.csv"
        code, stdout, err = run([*with_value(base, option, value), "--out", str(out)], capsys)
        assert_answer(option, value, code, stdout, err)
        leftovers = [p.name for p in Path(tmp).rglob("*") if p.name.endswith(".tmp")]
        assert leftovers == []
        if code == 0:
            assert_no_nan(pd.read_csv(out, comment="#"))
            assert f"wrote {out}" in err
        else:
            assert not out.exists()


# --- The config checker ---------------------------------------------------------------------


def _numeric_keys(node, path=()):
    """Paths to every int or float leaf of a config (bools are not numbers here)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _numeric_keys(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _numeric_keys(value, (*path, i))
    elif isinstance(node, int | float) and not isinstance(node, bool):
        yield path


# The quick config as the workflow sees it: the overlay merged onto the base.
QUICK = load_config(ROOT / "config/config.yaml", ROOT / "config/quick.yaml")
KEYS = sorted(_numeric_keys(QUICK), key=str)
BAD_NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**30), 10**30),
    st.integers(-3, 3),
    st.sampled_from([0, 0.5, -0.5, 1e-300, 1e300, 2**63]),
)


@pytest.mark.slow
@given(key=st.sampled_from(KEYS), value=BAD_NUMBERS)
def test_config_values_are_named_or_accepted(key, value):
    config = copy.deepcopy(QUICK)
    node = config
    for part in key[:-1]:
        node = node[part]
    node[key[-1]] = value
    # The key itself, or for a value at odds with another key, its entry (dataset 'example').
    names = (next(part for part in reversed(key) if isinstance(part, str)), key[1])
    try:
        validate(copy.deepcopy(config), SCHEMA)
        check_config(config)
    except (WorkflowError, ConfigError) as err:
        event(type(err).__name__)
        assert any(name in str(err) for name in names), (key, value, str(err)[-500:])
    else:
        event("accepted")
        assert isinstance(value, int) or math.isfinite(value), (key, value, "accepted")
