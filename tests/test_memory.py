import copy
from pathlib import Path

import numpy as np
import pytest
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from sgdbalance.checks import memory
from sgdbalance.config import ConfigError, check_config, ensemble_params
from sgdbalance.simulate.ensemble import simulate

ROOT = Path(__file__).resolve().parents[1]
EPS = np.finfo(float).eps

# The SGF at T = 0.3 (below T_c = 0.63 of D = 1) on the example data; experiments as in config.
BASE = dict(dataset="example", method="sgf", eta=0.3, batch=1, dt=0.005, n_runs=200, seed=5)
OPPOSITE_D1 = BASE | dict(depth=1, width=2, time=60, init_paths=[0.5, -0.1])
OPPOSITE_D2 = BASE | dict(depth=2, width=2, time=200, init_paths=[0.5, -0.1], n_runs=100)
SAME_D1 = BASE | dict(depth=1, width=2, time=60, init_paths=[0.4, 0.15])
SAME_D2 = BASE | dict(depth=2, width=2, time=30, init_paths=[0.4, 0.05])


def _run(dataset, spec):
    params = ensemble_params(spec)
    return simulate(*dataset, params), params


def test_of_two_opposite_d1_paths_the_wrong_sign_one_dies(dataset, moments):
    # Seed 5, n = 200 runs. Every run must end with a path below 1e-6: the SGF guarantees it
    # (|v_1 v_2| falls at least like exp(-8 T Delta t / alpha1), 37 e-folds by t = 60 against
    # the 25 the cutoff needs).
    record = memory.opposite_signs_one_dies(*_run(dataset, OPPOSITE_D1), moments, cutoff=1e-6)
    assert record["passed"], record
    d = record["details"]
    assert d["survivors"] == 0 and d["wrong_sign_path_died"] == 1.0
    # The identity behind it, d log|v_1 v_2| = -8 T g(v) dt, per run: the mean ratio is 1 up to
    # the Euler-Maruyama bias (about 1.3 % at dt = 0.005); its standard error is 0.002.
    assert abs(d["identity_log_v1v2_over_minus_8T_int_g_mean"] - 1) < 0.05
    # Its mean rate is the stationary 8 T E[g] of the surviving path (transient included).
    assert d["measured_rate_log_v1v2"] == pytest.approx(
        d["stationary_rate_log_v1v2_minus_8T_E_g"], rel=0.1
    )


def test_same_sign_d1_paths_both_survive(dataset, moments):
    # Negative control: the same check on same-sign paths, whose product does not shrink.
    spec = OPPOSITE_D1 | dict(init_paths=[0.5, 0.1])
    record = memory.opposite_signs_one_dies(*_run(dataset, spec), moments, cutoff=1e-6)
    assert not record["passed"]
    assert record["value"] > 0.95 and record["details"]["survivors"] > 190


def test_of_two_opposite_d2_paths_one_dies_algebraically(dataset, moments):
    # D = 2: 1/a_1 + 1/a_2 only grows, at least like sqrt(2.5 t); the losing path falls like
    # (c t)^-3 with c = 4 T E[g(v) v^(1/3)] of the survivor, which the median matches to 50 %.
    record = memory.opposite_signs_one_dies(*_run(dataset, OPPOSITE_D2), moments, cutoff=1e-3)
    assert record["passed"], record
    d = record["details"]
    assert d["smaller_v_median"] == pytest.approx(d["typical_smaller_v_predicted"], rel=0.5)


def test_d1_path_ratio_is_conserved_to_rounding(dataset):
    record = memory.ratio_conserved(*_run(dataset, SAME_D1))
    assert record["passed"], record
    assert record["value"] < 2000 * EPS  # random-walk rounding, ~eps sqrt(12000 steps)
    assert record["details"]["log_ratio_start"] == pytest.approx(np.log(0.4 / 0.15))


@pytest.mark.parametrize(
    "spec",
    [SAME_D2 | dict(time=60, init_paths=[0.4, 0.15]), SAME_D1 | dict(init_paths=[0.4, -0.15])],
)
def test_ratio_changes_for_d2_paths_or_opposite_signs(dataset, spec):
    # Negative controls: D = 2 paths equalise, opposite D = 1 paths lose one member.
    record = memory.ratio_conserved(*_run(dataset, spec))
    assert not record["passed"] and record["value"] > 0.5


def test_d2_paths_of_the_same_sign_equalise(dataset, moments):
    # n = 200: the median of |log(v_1/v_2)| falls from log 8 to about 0.5 % of it by t = 30
    # (stationary rate 0.19 per unit time), far below the stated fraction 0.1.
    record = memory.paths_equalise(*_run(dataset, SAME_D2), moments, fraction=0.1)
    assert record["passed"], record
    assert record["value"] < 0.03
    d = record["details"]
    assert d["measured_log_contraction_of_b1_minus_b2_median"] == pytest.approx(
        d["stationary_log_contraction_rate_x_time"], rel=0.3
    )


def test_d1_paths_do_not_equalise(dataset, moments):
    record = memory.paths_equalise(*_run(dataset, SAME_D2 | dict(depth=1)), moments)
    assert not record["passed"]
    assert record["value"] == pytest.approx(1.0, abs=1e-9)


def test_init_paths_gives_balanced_paths_with_those_values():
    p = ensemble_params(SAME_D2 | dict(init_paths=[0.125, -8.0]))
    np.testing.assert_allclose(p.path_factors, [[0.5, 0.5, 0.5], [-2.0, 2.0, 2.0]])


@pytest.fixture(scope="module")
def config():
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    config["experiments"]["memory"] = dict(OPPOSITE_D1)
    return config


def test_init_paths_is_a_valid_experiment_key(config):
    validate(copy.deepcopy(config), str(ROOT / "workflow/schemas/config.schema.yaml"))
    check_config(config)


@pytest.mark.parametrize(
    "edit, message",
    [
        (dict(init_v=0.5), r"experiments\.memory: give exactly one of init_v, init_layers"),
        (dict(init_paths=[0.5, -0.1, 0.2]), r"experiments\.memory\.init_paths needs width = 2"),
    ],
)
def test_bad_init_paths_are_named(config, edit, message):
    bad = copy.deepcopy(config)
    bad["experiments"]["memory"].update(edit)
    with pytest.raises(ConfigError, match=message):
        check_config(bad)


def test_schema_rejects_two_starts(config):
    bad = copy.deepcopy(config)
    bad["experiments"]["memory"]["init_layers"] = [1.0, 1.0]
    with pytest.raises(WorkflowError, match="init_layers|init_paths"):
        validate(bad, str(ROOT / "workflow/schemas/config.schema.yaml"))
