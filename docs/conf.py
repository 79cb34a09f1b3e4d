"""Sphinx configuration: the API reference from the docstrings (autodoc + numpydoc) and the
user guide. Build with ``make docs`` (warnings are errors); the version is the package's."""

import sgdbalance

project = "sgd-balance"
author = "sgd-balance contributors"
copyright = "2026, sgd-balance contributors"
version = release = sgdbalance.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
    "numpydoc",
]

exclude_patterns = ["_build"]
nitpicky = False
default_role = "code"  # `x` in a docstring is inline code, as ``x``

# autodoc: members in source order, signatures without the long type hints (numpydoc's
# Parameters section states them with shapes and units). No default member options: each API
# page lists exactly its subpackage's __all__, module by module, and the classes among them
# bring their documented methods and properties.
autodoc_member_order = "bysource"
autodoc_typehints = "none"

# numpydoc: no autosummary tables of class members (dataclass fields are listed in the class
# docstring), and every documented object must have a docstring.
numpydoc_show_class_members = False
numpydoc_validation_checks = {"GL08"}

html_theme = "alabaster"
html_title = f"sgd-balance {release}"
html_theme_options = {
    "description": "Law of balance and stationary distributions of SGD",
    "fixed_sidebar": True,
    "page_width": "1100px",
    "sidebar_width": "230px",
}
