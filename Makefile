# jupyterlab-bioimage: the two commands are `make lab` (run it) and `make test` (test everything).
#
# Everything installs into this checkout: a Python venv in .venv, npm packages in
# node_modules and ui-tests/node_modules. Browsers are never downloaded: UI tests use
# Debian's Chromium (/usr/bin/chromium, apt-get installed when missing and root).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
JLPM := $(abspath $(VENV))/bin/jlpm
WHEEL_VENV := .venv-wheel
MODELS_VENV := .venv-models
CHROMIUM ?= /usr/bin/chromium
FIXTURES ?= $(abspath ../shared/fixtures)

export PATH := $(abspath $(VENV))/bin:$(PATH)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export ONNXRUNTIME_NODE_INSTALL := skip
export BIOIMAGE_FIXTURES := $(FIXTURES)
export CHROMIUM_PATH := $(CHROMIUM)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

FRONTEND_SOURCES := $(shell find src style schema -type f 2>/dev/null) package.json tsconfig.json

.PHONY: help install lab test lint jest pytest parity ui-test ui-snapshots wheel wheel-check bench models chromium clean

help:
	@echo "make lab    - install everything and start JupyterLab on examples/ with the extension"
	@echo "make test   - install everything, then lint, jest (lab + core), pytest, wheel check, Galata UI tests, kernel parity"
	@echo "make install / wheel / bench / models / clean"

# ---------------------------------------------------------------- set-up (idempotent)

$(VENV)/.installed: requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q -U pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json yarn.lock $(VENV)/.installed
	$(JLPM) install
	touch $@

ui-tests/node_modules/.installed: ui-tests/package.json ui-tests/yarn.lock $(VENV)/.installed
	cd ui-tests && $(JLPM) install
	touch $@

# Development build: TypeScript to lib/, the labextension into jupyterlab_bioimage/labextension.
# lib/ is emptied first: a module moved or removed in src/ must not survive there as a stale
# .js file that the bundler would still resolve (`./session` → an old lib/wizard/session.js).
.build-stamp: node_modules/.installed $(FRONTEND_SOURCES)
	$(JLPM) clean:lib
	$(JLPM) build
	touch $@

# The Python package in editable mode, the labextension linked for development,
# and the server extension enabled in the venv.
.install-stamp: .build-stamp pyproject.toml $(shell find jupyterlab_bioimage -name '*.py' -not -name '_version.py')
	$(PY) -m pip install -q -e . --no-deps
	$(VENV)/bin/jupyter-builder develop --overwrite .
	$(VENV)/bin/jupyter server extension enable --sys-prefix jupyterlab_bioimage
	touch $@

install: .install-stamp

chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && apt-get install -y -qq chromium; \
	  else \
	    echo "Chromium is missing at $(CHROMIUM): run 'sudo apt-get install -y chromium' or set CHROMIUM=/path"; exit 2; \
	  fi; \
	fi

# ---------------------------------------------------------------- run it

lab: install
	$(VENV)/bin/jupyter lab --notebook-dir=examples $(if $(filter 0,$(shell id -u)),--allow-root,)

# ---------------------------------------------------------------- tests

# Formatting and eslint, then the layout's import rules (scripts/check-layout.mjs for
# TypeScript, tsconfig.core.json for "no DOM in src/core", and the Python package's check).
lint: install
	$(JLPM) lint:check
	node scripts/check-layout.mjs
	$(JLPM) tsc -p tsconfig.core.json
	@if [ -f scripts/check_python_imports.py ]; then $(PY) scripts/check_python_imports.py; fi

jest: install
	$(JLPM) test:lab
	$(JLPM) test:core

pytest: install
	$(PY) -m pytest -q tests --ignore=tests/after_ui

# Runs the notebook the wizard UI test wrote in a real kernel and compares it
# with the browser's run; after ui-test, where a missing run is a failure.
parity: install
	BIOIMAGE_REQUIRE_WIZARD_RUN=1 $(PY) -m pytest -q tests/after_ui

ui-test: install chromium ui-tests/node_modules/.installed
	cd ui-tests && $(JLPM) playwright test

ui-snapshots: install chromium ui-tests/node_modules/.installed
	cd ui-tests && $(JLPM) playwright test --update-snapshots

test: install chromium
	$(MAKE) lint
	$(MAKE) jest
	$(MAKE) pytest
	$(MAKE) wheel-check
	$(MAKE) ui-test
	$(MAKE) parity
	@echo "make test: all suites passed"

# ---------------------------------------------------------------- packaging

# A production build of the labextension, then wheel + sdist in dist/.
wheel: node_modules/.installed
	rm -rf dist
	$(JLPM) build:prod
	$(PY) -m build --no-isolation --outdir dist .

# The wheel alone, in a fresh venv, as a user installs it (`pip install jupyterlab-bioimage`,
# nothing else named): it must bring JupyterLab and enable both the frontend and the
# server extension, and ship the labextension once.
wheel-check: wheel
	rm -rf $(WHEEL_VENV)
	python3 -m venv $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/pip install -q dist/*.whl
	@ls -l dist/*.whl | awk '{printf "wheel size: %.1f MB\n", $$5 / 1e6}'
	@$(WHEEL_VENV)/bin/python -c "import zipfile, glob, sys; n = zipfile.ZipFile(glob.glob('dist/*.whl')[0]).namelist(); \
	  dup = [x for x in n if x.startswith('jupyterlab_bioimage/labextension/')]; \
	  sys.exit('wheel check: the labextension is packed twice (%d files inside the package)' % len(dup) if dup else 0)"
	$(WHEEL_VENV)/bin/jupyter lab --version
	@# Print the listings, then check them (no tee to /dev/stderr: reopening it truncates a redirected log).
	@labext="$$($(WHEEL_VENV)/bin/jupyter labextension list 2>&1)"; echo "$$labext"; \
	  echo "$$labext" | grep -qE "jupyterlab-bioimage v[0-9.]+ .*enabled.*OK" \
	  || { echo "wheel check: the labextension is not enabled and OK"; exit 1; }
	@serverext="$$($(WHEEL_VENV)/bin/jupyter server extension list 2>&1)"; echo "$$serverext"; \
	  echo "$$serverext" | grep -A2 -E "jupyterlab_bioimage .*enabled" | grep -q "OK" \
	  || { echo "wheel check: the server extension is not enabled and OK"; exit 1; }
	rm -rf $(WHEEL_VENV)

# ---------------------------------------------------------------- benchmarks and models

# BENCH_ARGS=--viewer-only times only the browser viewer redraws (about a minute).
bench: install chromium ui-tests/node_modules/.installed
	$(PY) bench/run.py $(BENCH_ARGS)

models:
	python3 -m venv $(MODELS_VENV)
	$(MODELS_VENV)/bin/pip install -q -r requirements-models.txt
	$(MODELS_VENV)/bin/python scripts/train_bundled_models.py --out jupyterlab_bioimage/zoo

clean:
	rm -rf lib dist coverage jupyterlab_bioimage/labextension jupyterlab_bioimage/_version.py \
	  .build-stamp .install-stamp tsconfig.tsbuildinfo $(WHEEL_VENV)
