"""The parameters of the three kinds of sweep (``sweeps.py`` runs them), and ``sweep_params``,
which builds them from a config entry.

Apart from ``sweeps.py``, as ``nets`` keeps ``tanh_params.py`` beside ``tanh.py``, so that
reading a config (``sgdbalance.config``: every Snakemake invocation validates one) does not
import the engine, numba and scipy that running a sweep needs. Not named ``sweep_params.py``:
importing that module would make ``discrete.sweep_params`` the module, not the function.
"""

from dataclasses import dataclass

import numpy as np

from ..simulate.data import DatasetParams, make_dataset


@dataclass(frozen=True)
class CollapseDriftParams:
    """D = 1, width 1, SGD with batch S at several T from ``v0`` (u = 2w, slightly unbalanced
    so that both amplitudes are present)."""

    temperatures: tuple
    batch: int
    n_runs: int
    steps: int
    seed: int
    v0: float = 1e-150  # so small that log|v| wanders ~ +-100 without leaving the linear regime

    def __post_init__(self):
        if not all(t > 0 for t in self.temperatures):
            raise ValueError(f"temperatures must be > 0, got {self.temperatures!r}")
        if self.batch < 1 or self.n_runs < 2 or self.steps < 2:
            raise ValueError("need batch >= 1, n_runs >= 2, steps >= 2")
        if not 0 < self.v0 < 1e-50:
            raise ValueError(f"v0 must be in (0, 1e-50) to stay linear, got {self.v0!r}")


@dataclass(frozen=True)
class KestenTailsParams:
    """D = 0 SGD at several ``(T, S)``; v at the log-spaced checkpoints after ``burn_in``
    steps are the stationary samples, of which the ``keep`` largest ``|v|`` are kept."""

    points: tuple  # ((T, S), ...)
    n_runs: int
    steps: int
    burn_in: int
    seed: int
    keep: int = 5000
    n_checkpoints: int = 400  # log-spaced: about 55 samples per run after burn_in = steps / 3
    init_v: float = 0.5

    def __post_init__(self):
        for point in self.points:
            if len(point) != 2 or not point[0] > 0 or int(point[1]) != point[1] or point[1] < 1:
                raise ValueError(f"points must be (T > 0, integer S >= 1) pairs, got {point!r}")
        if not 0 <= self.burn_in < self.steps:
            raise ValueError(f"need 0 <= burn_in < steps, got {self.burn_in!r}, {self.steps!r}")
        if self.keep < 2 or self.n_runs < 2:
            raise ValueError("need keep >= 2 and n_runs >= 2")


@dataclass(frozen=True)
class DivergenceMapParams:
    """Teacher slopes ``ks`` at fixed ``sigma`` (one draw of x and eps shared by every k, so
    that curves are smooth in k), temperatures and batch sizes; D = 1 SGD from the balanced
    minimum for ``steps`` steps."""

    ks: tuple
    temperatures: tuple
    batches: tuple
    sigma: float
    n: int
    data_seed: int
    n_runs: int
    steps: int
    seed: int
    theory_draws: int = 2**18  # Monte Carlo batches for the thresholds at S > 1

    def __post_init__(self):
        if not (all(k > 0 for k in self.ks) and all(t > 0 for t in self.temperatures)):
            raise ValueError("ks and temperatures must be > 0")
        if not all(int(s) == s and s >= 1 for s in self.batches):
            raise ValueError(f"batches must be integers >= 1, got {self.batches!r}")
        if self.sigma < 0 or self.n < 2 or self.n_runs < 1 or self.steps < 1:
            raise ValueError("need sigma >= 0, n >= 2, n_runs >= 1, steps >= 1")

    def training_set(self, k: float) -> tuple:
        """The training set at slope k: the same x and eps for every k (``data_seed``)."""
        params = DatasetParams(n=self.n, k=k, sigma=self.sigma, seed=self.data_seed)
        return make_dataset(params, np.random.default_rng(np.random.SeedSequence(self.data_seed)))


KINDS = {
    "collapse_drift": CollapseDriftParams,
    "kesten_tails": KestenTailsParams,
    "divergence_map": DivergenceMapParams,
}


def sweep_params(spec: dict):
    """The parameter object of one ``sweeps`` entry of the config; lists become tuples.

    Parameters
    ----------
    spec : dict
        A ``sweeps`` entry: ``kind`` (``collapse_drift``, ``kesten_tails`` or
        ``divergence_map``), ``dataset`` (ignored here) and the fields of that kind's
        parameters.

    Returns
    -------
    CollapseDriftParams, KestenTailsParams or DivergenceMapParams
    """

    def frozen(value):
        return tuple(frozen(v) for v in value) if isinstance(value, list) else value

    fields = {key: frozen(value) for key, value in spec.items() if key not in ("kind", "dataset")}
    return KINDS[spec["kind"]](**fields)
