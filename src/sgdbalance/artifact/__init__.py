"""The artifact around the numerics: files, provenance and numbers for a write-up.

Owns every read and atomic write of a result file (``io``), the manifest of ``results/`` with
its verification, archive and restore (``provenance``), TeX macros and the runtime table
(``paper``), the article's inputs and its compilation by Typst (``article``), and
``config/README.md`` generated from the config schema (``schema_doc``).

Imports ``theory`` only (``io`` stores stationary densities).
"""

from .._exports import lazy_exports

_NAMES = {
    "atomic_open": "io",
    "load_dataset": "io",
    "load_json": "io",
    "load_npz": "io",
    "load_theory": "io",
    "save_dataset": "io",
    "save_json_atomic": "io",
    "save_npz_atomic": "io",
    "save_theory": "io",
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _NAMES)
