"""Discrete SGD beyond the SGF (PAPER.md section 4): results that hold at finite eta and S.

Owns expectations over minibatches (``batches``), where D = 1 SGD collapses (``collapse``),
Kesten's tail index of D = 0 SGD (``kesten``), the finite-step gap to the SGF and the exact
discrete variance of linear regression (``finite_step``), heavy-ball momentum's effective
temperature, exact D = 0 variance and D = 1 law of balance (``momentum``), what Adam and
RMSProp do to the imbalance (``adaptive``), and the simulated sweeps behind them (``sweeps``).

Imports ``theory`` and ``simulate``; never ``checks``, ``artifact`` or ``figures``.
"""

from .._exports import lazy_exports

_NAMES = {
    "MC_BATCHES": "batches",
    "BatchMeans": "batches",
    "batch_means": "batches",
    "mean_and_se": "batches",
    "sign_changes": "batches",
    "positive_root": "batches",
    "lyapunov_exponents": "collapse",
    "top_exponent": "collapse",
    "collapse_thresholds": "collapse",
    "population_collapse_thresholds": "collapse",
    "threshold_report": "collapse",
    "kesten_index": "kesten",
    "population_kesten_index": "kesten",
    "hill_bias": "kesten",
    "discrete_variance": "finite_step",
    "finite_step_gap": "finite_step",
    "sweep_params": "sweeps_params",
    "effective_temperature": "momentum",
    "second_moment_map": "momentum",
    "momentum_covariance": "momentum",
    "momentum_variance": "momentum",
    "sgf_variance": "momentum",
    "variance_gap": "momentum",
    "imbalance_step": "momentum",
    "balance_excess": "momentum",
    "OPTIMISERS": "adaptive",
    "AdaptiveParams": "adaptive",
    "adaptive_ensemble": "adaptive",
    "balance_summary": "adaptive",
    "adam_variance": "adaptive",
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _NAMES)
