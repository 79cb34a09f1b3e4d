"""The version is written once, in ``sgdbalance.__version__``; the packaging metadata, the
changelog and the citation files (CITATION.cff, .zenodo.json) carry the same one, and the two
citation files say the same about the software and the paper."""

import json
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


ARXIV = "arXiv:2308.06671"


def cff_name(author: dict) -> str:
    """A CITATION.cff author as Zenodo writes a creator: ``Family, Given``, or an entity name."""
    if "name" in author:
        return author["name"]
    return f"{author['family-names']}, {author['given-names']}"


def test_zenodo_metadata_matches_the_package_and_the_citation():
    zenodo = json.loads((ROOT / ".zenodo.json").read_text())
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert zenodo["version"] == VERSION
    assert zenodo["publication_date"] == release_date()
    assert zenodo["title"] == citation["title"]
    assert zenodo["license"] == citation["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert [c["name"] for c in zenodo["creators"]] == [cff_name(a) for a in citation["authors"]]
    assert zenodo["keywords"] == citation["keywords"]
    assert zenodo["upload_type"] == "software"


def test_both_citation_files_point_to_the_paper():
    zenodo = json.loads((ROOT / ".zenodo.json").read_text())
    (paper,) = [r for r in zenodo["related_identifiers"] if r["identifier"] == ARXIV]
    # Zenodo's (DataCite's) vocabulary: this software supplements the preprint.
    assert paper == {
        "identifier": ARXIV,
        "relation": "isSupplementTo",
        "scheme": "arxiv",
        "resource_type": "publication-preprint",
    }
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    (reference,) = citation["references"]
    assert {"type": "other", "value": ARXIV} in reference["identifiers"]
    assert reference["title"].startswith("Law of Balance and Stationary Distribution")
