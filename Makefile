# Every target bootstraps its own .venv, so a fresh clone needs nothing but python3.11 and make.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test stress lint clean coldstart package

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The template linters pin boto3 versions that conflict with ours and with each other (checkov
# boto3==1.35.49, aws-sam-cli boto3==1.43.108), so each gets its own venv, .venv-checkov and .venv-sam,
# from the pins in pyproject.toml's [tool.ddbflow.lint-tools]. `make test` never needs them.
LINT_PINS = $(PYTHON) -c 'import sys, tomllib; \
	print(" ".join(tomllib.load(open("pyproject.toml", "rb"))["tool"]["ddbflow"]["lint-tools"][sys.argv[1]]))'

$(VENV)-%/.installed: pyproject.toml
	test -x $(VENV)-$*/bin/python || $(PYTHON) -m venv $(VENV)-$*
	$(VENV)-$*/bin/python -m pip install --quiet --upgrade pip
	$(VENV)-$*/bin/python -m pip install --quiet $$($(LINT_PINS) $*)
	touch $@

demo: $(STAMP)
	$(BIN)/ddbflow demo

test: $(STAMP)
	$(BIN)/python -m pytest

# The scale tests `make test` leaves out (tests marked stress: 1,000 tables + 500 GSIs in one check).
stress: $(STAMP)
	$(BIN)/python -m pytest -m stress

ASL := $(wildcard statemachines/*.asl.json)

lint: $(STAMP) $(VENV)-checkov/.installed $(VENV)-sam/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/cfn-lint template.yaml
	# Fails once AWS's deprecation date of a function's runtime has passed (dates and source in the module).
	$(BIN)/python -m ddbflow.lambda_runtimes template.yaml
	# Offline: the region only names the partition cfn-lint's specs are read for; telemetry stays off.
	SAM_CLI_TELEMETRY=0 $(VENV)-sam/bin/sam validate --lint --region us-east-1 --template template.yaml
	# .checkov.yaml keeps checkov off the network and lists the project-wide skips with their reasons;
	# a skip for one resource sits on it in template.yaml. checkov drops resources whose Condition is false
	# with the parameter defaults, so the SNS transport's resources are checked in a copy whose
	# AlarmTransport defaults to SNS.
	$(VENV)-checkov/bin/checkov --config-file .checkov.yaml -f template.yaml
	sed 's/^    Default: EventBridge$$/    Default: SNS/' template.yaml > $(VENV)-checkov/template-sns.yaml
	grep -q '^    Default: SNS$$' $(VENV)-checkov/template-sns.yaml
	$(VENV)-checkov/bin/checkov --config-file .checkov.yaml -f $(VENV)-checkov/template-sns.yaml
	# ARNs are ${...} placeholders until SAM substitutes them; tests/unit/test_wiring.py checks those.
	npx --yes asl-validator@4.0.0 --no-arn-check $(foreach f,$(ASL),--json-path $(f))

# The scale-up handlers' import time against a bare `import boto3` (ratios), and the deployment zip's size.
coldstart: $(STAMP)
	$(BIN)/python -m ddbflow.coldstart

package: $(STAMP)
	$(BIN)/python -m ddbflow.package

clean:
	rm -rf $(VENV) $(VENV)-checkov $(VENV)-sam .pytest_cache .mypy_cache .ruff_cache
