"""The verdict record every check returns, and its one-line summary.

A record is a plain dict, written as ``results/checks/<name>.json``:
``claim``, ``statistic`` (what is measured), ``value``, ``tolerance``, ``tolerance_source``,
``n``, ``seed``, ``passed`` and ``details``. Tolerances are fixed by the formulas of the check
modules and the config, before the simulation runs.
"""

import numpy as np

EPS = np.finfo(float).eps


def verdict(claim, statistic, value, tolerance, source, n, seed, passed, **details) -> dict:
    """A check's record: what was measured, against which tolerance (and why), on how many."""
    return {
        "claim": claim,
        "statistic": statistic,
        "value": float(value),
        "tolerance": float(tolerance),
        "tolerance_source": source,
        "n": int(n),
        "seed": seed,
        "passed": bool(passed),
        "details": details,
    }


def summary_lines(records: dict) -> list[str]:
    """One line per check, failures first: name, verdict, value vs tolerance."""
    lines = []
    for name, r in sorted(records.items(), key=lambda kv: (kv[1]["passed"], kv[0])):
        verdict = "PASS" if r["passed"] else "FAIL"
        lines.append(
            f"{verdict}  {name}: {r['statistic']} = {r['value']:.4g} "
            f"(tolerance {r['tolerance']:.4g}, n = {r['n']})"
        )
    return lines
