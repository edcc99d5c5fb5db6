# Every target bootstraps its own .venv, so a fresh clone needs nothing but python3.11 and make.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ddbflow demo

test: $(STAMP)
	$(BIN)/python -m pytest

ASL := $(wildcard statemachines/*.asl.json)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/cfn-lint template.yaml
	# ARNs are ${...} placeholders until SAM substitutes them; tests/unit/test_wiring.py checks those.
	npx --yes asl-validator@4.0.0 --no-arn-check $(foreach f,$(ASL),--json-path $(f))

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
