# Every target installs what it needs into .venv first, so each works in a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test compiled lint format bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The main job, on fakeredis (no server needed): the legacy export service (warn mode) and the
# migrated one (strict), each run from its own folder: its tests with the plugin, the import
# contracts, the key inventory and the retirement scorecard, then the two side by side
# (scripts/demo.py; reports in reports/).
demo: $(STAMP)
	$(BIN)/python scripts/demo.py

# The whole suite: tests (the real-server ones need REDIS_BOUNDARY_TEST_URL, which .ci/run
# sets) on the source tree and again on the mypyc-compiled build users install, then ruff, mypy
# and the project's own import contracts.
test: $(STAMP)
	$(BIN)/pytest -q -n 2
	$(MAKE) compiled
	REDIS_BOUNDARY_TEST_BUILD=$(COMPILED) $(BIN)/pytest -q -n 2
	$(MAKE) lint

# The wheel as users install it (setup.py compiles the engine's hot modules with mypyc),
# installed into its own folder: the dev install stays editable and pure Python.
COMPILED := build/compiled
compiled: $(STAMP)
	rm -rf $(COMPILED) build/wheel
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir build/wheel .
	$(BIN)/python -m pip install --quiet --no-deps --target $(COMPILED) build/wheel/*.whl

# The paths ruff checks; `make format` rewrites the same ones.
LINT_PATHS := pytest_redis_boundary tests scripts bench examples setup.py

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy
	$(BIN)/lint-imports

# Rewrites in place what `make lint` would complain about and ruff can fix.
format: $(STAMP)
	$(BIN)/ruff format $(LINT_PATHS)
	$(BIN)/ruff check --fix $(LINT_PATHS)

# The documentation site (mkdocs.yml) into build/site; --strict fails on a broken link or anchor.
docs: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,docs]'
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

# Figures for the build users install (compiled); bench/engine.py also runs on the pure source.
bench: $(STAMP) compiled
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run.py
	$(BIN)/python bench/engine.py
	PYTHONPATH=$(COMPILED) $(BIN)/python bench/engine.py
	PYTHONPATH=$(COMPILED) $(BIN)/python bench/plugin.py
	$(BIN)/python bench/plugin.py --memory
	PYTHONPATH=$(COMPILED) $(BIN)/python bench/inventory.py
	$(BIN)/python bench/contracts.py
	if command -v valgrind >/dev/null; then $(BIN)/python bench/instructions.py; fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
