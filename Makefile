# Every target installs what it needs: a fresh clone only needs python3 (>= 3.11).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install serve test lint fmt typecheck bench bench-webhooks bench-memory check clean docs contract examples fuzz check-install containers

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

# Schemathesis over every operation of a live `jing-emulator serve` (bounded: a few minutes).
fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzz

# The example client's contract tests alone, with the plugin's coverage report.
examples: $(STAMP)
	cd examples && ../$(BIN)/pytest -q

# The wheel installed without extras in a fresh venv (packages from PyPI, about 80 s): the server
# runs without the testing side, and the fixtures and contract-test name the extra they need.
check-install: $(STAMP)
	JING_EMULATOR_INSTALL_TEST=1 $(BIN)/pytest -q -p no:cacheprovider tests/test_packaging.py

bench: $(STAMP)
	$(BIN)/python -m benchmarks
	$(BIN)/python -m benchmarks.webhooks
	$(BIN)/python -m benchmarks.memory --seconds 120

# Webhook delivery to a local receiver against a sustained writer: events lost, delivery rate.
bench-webhooks: $(STAMP)
	$(BIN)/python -m benchmarks.webhooks

# The server's RSS through 2 minutes of token calls and 2 minutes of writes.
bench-memory: $(STAMP)
	$(BIN)/python -m benchmarks.memory --seconds 120

check: lint typecheck test

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage build

docs: $(STAMP)
	$(BIN)/jing-emulator docs

# The image built and run for real with podman: examples/compose/ and jing_emulator_container.
containers: $(STAMP)
	.ci/containers
