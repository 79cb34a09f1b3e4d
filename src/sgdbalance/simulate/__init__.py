"""Simulation: training sets, and ensembles of SGD, GD, GD + isotropic noise and the SGF.

Owns the data rule's training sets (``data``), the ensemble engine (``ensemble``) with its
compiled update (``kernels``, whose numba cache ``kernel_cache`` ties to all of its
sources) and each run's counter-based random stream (``rng``), and the
same update in plain Python (``reference``), the specification the kernels are tested against;
and RESTART splitting on levels of ``|v|`` for stationary tails far beyond plain simulation
(``splitting``), on the kernels' own SGF step, its replicates shared among threads by
``threads``.

Imports ``theory`` only (for the moments of a training set).
"""

from .._exports import lazy_exports

_NAMES = {
    "DatasetParams": "data",
    "make_dataset": "data",
    "EnsembleParams": "params",
    "simulate": "ensemble",
    "merge": "ensemble",
    "balanced_init": "params",
    "balanced_paths": "params",
    "run_keys": "rng",
    "trajectory": "reference",
    "SplittingParams": "params",
    "tail_splitting": "splitting",
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _NAMES)
