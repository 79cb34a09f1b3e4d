"""The config reference in Markdown, generated from the JSON schema the workflow validates with.

One table row per key: its path (``experiments.<name>.eta``; ``<name>`` stands for a key the
config chooses), type, allowed range or values, default, whether it is required, and its
description. Entries whose keys depend on a ``kind`` (checks, sweeps, networks) get one table
per kind. ``config/README.md`` carries the result between ``<!-- schema:begin -->`` and
``<!-- schema:end -->``, below a hand-written introduction::

    python -m sgdbalance.artifact.schema_doc          # rewrite the block (make config-docs)
    python -m sgdbalance.artifact.schema_doc --check  # exit 1 if it differs from the schema
"""

import argparse
import json
import sys
from pathlib import Path

import yaml

from . import io
from .paper import splice

BLOCK = "schema"  # the marker name: <!-- schema:begin --> ... <!-- schema:end -->
SCHEMA = Path("workflow/schemas/config.schema.yaml")
README = Path("config/README.md")
NAME = "<name>"  # a key the config chooses: a dataset's, an experiment's, a check's name
HEADER = "| key | type | allowed | default | required | description |\n|---|---|---|---|---|---|\n"


def resolve(node: dict, root: dict) -> dict:
    """``node`` with its local ``$ref`` (``#/$defs/...``) replaced by the target, the node's own
    keywords (a ``description``, say) taking precedence over the target's."""
    while "$ref" in node:
        target = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def simple_defs(root: dict) -> dict:
    """The ``$defs`` that are a plain value (no properties): shown once, by name, as a type."""
    return {
        name: node
        for name, node in root.get("$defs", {}).items()
        if node.get("type") != "object" and "properties" not in node and "allOf" not in node
    }


def _value(x) -> str:
    """A number, string or structure as it would be written in the YAML config."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int | float):
        return repr(x)
    if isinstance(x, str):
        return x
    return json.dumps(x, separators=(", ", ": "))


def _cell(text: str) -> str:
    """One table cell: whitespace collapsed, pipes escaped (``|v|`` is common here)."""
    return " ".join(str(text).split()).replace("|", "\\|")


def constraints(node: dict) -> list[str]:
    """The allowed values of one value schema, as short phrases: ``> 0``, ``<= 10``, ..."""
    out = []
    if "enum" in node:
        out.append(", ".join(f"`{_value(v)}`" for v in node["enum"]))
    if "const" in node:
        out.append(f"`{_value(node['const'])}`")
    bounds = [
        f"{sign} {_value(node[key])}"
        for key, sign in (
            ("minimum", ">="),
            ("exclusiveMinimum", ">"),
            ("maximum", "<="),
            ("exclusiveMaximum", "<"),
        )
        if key in node
    ]
    if bounds:
        out.append(", ".join(bounds))
    if "const" in node.get("not", {}):
        out.append(f"!= {_value(node['not']['const'])}")
    if "pattern" in node:
        out.append(f"matches `{node['pattern']}`")
    lo, hi = node.get("minItems"), node.get("maxItems")
    if lo is not None and lo == hi == len(node.get("prefixItems", ())):
        pass  # a tuple: its length is in its type
    elif lo is not None and lo == hi:
        out.append(f"{lo} items")
    else:
        if lo is not None:
            out.append(f"at least {lo} item{'s' if lo != 1 else ''}")
        if hi is not None:
            out.append(f"at most {hi} items")
    if node.get("uniqueItems"):
        out.append("no repeats")
    if "minProperties" in node:
        out.append(
            f"at least {node['minProperties']} entr{'ies' if node['minProperties'] != 1 else 'y'}"
        )
    return out


def type_and_allowed(node: dict, root: dict) -> tuple[str, str]:
    """The type column and the allowed column of one value."""
    ref = node.get("$ref", "").removeprefix("#/$defs/")
    if ref in simple_defs(root):
        return f"*{ref}*", "; ".join(constraints({k: v for k, v in node.items() if k != "$ref"}))
    node = resolve(node, root)
    allowed = constraints(node)
    if "enum" in node or "const" in node:
        values = node.get("enum", [node.get("const")])
        kinds = {type(v).__name__ for v in values}
        kind = "string" if kinds == {"str"} else node.get("type", "value")
        return kind, "; ".join(allowed)
    kind = node.get("type", "value")
    if kind == "array":
        if "prefixItems" in node:  # a tuple such as (T, S): named by its items' descriptions
            items = node["prefixItems"]
            kind = "[" + ", ".join(i.get("description", "?") for i in items) + "]"
            allowed.insert(
                0,
                "; ".join(
                    f"{i.get('description', '?')} {type_and_allowed(i, root)[0]} "
                    + ", ".join(constraints(i))
                    for i in items
                ),
            )
        elif "items" in node:
            item_type, item_allowed = type_and_allowed(node["items"], root)
            kind = f"array of {item_type}"
            if item_allowed:
                allowed.insert(0, f"each {item_allowed}")
    return kind, "; ".join(allowed)


def _row(path: str, node: dict, root: dict, required: bool) -> str:
    kind, allowed = type_and_allowed(node, root)
    resolved = resolve(node, root)
    default = f"`{_value(resolved['default'])}`" if "default" in resolved else ""
    cells = [
        f"`{path}`",
        kind,
        allowed,
        default,
        "yes" if required else "",
        resolved.get("description", ""),
    ]
    return "| " + " | ".join(_cell(c) for c in cells) + " |\n"


def _condition(schema: dict) -> str:
    """An ``if`` of the schema as words: ``kind: relu``, or ``kind`` not given."""
    if "anyOf" in schema:
        return " or ".join(_condition(s) for s in schema["anyOf"])
    if "not" in schema and set(schema["not"]) == {"required"}:
        return " and ".join(f"`{k}` not given" for k in schema["not"]["required"])
    terms = [
        f"`{key}: {_value(sub['const'])}`"
        for key, sub in schema.get("properties", {}).items()
        if "const" in sub
    ]
    return " and ".join(terms) if terms else f"`{json.dumps(schema)}`"


def _discriminators(schema: dict) -> set[str]:
    """The keys an ``if`` tests (``kind``): their rows are in the heading, not the table."""
    if "anyOf" in schema:
        return set().union(*(_discriminators(s) for s in schema["anyOf"]))
    return set(schema.get("properties", {}))


def rows(path: str, node: dict, root: dict, skip=frozenset()) -> tuple[str, str, list]:
    """The rows of ``node``'s keys under ``path``, notes on which keys go together, and the
    variants (``(heading path, condition, schema)``) to be shown in tables of their own."""
    node = resolve(node, root)
    table, notes, variants = "", "", []
    required = set(node.get("required", []))
    for key, sub in node.get("properties", {}).items():
        if key in skip:
            continue
        table += _row(f"{path}.{key}", sub, root, key in required)
        sub_table, sub_notes, sub_variants = _children(f"{path}.{key}", sub, root)
        table, notes, variants = table + sub_table, notes + sub_notes, variants + sub_variants
    one_of = node.get("oneOf", [])
    if one_of and all(set(o) == {"required"} and len(o["required"]) == 1 for o in one_of):
        keys = ", ".join(f"`{o['required'][0]}`" for o in one_of)
        notes += f"- `{path}`: exactly one of {keys}.\n"
    for case in node.get("allOf", []):
        if "if" not in case:
            continue
        then = resolve(case["then"], root)
        condition = _condition(case["if"])
        if "properties" in then:
            variants.append((path, condition, then, _discriminators(case["if"])))
        elif "required" in then:
            keys = ", ".join(f"`{k}`" for k in then["required"])
            notes += f"- `{path}` with {condition}: requires {keys}.\n"
    return table, notes, variants


def _children(path: str, node: dict, root: dict) -> tuple[str, str, list]:
    """Rows below a key: the keys of an object, or of each entry of a map of named entries."""
    node = resolve(node, root)
    if "properties" in node or "allOf" in node or "oneOf" in node:
        return rows(path, node, root)
    entry = node.get("additionalProperties")
    if isinstance(entry, dict):
        return _children(f"{path}.{NAME}", entry, root)
    return "", "", []


def section(key: str, node: dict, root: dict, required: bool) -> str:
    """The Markdown of one top-level key: a heading, its table, notes, one table per variant."""
    resolved = resolve(node, root)
    entry = resolved.get("additionalProperties")
    kind, allowed = type_and_allowed(node, root)
    if isinstance(entry, dict):
        kind = f"map of *name* to {resolve(entry, root).get('type', 'value')}"
    head = f"### `{key}`\n\n"
    if resolved.get("description"):
        text = " ".join(resolved["description"].split())
        head += text[0].upper() + text[1:] + ". "
    facts = [kind] + ([allowed] if allowed else []) + (["required"] if required else [])
    if "default" in resolved:
        facts.append(f"default `{_value(resolved['default'])}`")
    head += "(" + "; ".join(facts) + ")\n\n"
    table, notes, variants = _children(key, node, root)
    out = head
    if table:
        out += HEADER + table + "\n"
    if notes:
        out += notes + "\n"
    for where, condition, schema, skip in variants:
        out += f"#### `{where}` with {condition}\n\n"
        sub_table, sub_notes, deeper = rows(where, schema, root, skip=skip)
        if deeper:
            raise ValueError(f"{where}: variants inside variants are not rendered")
        out += (HEADER + sub_table + "\n" if sub_table else "No further keys.\n\n") + (
            sub_notes + "\n" if sub_notes else ""
        )
    return out


def render(schema: dict) -> str:
    """The Markdown reference of every key of ``schema``."""
    out = ""
    if schema.get("description"):
        out += " ".join(schema["description"].split()) + "\n\n"
    defs = simple_defs(schema)
    if defs:
        out += "Types used below:\n\n"
        for name, node in defs.items():
            kind, allowed = type_and_allowed(node, schema)
            text = f"{kind}, {allowed}" if allowed else kind
            out += f"- *{name}*: {text}.\n"
        out += "\n"
    required = set(schema.get("required", []))
    top = ", ".join(
        f"`{k}`" + (" (required)" if k in required else "") for k in schema.get("properties", {})
    )
    out += f"Top-level keys: {top}.\n\n"
    for key, node in schema.get("properties", {}).items():
        out += section(key, node, schema, key in required)
    return out


def documented(text: str, schema: dict, source: str) -> str:
    """``text`` with its ``schema`` block replaced by the reference of ``schema``."""
    note = (
        f"<!-- Generated from {source} by `make config-docs`: edit the schema, not this "
        "block. -->\n\n"
    )
    return splice(text, BLOCK, note + render(schema))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sgdbalance.artifact.schema_doc", description=__doc__
    )
    parser.add_argument("--schema", type=Path, default=SCHEMA, help=f"default {SCHEMA}")
    parser.add_argument("--readme", type=Path, default=README, help=f"default {README}")
    parser.add_argument("--check", action="store_true", help="exit 1 if README is out of date")
    args = parser.parse_args(argv)
    schema = yaml.safe_load(args.schema.read_text())
    text = args.readme.read_text()
    new = documented(text, schema, args.schema.as_posix())
    if args.check:
        if new != text:
            print(f"{args.readme} is out of date: make config-docs", file=sys.stderr)
            return 1
        return 0
    with io.atomic_open(args.readme, "w") as f:
        f.write(new)
    print(f"{args.readme}: reference of {args.schema} written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
