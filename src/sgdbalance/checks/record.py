"""The verdict record every check returns, and its one-line summary.

A record is a plain dict, written as ``results/checks/<name>.json``:
``claim``, ``statistic`` (what is measured), ``value``, ``tolerance``, ``tolerance_source``,
``n``, ``seed``, ``passed`` and ``details``. Tolerances are fixed by the formulas of the check
modules and the config, before the simulation runs.
"""

import numpy as np

EPS = np.finfo(float).eps


def verdict(claim, statistic, value, tolerance, source, n, seed, passed, **details) -> dict:
    """A check's record: what was measured, against which tolerance (and why), on how many.

    Parameters
    ----------
    claim : str
        The paper's statement the check tests, with its reference (``"Thm 4.2: ..."``).
    statistic : str
        What ``value`` measures.
    value, tolerance : float
        The measured statistic and the largest value (or distance) that passes.
    source : str
        Where the tolerance comes from (``"4 standard errors at n = 4096"``).
    n : int
        Sample size (runs, states, cases).
    seed : int, list or None
        The seed the data came from (recorded only).
    passed : bool
        The verdict.
    **details
        Further numbers, JSON-serialisable.

    Returns
    -------
    dict
        Keys ``claim``, ``statistic``, ``value``, ``tolerance``, ``tolerance_source``,
        ``n``, ``seed``, ``passed``, ``details``; written as ``results/checks/<name>.json``.
    """
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
    """One line per check, failures first: name, verdict, value vs tolerance.

    Parameters
    ----------
    records : dict
        Check name -> its verdict record.

    Returns
    -------
    list of str
    """
    lines = []
    for name, r in sorted(records.items(), key=lambda kv: (kv[1]["passed"], kv[0])):
        verdict = "PASS" if r["passed"] else "FAIL"
        lines.append(
            f"{verdict}  {name}: {r['statistic']} = {r['value']:.4g} "
            f"(tolerance {r['tolerance']:.4g}, n = {r['n']})"
        )
    return lines
