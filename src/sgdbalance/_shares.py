"""Results of a job's share of the runs, joined into the result of all the runs at once.

Ensembles and networks split their runs into jobs (config key ``jobs``); each share records its
``first_run``, and its per-run arrays hold its runs along one axis. Joining them in run order,
and adding up what is summed over runs (histogram counts), gives the bits of one job.
"""

import numpy as np


def join_shares(parts: list[dict], per_run, axis: int, summed=()) -> dict:
    """Join results of disjoint, adjacent run ranges, given in any order.

    Parameters
    ----------
    parts : list of dict of ndarray
        One result per share, each with ``first_run``.
    per_run : sequence of str
        Keys whose ``axis`` runs over the runs: concatenated in run order (where present).
    axis : int
        The run axis of those arrays.
    summed : sequence of str
        Keys summed over runs: added up (where present).

    Returns
    -------
    dict of ndarray
        The first share's other entries, and the joined ones.
    """
    parts = sorted(parts, key=lambda part: int(part["first_run"]))
    out = dict(parts[0])
    for key in per_run:
        if key in out:
            out[key] = np.concatenate([part[key] for part in parts], axis=axis)
    for key in summed:
        if key in out:
            out[key] = np.sum([part[key] for part in parts], axis=0)
    return out
