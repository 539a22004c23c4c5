# Every target installs what it needs: a fresh clone only needs python3 (>= 3.11).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install serve test lint fmt typecheck bench check clean docs contract examples
.PHONY: containers

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/jing-emulator serve

test: $(STAMP)
	$(BIN)/pytest --cov --cov-report=term -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy

# The server check against the emulator itself: every operation, valid and invalid requests.
contract: $(STAMP)
	$(BIN)/jing-emulator contract-test --junit build/contract-test.xml

# The example client's contract tests alone, with the plugin's coverage report.
examples: $(STAMP)
	cd examples && ../$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks

check: lint typecheck test

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage build

docs: $(STAMP)
	$(BIN)/jing-emulator docs

# The image built and run for real with podman: examples/compose/ and jing_emulator_container.
containers: $(STAMP)
	.ci/containers
