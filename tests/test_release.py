"""The version is written once, in ``sgdbalance.__version__``; the packaging metadata, the
changelog and the citation files carry the same one."""

import re
import tomllib
from importlib import metadata
from pathlib import Path

import yaml

import sgdbalance

ROOT = Path(__file__).resolve().parents[1]
VERSION = sgdbalance.__version__


def test_version_is_semantic():
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)


def test_pyproject_reads_the_version_from_the_package():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"]
    assert pyproject["project"]["dynamic"] == ["version"]
    dynamic = pyproject["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "sgdbalance.__version__"}


def test_installed_metadata_has_the_version():
    # An editable install's metadata is built when it is installed: a stale one means the
    # environment predates the last bump (make reinstalls it when __init__.py changes).
    assert metadata.version("sgdbalance") == VERSION


def release_date() -> str:
    """The date of this version's heading in CHANGELOG.md, ``## [X.Y.Z] - YYYY-MM-DD``."""
    changelog = (ROOT / "CHANGELOG.md").read_text()
    dated = re.search(
        rf"^## \[{re.escape(VERSION)}\] - (\d{{4}}-\d{{2}}-\d{{2}})$", changelog, re.M
    )
    assert dated, f"CHANGELOG.md has no dated heading for {VERSION}"
    return dated[1]


def test_changelog_has_this_version_and_an_unreleased_section():
    headings = re.findall(r"^## \[([^\]]+)\]", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert headings[:2] == ["Unreleased", VERSION]  # the newest release comes first
    release_date()


def test_citation_has_this_version_and_date():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert str(citation["version"]) == VERSION
    assert str(citation["date-released"]) == release_date()
