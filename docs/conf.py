"""Sphinx configuration: the user guide and project pages, the worked examples executed by
sphinx-gallery, and the API reference from the docstrings (autodoc + numpydoc). Build with
``make docs`` (warnings are errors); the version is the package's."""

import os
import tempfile

import sgdbalance

project = "sgd-balance"
author = "sgd-balance contributors"
copyright = "2026, sgd-balance contributors"
version = release = sgdbalance.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

exclude_patterns = ["_build", "generated"]  # generated/ holds parts that pages include
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

# The worked examples (examples/*.py, jupytext percent scripts whose module docstring is the
# page's title) run at every build; each cell's output and open figure go on the page, with
# the script and a notebook to download. Their own PNGs go to a scratch folder, not the source.
os.environ.setdefault("SGDBALANCE_EXAMPLE_OUT", tempfile.mkdtemp(prefix="sgdbalance-examples-"))
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"\.py$",  # execute every example, not only plot_*.py
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "line_numbers": False,
    "remove_config_comments": True,
    "show_memory": False,
    "show_signature": False,
    "min_reported_time": 0,
    "image_srcset": [],
    "matplotlib_animations": False,
}

html_theme = "alabaster"
html_title = f"sgd-balance {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_theme_options = {
    "description": "Law of balance and stationary distributions of SGD",
    "fixed_sidebar": True,
    "page_width": "1180px",
    "sidebar_width": "230px",
}
