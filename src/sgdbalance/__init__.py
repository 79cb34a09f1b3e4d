"""Law of balance and stationary distributions of SGD on diagonal linear networks.

Conventions (those of Ziyin, Li & Ueda, arXiv 2308.06671): per-sample loss ``(f - y)^2``,
temperature ``T = eta / S``, depth ``D`` = number of hidden layers (``D + 1`` factors per path).
"""

# The package's version, read by setuptools at build time (pyproject.toml: dynamic); keep
# CHANGELOG.md, CITATION.cff and .zenodo.json equal to it (tests/test_release.py).
__version__ = "0.1.0"
