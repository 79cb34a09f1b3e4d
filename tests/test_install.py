"""``python -m pip install .`` outside the workflow: the wheel holds every module and data file of
``src/sgdbalance``, and a new virtual environment gets the package, its dependencies and the
``sgdbalance`` command, with nothing of this checkout on its path."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import sgdbalance

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "sgdbalance"
CACHES = ("__pycache__", "*.pyc", "*.nbi", "*.nbc", "*.egg-info")  # numba caches beside sources


def package_files() -> set[str]:
    """Every file of the package as it is installed, ``sgdbalance/...``, caches left out."""
    return {
        path.relative_to(PACKAGE.parent).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix not in (".pyc", ".nbi", ".nbc")
    }


def source_copy(tmp_path) -> Path:
    """What ``pip install .`` reads (pyproject.toml, LICENSE, src/), copied without caches, so
    the build leaves no ``build/`` or ``*.egg-info`` in the checkout."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns(*CACHES))
    return source


def clean_environment() -> dict:
    """This process's environment without anything that would put this checkout's Python
    first: no PYTHONPATH, no active virtual environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != bin_dir)
    return env


@pytest.mark.slow
def test_wheel_holds_every_module_and_data_file(tmp_path):
    # packages.find (pyproject.toml) takes every directory under src/, namespaces included,
    # but ships only the data files package-data lists: a data file left out shows up here.
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels),
         str(source_copy(tmp_path))],
        check=True, capture_output=True, env=clean_environment(), timeout=300,
    )  # fmt: skip
    (wheel,) = wheels.glob("*.whl")
    assert wheel.name == f"sgdbalance-{sgdbalance.__version__}-py3-none-any.whl"
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"sgdbalance/cli/__init__.py", "sgdbalance/figures/__init__.py"} <= names
    assert "sgdbalance/paper.mplstyle" in package_files()
    assert package_files() - names == set()
    dist_info = f"sgdbalance-{sgdbalance.__version__}.dist-info"
    entry_points = zipfile.ZipFile(wheel).read(f"{dist_info}/entry_points.txt").decode()
    assert "sgdbalance = sgdbalance.cli:main" in entry_points


PROBE = """
import json, sys
import matplotlib.pyplot as plt
import sgdbalance, sgdbalance.cli, sgdbalance.figures
from sgdbalance.figures.common import STYLE
plt.style.use(STYLE)  # the installed style file parses
json.dump({"file": sgdbalance.__file__, "version": sgdbalance.__version__, "style": STYLE},
          sys.stdout)
"""


@pytest.mark.slow
def test_pip_install_in_a_clean_venv(tmp_path):
    # A real install: a new venv (no system site-packages) resolves the dependencies of
    # pyproject.toml from the configured package index. Without their bytecode (--no-compile),
    # which pip would compile one file at a time for most of the install's time: what this
    # test looks at is what the wheel put where, and the two commands below import a few
    # modules from source.
    venv = tmp_path / "venv"
    env = clean_environment()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-compile",
         str(source_copy(tmp_path))],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=900,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr[-3000:]

    version = subprocess.run(
        [str(venv / "bin" / "sgdbalance"), "--version"],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=True,
    )  # fmt: skip
    assert version.stdout == f"sgdbalance {sgdbalance.__version__}\n"

    # -I: neither the working directory nor PYTHON* variables reach sys.path.
    probe = subprocess.run(
        [str(python), "-I", "-c", PROBE],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=True,
    )  # fmt: skip
    found = json.loads(probe.stdout)
    site = Path(found["file"]).parent
    assert site.is_relative_to(venv) and site.name == "sgdbalance"
    assert found["version"] == sgdbalance.__version__
    assert Path(found["style"]).is_relative_to(site) and Path(found["style"]).is_file()
    installed = {p.relative_to(site.parent).as_posix() for p in site.rglob("*") if p.is_file()}
    assert package_files() - installed == set()


def test_environment_is_the_lock():
    # requirements.lock is the whole environment: pip freeze of the venv `make` built from it
    # prints the lock's lines, no more (a package pip fetched because the lock lacked it, at
    # whatever version was newest that day) and no fewer. This checks the venv the tests run
    # in rather than building another: `make test` (and CI, .ci/run) runs them in a .venv made
    # by the Makefile's recipe from a fresh checkout, so that venv is the fresh one, and a
    # second build would fetch the same ~110 wheels to test the same recipe. It also fails a
    # developer's .venv that a hand-run pip changed without `make lock`.
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip(f"checks the .venv that make builds from the lock, not {sys.prefix}")
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    lock = [line for line in lines if line and not line.startswith("#")]
    freeze = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    missing, extra = sorted(set(lock) - set(freeze)), sorted(set(freeze) - set(lock))
    assert (missing, extra) == ([], []), f"in the lock only: {missing}; in .venv only: {extra}"
    assert freeze == lock  # and in pip's order, as `make lock` writes it
