import copy
import re
from pathlib import Path

import pytest
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate
from workflow_runner import snakemake

from sgdbalance.config import (
    ConfigError,
    check_config,
    ensemble_params,
    load_config,
    merge,
)
from sgdbalance.config.validate import INTEGER_KEYS

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = str(ROOT / "workflow/schemas/config.schema.yaml")


@pytest.fixture(scope="module", params=[(), ("quick.yaml",)], ids=["config.yaml", "quick.yaml"])
def config(request):
    overlays = [ROOT / "config" / name for name in request.param]
    return load_config(ROOT / "config" / "config.yaml", *overlays)


def _validate(config):
    validate(copy.deepcopy(config), SCHEMA)
    check_config(config)


def test_shipped_configs_are_valid(config):
    _validate(config)
    for name, spec in config["experiments"].items():
        assert ensemble_params(spec).n_runs == spec["n_runs"], name


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda c: c["experiments"]["balance_sgd"].update(eta="fast"), "eta"),
        (lambda c: c["experiments"]["balance_sgd"].update(eta=-0.1), "eta"),
        (lambda c: c["experiments"]["balance_sgd"].update(depth=-1), "depth"),
        (lambda c: c["experiments"]["balance_sgd"].update(learning_rate=0.1), "learning_rate"),
        (lambda c: c["experiments"]["balance_sgd"].pop("seed"), "seed"),
        (lambda c: c["datasets"]["example"].update(sigma=-1), "sigma"),
    ],
)
def test_schema_names_the_bad_key(config, edit, message):
    bad = copy.deepcopy(config)
    edit(bad)
    with pytest.raises(WorkflowError, match=message):
        validate(bad, SCHEMA)


def test_impossible_learning_rate_names_the_limit(config):
    bad = copy.deepcopy(config)
    bad["experiments"]["balance_sgd"]["eta"] = 5.0
    with pytest.raises(
        ConfigError, match=r"experiments\.balance_sgd\.eta = 5.0 is impossible.*< 1"
    ):
        _validate(bad)


def test_density_check_needs_a_normalisable_density(config):
    bad = copy.deepcopy(config)
    bad["experiments"]["sgf_T05_D1"]["eta"] = 0.7  # T = 0.7 > T_c = 2/3
    with pytest.raises(ConfigError, match=r"checks\.density_T05_D1.*T_c"):
        _validate(bad)


def test_unknown_dataset_is_named(config):
    bad = copy.deepcopy(config)
    bad["experiments"]["balance_sgd"]["dataset"] = "mnist"
    with pytest.raises(ConfigError, match=r"experiments\.balance_sgd\.dataset = 'mnist'"):
        _validate(bad)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda c: c["sweeps"]["kesten_S1"].update(burn_in=10**5), r"sweeps\.kesten_S1.*burn_in"),
        (lambda c: c["sweeps"]["drift_k02_S1"].update(dataset="mnist"), r"sweeps\.drift_k02_S1"),
        (
            lambda c: c["checks"]["kesten_tails_S1"].update(sweep="drift_k02_S1"),
            r"checks\.kesten_tails_S1\.sweep = 'drift_k02_S1' must name a kesten_tails sweep",
        ),
        (
            lambda c: c["checks"]["kesten_tails_S1"].update(n_tail=10**6),
            r"checks\.kesten_tails_S1\.n_tail must be < the sweep's keep",
        ),
        (lambda c: c["figures"]["fig_kesten"].update(dataset="mnist"), r"fig_kesten\.dataset"),
    ],
)
def test_sweep_errors_name_the_key(config, edit, message):
    bad = copy.deepcopy(config)
    edit(bad)
    with pytest.raises(ConfigError, match=message):
        _validate(bad)


def test_sweep_schema_rejects_a_fractional_batch(config):
    bad = copy.deepcopy(config)
    bad["sweeps"]["kesten_S4"]["points"][0][1] = 2.5
    with pytest.raises(WorkflowError, match="points"):
        validate(bad, SCHEMA)


def _key_paths(mapping: dict, prefix=()):
    for key, value in mapping.items():
        yield (*prefix, key)
        if isinstance(value, dict):
            yield from _key_paths(value, (*prefix, key))


def test_every_key_of_the_quick_overlay_exists_in_the_base():
    base = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    overlay = yaml.safe_load((ROOT / "config/quick.yaml").read_text())
    missing = []
    for path in _key_paths(overlay):
        node = base
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            missing.append(".".join(path))
    assert not missing, f"keys of quick.yaml not in config.yaml: {missing}"


def test_overlay_merges_mappings_and_replaces_other_values():
    base = {"a": {"x": 1, "y": [1, 2]}, "b": 2}
    merged = merge(base, {"a": {"y": [3]}, "c": 4})
    assert merged == {"a": {"x": 1, "y": [3]}, "b": 2, "c": 4}
    assert base == {"a": {"x": 1, "y": [1, 2]}, "b": 2}  # the base is not changed


def test_quick_overlay_shrinks_ensembles_but_keeps_experiments_and_checks():
    base = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    quick = load_config(ROOT / "config/config.yaml", ROOT / "config/quick.yaml")
    for section in ("datasets", "experiments", "checks", "figures", "sweeps", "networks"):
        assert list(quick[section]) == list(base[section]), section
    assert quick["experiments"]["tail_D0"]["n_runs"] < base["experiments"]["tail_D0"]["n_runs"]


@pytest.mark.parametrize(
    "edit, message",
    [
        # YAML reads .nan and .inf, and every schema range lets nan through.
        (lambda c: c["datasets"]["example"].update(sigma=float("nan")),
         r"datasets\.example\.sigma = nan is not a finite number"),
        (lambda c: c["experiments"]["balance_sgd"].update(time=float("inf")),
         r"experiments\.balance_sgd\.time = inf is not a finite number"),
        (lambda c: c["datasets"]["example"].update(k=1e300),
         r"datasets\.example: k = 1e\+300, sigma = 0.5 give no usable moments"),
        (lambda c: c["experiments"]["balance_sgd"].update(eta=5e-324),
         r"experiments\.balance_sgd\.eta = 5e-324 makes time / eta = inf steps"),
        (lambda c: c["experiments"]["sgd_T005_D0"]["hist"].update(lo=2.0),
         r"experiments\.sgd_T005_D0\.hist\.lo = 2.0 must be < hist\.hi = 1.25"),
    ],
)  # fmt: skip
def test_non_finite_and_overflowing_values_are_named(config, edit, message):
    bad = copy.deepcopy(config)
    edit(bad)
    with pytest.raises(ConfigError, match=message):
        _validate(bad)


def test_integer_keys_are_those_the_schema_types_as_integers():
    schema = yaml.safe_load(Path(SCHEMA).read_text())
    types = {}

    def walk(node):
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                types.setdefault(name, set()).add(str(sub.get("type")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    integers = {name for name, kinds in types.items() if kinds == {"integer"}}
    assert integers == INTEGER_KEYS


def test_a_count_written_as_a_float_is_named(config):
    bad = copy.deepcopy(config)
    bad["experiments"]["balance_sgd"]["depth"] = 1.0  # the schema's integer type accepts it
    validate(copy.deepcopy(bad), SCHEMA)
    with pytest.raises(ConfigError, match=r"experiments\.balance_sgd\.depth = 1.0 must be an int"):
        check_config(bad)


@pytest.mark.parametrize(
    ("section", "name", "key", "value", "message"),
    [
        ("splitting", "split_D1", "experiment", "balance_gd", r"must name an sgf experiment"),
        ("splitting", "split_D1", "time", 1e-6, r"split_D1\.time = 1e-06 is 0\.0002 steps"),
        ("splitting", "split_D1", "factor", 1.0, r"split_D1: factor must be > 1, got 1\.0"),
        ("checks", "splitting_plain_D0", "experiment", "tail_D2", r"must be the experiment of"),
        (
            "checks",
            "splitting_plain_D1",
            "plain",
            "split_D1",
            r"must be a splitting entry with count",
        ),
        (
            "checks",
            "splitting_plain_D1",
            "plain",
            "plain_D2",
            r"must be a splitting entry with count",
        ),
        ("checks", "tail_slope_D1", "splitting", "nowhere", r"is not among splitting"),
        ("checks", "tail_level_D1", "splitting", "plain_D1", r"has no levels \(count 0\)"),
        ("splitting", "plain_D1", "seed", 112, r"must bin \|v\| on the grid of 'split_D1' and"),
    ],
)
def test_splitting_entries_and_their_checks_are_named(config, section, name, key, value, message):
    bad = copy.deepcopy(config)
    bad[section][name][key] = value
    with pytest.raises(ConfigError, match=message):
        check_config(bad)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda c: c["networks"]["scaling_digits"].update(jobs=10**3),
         r"networks\.scaling_digits\.jobs = 1000 must be in \[1, n_runs = \d+\]"),
        (lambda c: c["networks"]["relu_sgd"].update(jobs=2), "jobs"),  # its runs share a stream
        (lambda c: c["experiments"]["balance_gd"].update(jobs=10**4),
         r"experiments\.balance_gd\.jobs = 10000 must be in \[1, n_runs = \d+\]"),
    ],
)  # fmt: skip
def test_jobs_are_checked(config, edit, message):
    bad = copy.deepcopy(config)
    edit(bad)
    with pytest.raises((ConfigError, WorkflowError), match=message):
        _validate(bad)


def test_workflow_reads_the_claims_file_the_config_names(tmp_path):
    """claims_file, which common.smk reads, passes the schema and chooses the registry: a
    registry of one claim gives one claim job (config/claims.yaml has more)."""
    registry = yaml.safe_load((ROOT / "config" / "claims.yaml").read_text())
    first = next(iter(registry["claims"]))
    registry["claims"] = {first: registry["claims"][first]}
    claims_file = tmp_path / "one_claim.yaml"
    claims_file.write_text(yaml.safe_dump(registry))
    config = load_config(ROOT / "config" / "config.yaml") | {"claims_file": str(claims_file)}
    validate(copy.deepcopy(config), SCHEMA)

    result = snakemake("-n", "--quiet", "rules", "--config", f"claims_file={claims_file}",
                       "--", "results/claims.md", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    counts = dict(re.findall(r"^(\w+)\s+(\d+)$", result.stdout + result.stderr, re.MULTILINE))
    assert counts["claim"] == "1"  # the default registry would give one job per claim


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda c: c["experiments"]["balance_sgd"].update(momentum=1.0), "momentum"),
        (lambda c: c["experiments"]["balance_sgd"].update(momentum=-0.1), "momentum"),
    ],
)
def test_schema_refuses_momentum_outside_0_1(config, edit, message):
    bad = copy.deepcopy(config)
    edit(bad)
    with pytest.raises(WorkflowError, match=message):
        validate(bad, SCHEMA)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda c: c["experiments"]["balance_sgf"].update(momentum=0.5),
         r"experiments\.balance_sgf: momentum applies to methods \('sgd', 'gd'\) only"),
        (lambda c: c["checks"]["momentum_balance_b09"].update(experiment="balance_sgd"),
         r"checks\.momentum_balance_b09: the experiment must have depth 1 and momentum in"),
        (lambda c: c["checks"]["momentum_gap_D1"]["experiments"].reverse(),
         r"checks\.momentum_gap_D1: the first experiment needs momentum 0"),
        (lambda c: c["experiments"]["momentum_gap_D1_b05"].update(eta=0.2),
         r"checks\.momentum_gap_D1: the experiments need one depth, one S and one T_eff"),
        (lambda c: c["checks"]["adam_variance"].update(adaptive="sgd_balance_eta005"),
         r"checks\.adam_variance\.adaptive = 'sgd_balance_eta005' is not an adam or rmsprop"),
        (lambda c: c["adaptive"]["adam_balance"].update(dataset="nowhere"),
         r"adaptive\.adam_balance\.dataset = 'nowhere' is not among datasets"),
    ],
)  # fmt: skip
def test_momentum_and_adaptive_errors_name_the_key(config, edit, message):
    bad = copy.deepcopy(config)
    edit(bad)
    with pytest.raises(ConfigError, match=message):
        check_config(bad)
