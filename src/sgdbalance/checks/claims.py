"""The claims registry: from check verdicts to one verdict per claim, and the table an artifact
evaluator reads (``results/claims.md``).

A claim passes when it has checks and every one passed; it fails if any failed; a claim with no
check is listed as not checked, with the reason the registry gives.
"""

PASS, FAIL, NOT_CHECKED = "PASS", "FAIL", "NOT CHECKED"


def claim_record(claim_id: str, spec: dict, checks: dict) -> dict:
    """One claim's record: its registry entry, the records of its checks, and the verdict.

    Parameters
    ----------
    claim_id : str
        The claim's key in ``config/claims.yaml``.
    spec : dict
        Its registry entry (statement, paper reference, figure, ``checks``).
    checks : dict
        Check name -> verdict record, for at least the claim's checks.

    Returns
    -------
    dict
        The entry with ``claim``, ``verdict`` (``PASS``, ``FAIL`` or ``NOT CHECKED``) and
        ``check_records``.
    """
    if spec["checks"]:
        verdict = PASS if all(checks[name]["passed"] for name in spec["checks"]) else FAIL
    else:
        verdict = NOT_CHECKED
    return {
        "claim": claim_id,
        **spec,
        "verdict": verdict,
        "check_records": {name: checks[name] for name in spec["checks"]},
    }


def _cell(text) -> str:
    """Text for a markdown table cell: a bare ``|`` would end the cell."""
    return str(text).replace("|", "\\|")


def markdown_table(records: list[dict]) -> str:
    """``results/claims.md``: claim, statistic, value, tolerance, verdict, figure; one row per
    check, claims in registry order, then the verdicts.

    Parameters
    ----------
    records : list of dict
        Claim records (``claim_record``), in registry order.

    Returns
    -------
    str
        Markdown.
    """
    lines = [
        "# Claims of the paper and their checks",
        "",
        "| claim | paper | check | statistic | value | tolerance | n | verdict | figure |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in records:
        figure = r["figure"] or "-"
        if not r["check_records"]:
            lines.append(
                f"| `{r['claim']}` | {r['paper']} | - | - | - | - | - | {r['verdict']} | {figure} |"
            )
        for name, c in r["check_records"].items():
            verdict = PASS if c["passed"] else FAIL
            lines.append(
                f"| `{r['claim']}` | {r['paper']} | `{name}` | {_cell(c['statistic'])} | "
                f"{c['value']:.4g} | {c['tolerance']:.4g} | {c['n']} | {verdict} | {figure} |"
            )
    lines += ["", "## Statements", ""]
    for r in records:
        lines.append(f"- **`{r['claim']}`** ({r['verdict']}): {r['statement'].strip()}")
        if r.get("not_checked"):
            lines.append(f"  Not covered: {r['not_checked'].strip()}")
    lines += ["", "## Tolerances", ""]
    for r in records:
        for name, c in r["check_records"].items():
            lines.append(f"- `{name}`: {c['tolerance_source']}")
    counts = {v: sum(r["verdict"] == v for r in records) for v in (PASS, FAIL, NOT_CHECKED)}
    lines += [
        "",
        f"{counts[PASS]} claims passed, {counts[FAIL]} failed, {counts[NOT_CHECKED]} not checked.",
    ]
    return "\n".join(lines) + "\n"
