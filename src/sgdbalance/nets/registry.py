"""Networks beyond the diagonal linear one (ReLU, tanh, deep tanh MLPs): one ``networks`` entry
of the config -> its parameter object -> its training statistics.

Each kind has its own module with a frozen parameter class and a training function returning
numeric arrays; this table is the one place that joins a config ``kind`` to them.
"""

from collections.abc import Callable

from . import digits, mlp, mlp_params, relu, tanh

KINDS = {
    "relu": relu.ReluParams,  # Fig. 2: noise balance in a ReLU net
    "tanh_signs": tanh.TanhSignParams,  # Fig. 3 right: tanh models and the wrong sign
    "tanh_stability": tanh.TanhStabilityParams,  # Fig. 5 middle: loss against eta
    "scaling": mlp_params.ScalingParams,  # Fig. 5 right: deep tanh nets with eta ~ 1/D
}
NOT_PARAMS = ("kind", "data_path", "jobs")  # config keys that are not fields of the parameters
# Kinds whose runs never interact, so that a share of them can train in a job of its own;
# their module's merge joins the shares (relu trains its runs from one shared stream).
SPLIT_KINDS = {"tanh_signs": tanh.merge, "tanh_stability": tanh.merge, "scaling": mlp.merge}


def network_params(spec: dict):
    """The parameter object of one ``networks`` entry; lists become tuples.

    Parameters
    ----------
    spec : dict
        A ``networks`` entry of the config: ``kind`` (a key of ``KINDS``: ``relu``,
        ``tanh_signs``, ``tanh_stability``, ``scaling``) and the fields of that kind's
        parameters (``hist: {lo, hi, bins}`` for a histogram grid).

    Returns
    -------
    ReluParams, TanhSignParams, TanhStabilityParams or ScalingParams
    """
    fields = {
        key: tuple(value) if isinstance(value, list) else value
        for key, value in spec.items()
        if key not in NOT_PARAMS
    }
    if "hist" in fields:  # the config's histogram grid, as in experiments
        hist = fields.pop("hist")
        fields |= {"hist_range": (hist["lo"], hist["hi"]), "hist_bins": hist["bins"]}
    return KINDS[spec["kind"]](**fields)


def train(
    spec: dict, progress: Callable[[int, int], None] | None = None, runs: range | None = None
) -> dict:
    """Train one ``networks`` entry, or a share of its runs, and return its statistics.

    Parameters
    ----------
    spec : dict
        A ``networks`` entry of the config (``network_params``); ``data_path`` names MNIST
        IDX files for ``scaling`` with ``source: mnist``.
    progress : callable, optional
        Called as ``progress(done, total)`` in training steps.
    runs : range, optional
        The runs to train, of ``range(n_runs)`` (all by default); a share needs a kind of
        ``SPLIT_KINDS``, and ``merge`` joins the shares.

    Returns
    -------
    dict of ndarray
        What the kind's trainer returns (``relu.train``, ``tanh.train_signs``,
        ``tanh.train_stability``, ``mlp.train_scaling``; shapes in their docstrings).
    """
    params = network_params(spec)
    kind = spec["kind"]
    if runs is not None and kind not in SPLIT_KINDS and runs != range(params.n_runs):
        raise ValueError(f"a {kind} network trains all its runs in one job, got runs {runs}")
    if kind == "relu":
        return relu.train(params, progress)
    if kind == "tanh_signs":
        return tanh.train_signs(params, progress, runs=runs)
    if kind == "tanh_stability":
        return tanh.train_stability(params, progress, runs=runs)
    pixels, labels = digits.load_digits_dataset(params.source, spec.get("data_path"))
    X, Y = digits.standardize(pixels), digits.one_hot(labels)
    return mlp.train_scaling(params, X, Y, progress, runs=runs)


def merge(kind: str, parts: list[dict]) -> dict:
    """Join the statistics of a network's run shares (``train`` with ``runs``), in run order.

    Parameters
    ----------
    kind : str
        The network's kind, a key of ``SPLIT_KINDS``.
    parts : list of dict
        What ``train`` returned for adjacent, disjoint run ranges.

    Returns
    -------
    dict of ndarray
        The same arrays, bit for bit, as ``train`` of all the runs at once.
    """
    return SPLIT_KINDS[kind](parts)
