"""config/README.md's reference is what the config schema generates, and the renderer shows
each keyword of the schema the way the workflow reads it."""

import re
from pathlib import Path

import pytest
import yaml

from sgdbalance.artifact import schema_doc

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = yaml.safe_load((ROOT / schema_doc.SCHEMA).read_text())

TINY = {
    "description": "A tiny config.",
    "type": "object",
    "required": ["runs"],
    "$defs": {
        "name": {"type": "string", "pattern": "^[a-z]+$"},
        "run": {
            "type": "object",
            "required": ["eta"],
            "oneOf": [{"required": ["init_v"]}, {"required": ["init_layers"]}],
            "properties": {
                "eta": {"type": "number", "exclusiveMinimum": 0, "maximum": 10,
                        "description": "learning rate, |v| small"},
                "method": {"enum": ["sgd", "gd"], "default": "sgd", "description": "update"},
                "data": {"$ref": "#/$defs/name", "description": "a key of datasets"},
                "init_v": {"type": "number", "not": {"const": 0}, "description": "start"},
                "init_layers": {"type": "array", "items": {"type": "number"}, "minItems": 1,
                                "description": "factors at start"},
                "hist": {"type": "object", "required": ["bins"], "description": "grid",
                         "properties": {"bins": {"type": "integer", "minimum": 1,
                                                 "description": "bins"}}},
            },
        },
        "check": {
            "type": "object",
            "properties": {"kind": {"enum": ["a", "b"], "description": "what is checked"}},
            "allOf": [
                {"if": {"properties": {"kind": {"const": "a"}}},
                 "then": {"required": ["kind", "n"], "properties": {
                     "kind": {}, "n": {"type": "integer", "minimum": 2, "description": "size"}}}},
                {"if": {"properties": {"kind": {"const": "b"}}, "required": ["kind"]},
                 "then": {"required": ["kind", "seed"]}},
            ],
        },
    },
    "properties": {
        "runs": {"type": "object", "description": "runs by name", "minProperties": 1,
                 "additionalProperties": {"$ref": "#/$defs/run"}},
        "checks": {"type": "object", "default": {}, "description": "checks by name",
                   "additionalProperties": {"$ref": "#/$defs/check"}},
        "points": {"type": "array", "description": "(T, S) pairs", "items": {
            "type": "array", "minItems": 2, "maxItems": 2, "prefixItems": [
                {"type": "number", "exclusiveMinimum": 0, "description": "T"},
                {"type": "integer", "minimum": 1, "description": "S"}]}},
    },
}  # fmt: skip


def row(text: str, key: str) -> list[str]:
    """The cells of the table row of ``key``."""
    (line,) = [ln for ln in text.splitlines() if ln.startswith(f"| `{key}` |")]
    return [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]


def test_config_readme_is_what_the_schema_generates():
    readme = (ROOT / schema_doc.README).read_text()
    generated = schema_doc.documented(readme, SCHEMA, schema_doc.SCHEMA.as_posix())
    assert readme == generated, "config/README.md differs from the schema: run make config-docs"


def test_check_mode_fails_on_a_stale_reference(tmp_path, capsys):
    stale = tmp_path / "README.md"
    stale.write_text("intro\n<!-- schema:begin -->\nold\n<!-- schema:end -->\n")
    schema = tmp_path / "schema.yaml"
    schema.write_text(yaml.safe_dump(TINY))
    args = ["--schema", str(schema), "--readme", str(stale)]
    assert schema_doc.main([*args, "--check"]) == 1
    assert schema_doc.main(args) == 0
    assert stale.read_text().startswith("intro\n<!-- schema:begin -->\n")
    assert "| `runs.<name>.eta` |" in stale.read_text()
    assert schema_doc.main([*args, "--check"]) == 0
    capsys.readouterr()


def test_every_key_of_the_schema_has_a_row_with_a_description():
    text = schema_doc.render(SCHEMA)
    rows = [ln for ln in text.splitlines() if ln.startswith("| `")]
    assert len(rows) > 200
    undescribed = [r.split(" | ")[0] for r in rows if r.endswith("|  |")]
    assert undescribed == []
    for key in ("datasets.<name>.sigma", "experiments.<name>.hist.bins", "tables.table1.dataset",
                "figures.fig5_tails.tail_fractions", "measurements.<name>.n_tails"):  # fmt: skip
        assert f"| `{key}` |" in text


def test_ranges_enums_defaults_and_required():
    text = schema_doc.render(TINY)
    assert row(text, "runs.<name>.eta") == [
        "`runs.<name>.eta`", "number", "> 0, <= 10", "", "yes", r"learning rate, \|v\| small"
    ]  # fmt: skip
    assert row(text, "runs.<name>.method")[1:4] == ["string", "`sgd`, `gd`", "`sgd`"]
    assert row(text, "runs.<name>.init_v")[2] == "!= 0"
    assert row(text, "runs.<name>.init_layers")[1:3] == ["array of number", "at least 1 item"]
    assert row(text, "runs.<name>.hist.bins")[2:5] == [">= 1", "", "yes"]
    assert "(T, S) pairs. (array of [T, S]; each T number > 0; S integer >= 1)" in text


def test_named_types_and_one_of_notes():
    text = schema_doc.render(TINY)
    assert "- *name*: string, matches `^[a-z]+$`." in text
    assert row(text, "runs.<name>.data")[1:3] == ["*name*", ""]
    assert "- `runs.<name>`: exactly one of `init_v`, `init_layers`." in text
    assert "Runs by name. (map of *name* to object; at least 1 entry; required)" in text


def test_variants_get_a_table_of_their_own():
    text = schema_doc.render(TINY)
    variant = text.split("#### `checks.<name>` with `kind: a`\n", 1)[1]
    assert row(variant, "checks.<name>.n")[2:5] == [">= 2", "", "yes"]
    assert "| `checks.<name>.kind` |" not in variant  # in the heading, not the table
    assert "- `checks.<name>` with `kind: b`: requires `kind`, `seed`." in text
    assert row(text, "checks.<name>.kind")[2] == "`a`, `b`"


def test_splice_needs_the_markers():
    with pytest.raises(ValueError, match="schema:begin"):
        schema_doc.documented("no markers here", TINY, "schema.yaml")
