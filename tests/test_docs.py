"""The HTML docs build without a warning, link every page from the index, document every
public name, and every example in them runs: the worked examples (executed by sphinx-gallery
during the build), the docstrings' examples of each documented module, and the user guide's."""

import doctest
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SUBPACKAGES = ("theory", "simulate", "discrete", "nets", "checks", "config", "figures", "artifact")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
PAGES = ("claims", "findings", "artifact", "guide", "auto_examples/index", "cli", "api",
         "pipeline", "cluster", "faults", "performance", "tests")  # fmt: skip
EXAMPLES = ("density_and_tc", "sgd_vs_sgf", "discrete_collapse")


def documented_modules() -> list[str]:
    """Every module an API page documents with ``automodule``."""
    names = []
    for page in sorted((DOCS / "api").glob("*.rst")):
        names += re.findall(r"^\.\. automodule:: (\S+)$", page.read_text(), re.MULTILINE)
    return names


def documented_members(sub: str) -> dict[str, set[str]]:
    """Module -> names its ``:members:`` line lists, on ``docs/api/<sub>.rst``."""
    text = (DOCS / "api" / f"{sub}.rst").read_text()
    blocks = re.findall(r"^\.\. automodule:: (\S+)\n((?:   :.*\n)*)", text, re.MULTILINE)
    out = {}
    for module, options in blocks:
        members = re.search(r":members: (.+)", options)
        out[module] = {m.strip() for m in members.group(1).split(",")} if members else set()
    return out


@pytest.mark.slow
def test_html_builds_without_warnings(tmp_path):
    out = tmp_path / "html"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q", str(DOCS),
         str(out)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # not even a warning that -W would let through
    guide = (out / "guide.html").read_text()
    assert "Where discrete SGD collapses for your batch size" in guide
    assert 'href="auto_examples/index.html"' in guide
    # Every page is in the index's toctrees, and the Findings page shows the build's figures.
    index = (out / "index.html").read_text()
    for page in PAGES:
        assert f'href="{page}.html"' in index, f"{page} is not linked from the index"
    findings = (out / "findings.html").read_text()
    figures = re.findall(r'<img [^>]*src="(_images/[^"]+\.png)"', findings)
    assert len(figures) >= 8 and all((out / f).is_file() for f in figures)
    # Each worked example is an executed page: its printed output, its figure, and the script
    # and the notebook to download.
    for name in EXAMPLES:
        page = (out / "auto_examples" / f"{name}.html").read_text()
        assert 'class="sphx-glr-script-out' in page, name  # printed output
        assert re.search(rf'<img [^>]*src="../_images/sphx_glr_{name}_001\.png"', page), name
        assert f"{name}.py" in page and f"{name}.ipynb" in page, name
    theory = (out / "api" / "theory.html").read_text()
    # autodoc rendered the numpydoc sections of the package's central function.
    assert 'id="sgdbalance.theory.density.stationary_density"' in theory
    assert "Parameters" in theory and "T = eta / S, dimensionless" in theory
    assert sorted(p.name for p in (out / "api").glob("*.html")) == sorted(
        f"{sub}.html" for sub in SUBPACKAGES
    )


@pytest.mark.parametrize("sub", SUBPACKAGES)
def test_every_public_name_is_documented_in_its_module(sub):
    package = importlib.import_module(f"sgdbalance.{sub}")
    members = documented_members(sub)
    assert f"sgdbalance.{sub}" in members  # the package's own docstring heads its page
    for name in package.__all__:
        module = getattr(package, "_NAMES", {}).get(name)
        module = f"sgdbalance.{sub}.{module}" if module else getattr(package, name).__module__
        assert name in members.get(module, set()), f"{name} is not documented under {module}"


@pytest.mark.parametrize("module", documented_modules())
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=FLAGS)
    assert result.failed == 0


def test_entry_points_have_examples():
    """The functions a reader starts from show how to call them, and those examples run
    (``test_docstring_examples_run``)."""
    entry_points = {
        "theory": ["Moments", "critical_temperature", "stationary_density", "tail_exponent",
                   "modes", "regime"],
        "simulate": ["make_dataset", "EnsembleParams", "simulate", "balanced_init"],
        "discrete": ["batch_means", "top_exponent", "collapse_thresholds", "kesten_index",
                     "population_kesten_index", "discrete_variance"],
    }  # fmt: skip
    for sub, names in entry_points.items():
        package = importlib.import_module(f"sgdbalance.{sub}")
        for name in names:
            assert ">>> " in getattr(package, name).__doc__, f"{sub}.{name} has no example"


def test_user_guide_examples_run():
    result = doctest.testfile(str(DOCS / "guide.rst"), module_relative=False, optionflags=FLAGS)
    assert result.failed == 0
    assert result.attempted >= 15
