import pytest

from sgdbalance.checks import claims
from sgdbalance.config import ConfigError, load_claims


def check(passed, value=0.5):
    return {
        "statistic": "|a - b|",
        "value": value,
        "tolerance": 1.0,
        "tolerance_source": "a formula",
        "n": 10,
        "passed": passed,
    }


SPEC = {"statement": "a claim of the paper", "paper": "Thm 1", "figure": "fig1"}


def test_a_claim_passes_only_when_every_check_passes():
    checks = {"a": check(True), "b": check(False, 2.0)}
    assert claims.claim_record("c", SPEC | {"checks": ["a"]}, checks)["verdict"] == claims.PASS
    both = claims.claim_record("c", SPEC | {"checks": ["a", "b"]}, checks)
    assert both["verdict"] == claims.FAIL
    assert set(both["check_records"]) == {"a", "b"}
    none = claims.claim_record("c", SPEC | {"checks": [], "not_checked": "why"}, checks)
    assert none["verdict"] == claims.NOT_CHECKED


def test_markdown_table_has_a_row_per_check_and_escapes_bars():
    checks = {"a": check(True), "b": check(False, 2.0)}
    records = [
        claims.claim_record("one", SPEC | {"checks": ["a", "b"]}, checks),
        claims.claim_record("two", SPEC | {"checks": [], "not_checked": "no engine"}, checks),
    ]
    text = claims.markdown_table(records)
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) == 3
    assert all(row.count(" | ") == 8 for row in rows)  # nine cells: bars in text are escaped
    assert "\\|a - b\\|" in rows[0]
    assert "1 claims passed" not in text and "0 claims passed, 1 failed, 1 not checked." in text
    assert "Not covered: no engine" in text


def test_registry_naming_an_unknown_check_is_an_error(tmp_path):
    path = tmp_path / "claims.yaml"
    path.write_text("claims:\n  c: {statement: s, paper: p, figure: null, checks: [missing]}\n")
    with pytest.raises(ConfigError, match="claims.c.checks names 'missing'"):
        load_claims(path, {"checks": {"present": {}}})
