# Two commands: `make` builds every figure and check, `make test` runs the tests.
# Both create the virtual environment .venv from requirements.lock on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORES ?= all
CONFIG ?= config/config.yaml

.PHONY: all quick test report lint clean lock verify archive restore readme config-docs docs

all: $(VENV)/installed
	$(BIN)/snakemake --cores $(CORES) --configfile $(CONFIG)

quick:
	$(MAKE) all CONFIG=config/quick.yaml

test: $(VENV)/installed
	$(BIN)/python -m pytest

report: $(VENV)/installed
	$(BIN)/snakemake --configfile $(CONFIG) --report results/report.html

# The HTML docs (user guide, project pages, the worked examples executed by sphinx-gallery,
# API reference from the docstrings) in docs/_build/html; any Sphinx warning fails the build.
# tests/test_docs.py builds them the same way and runs their examples.
docs: $(VENV)/installed
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

# Artifact evaluation: check results/ against results/manifest.json (written by the last rule),
# pack it, and unpack it elsewhere. `--touch` marks the restored files up to date in DAG order:
# Snakemake reruns any job whose output is older than its script, and a fresh checkout gives
# every script the checkout time. restore refuses unless CONFIG built the archive.
ARCHIVE ?= results-$(shell git rev-parse --short HEAD 2>/dev/null || echo build).tar.gz

verify: $(VENV)/installed
	$(BIN)/sgdbalance verify

# After a full `make`: the README's claims block, docs/generated/ (claims and runtime tables)
# and docs/figures/, from results/ (commit them).
readme: $(VENV)/installed
	$(BIN)/sgdbalance readme

# config/README.md's reference of every config key, from workflow/schemas/config.schema.yaml
# (commit it; tests/test_schema_doc.py fails while it differs from the schema).
config-docs: $(VENV)/installed
	$(BIN)/python -m sgdbalance.artifact.schema_doc

archive: $(VENV)/installed
	$(BIN)/sgdbalance archive $(ARCHIVE)

restore: $(VENV)/installed
	$(BIN)/sgdbalance restore $(ARCHIVE) --config $(CONFIG)
	$(BIN)/snakemake --touch --cores 1 --configfile $(CONFIG) --quiet all
	@echo "results/ restored and marked up to date for $(CONFIG); make verify checks it"

lint: $(VENV)/installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/snakefmt --check Snakefile workflow
	$(BIN)/snakemake --lint --configfile $(CONFIG)

# The environment is requirements.lock and nothing else: a new venv each time the lock changes
# (--clear drops what an older lock or a hand-run pip put there), the pins installed without
# their dependencies (--no-deps: a package missing from the lock is never fetched at whatever
# version is newest that day), and pip check failing if the lock is not the whole environment.
# tests/test_install.py compares the venv's pip freeze with the lock. pip compiles bytecode one
# file at a time; compileall -j 0 compiles it on every core, and writes it whatever
# PYTHONDONTWRITEBYTECODE says (without bytecode every job would compile numpy and scipy again:
# docs/performance.rst). __init__.py holds the version the editable install's metadata is
# built from.
$(VENV)/installed: requirements.lock pyproject.toml src/sgdbalance/__init__.py
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 is needed"' \
		|| { echo "error: $(PYTHON) is missing or older than 3.11 (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv --clear $(VENV) || { echo "error: no venv module (Debian: apt-get install python3-venv)"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-deps --no-compile -r requirements.lock
	$(BIN)/python -m compileall -q -j 0 "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" >/dev/null \
		|| echo "note: some files did not compile to bytecode; Python compiles them when they are imported"
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check || { echo "error: requirements.lock is not a whole environment (make lock)"; exit 1; }
	touch $@

# Refresh the pins after changing dependencies: edit pyproject.toml, `.venv/bin/pip install` the
# new package (pip resolves what it needs), then `make lock` and commit requirements.lock; the
# next `make` rebuilds .venv from it. Order-only (|): an edited pyproject.toml must not rebuild
# the venv, and drop the new package, before it is frozen.
lock: | $(VENV)/installed
	$(BIN)/python -m pip check
	{ echo "# Pinned runtime + test environment (Python 3.11). Regenerate with \`make lock\`."; \
	  $(BIN)/python -m pip freeze --exclude-editable; } > requirements.lock

clean:
	rm -rf results logs .snakemake benchmarks/*/  # benchmarks/engine.py is a source file
