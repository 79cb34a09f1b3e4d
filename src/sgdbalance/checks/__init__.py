"""Theorem checks, one module per claim family, and the claims registry.

Each check returns a verdict record (``record.verdict``): statistic, value, tolerance and its
source, sample size, seed and verdict. ``balance`` (Thm 1 and its discrete forms),
``stationary`` (density and mode), ``phase`` (collapse above T_c), ``memory`` (Thm 4.1),
``tails``, ``fluctuation``, ``scaling``, ``fokker_planck`` (an independent solution),
``finite_step``, ``discrete`` and ``momentum`` (beyond the SGF); ``claims`` turns check
verdicts into claim verdicts and ``results/claims.md``.

Imports ``theory``, ``simulate``, ``discrete`` and ``nets``; never ``artifact`` or ``figures``.
"""

from .._exports import lazy_exports

_NAMES = {
    "verdict": "record",
    "summary_lines": "record",
    "sgf_balance": "balance",
    "gd_conservation": "balance",
    "discrete_identity": "balance",
    "relu_identity": "balance",
    "relu_noise_balance": "balance",
    "density": "stationary",
    "mode": "stationary",
    "collapse_rate": "phase",
    "tail_index": "tails",
    "tail_slope": "tails",
    "tail_level": "tails",
    "splitting_against_plain": "tails",
    "opposite_signs_one_dies": "memory",
    "ratio_conserved": "memory",
    "paths_equalise": "memory",
    "fluctuation_inversion_check": "fluctuation",
    "simulated_variance_check": "fluctuation",
    "scaling_check": "scaling",
    "scaling_simulation_check": "scaling",
    "fokker_planck_check": "fokker_planck",
    "finite_step_series": "finite_step",
    "collapse_check": "discrete",
    "kesten_check": "discrete",
    "momentum_balance": "momentum",
    "momentum_variance_check": "momentum",
    "momentum_gap_series": "momentum",
    "adaptive_variance": "momentum",
    "claim_record": "claims",
    "markdown_table": "claims",
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _NAMES)
