"""Theory of the SGF, in the paper's conventions: closed forms and stationary densities.

Owns the moments of a training set (``moments``), the stationary density of Thm 4.2 for any
depth and width (``density``), the D = 1 regimes and mode (``phase``), Table 1 (``table``),
Var[v] against T (``fluctuation``), the depth/width scaling limit (``scaling``), an independent
finite-volume Fokker-Planck solution (``fokker_planck``) and Hill tail indices (``tails``).

Imports nothing of ``sgdbalance`` outside this folder: every other stage builds on it.
"""

from .._exports import lazy_exports

_NAMES = {
    "Moments": "moments",
    "NotNormalisable": "density",
    "StationaryDensity": "distribution",
    "critical_temperature": "density",
    "stationary_density": "density",
    "linear_regression_density": "density",
    "tail_exponent": "density",
    "why_not_normalisable": "density",
    "modes": "phase",
    "regime": "phase",
    "t_star": "phase",
    "variance_curve": "fluctuation",
    "limit_density": "scaling",
    "stationary_fp": "fokker_planck",
    "hill_bootstrap": "tails",
    "theory_hill": "tails",
    "bin_probability": "tails",
    "bin_density": "tails",
    "power_law_slope": "tails",
    "table1": "table",
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _NAMES)
