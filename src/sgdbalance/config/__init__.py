"""The config: overlays merged onto the base, validation beyond the schema, parameter objects.

``load`` reads config files (the base with overlays, and the claims registry), ``validate``
(with ``validate_runs`` and ``validate_reads``) holds one validator per config section,
``params`` turns entries into the parameter objects of ``simulate``, ``discrete`` and ``nets``,
and ``resources`` says what each compute job asks a cluster for.

Imports ``theory``, ``simulate``, ``discrete`` and ``nets``.
"""

from .._exports import lazy_exports

_NAMES = {
    "CHECKS_WITH_THEORY": "params",
    "ConfigError": "params",
    "dataset_params": "params",
    "ensemble_params": "params",
    "figure_entries": "params",
    "gd_stability_limit": "params",
    "part_runs": "params",
    "population_moments": "params",
    "splitting_params": "params",
    "expected_seconds": "resources",
    "job_resources": "resources",
    "splitting_threads": "resources",
    "check_config": "validate",
    "load_claims": "load",
    "load_config": "load",
    "merge": "load",
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _NAMES)
