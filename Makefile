# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 1

.PHONY: constraints demo demo-failure demo-resume test test-unit test-integration test-local-cloud test-infrastructure test-e2e lint format bench synth local-up lambda-deps deploy clean

$(STAMP): pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements/constraints.txt -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)  ## start the local cloud, run the generic template through the HTTP API
	$(BIN)/orchestrator demo $(ARGS)

demo-failure: $(STAMP)  ## the same run with the design phase failing: ends COMPENSATED
	$(BIN)/orchestrator demo --fail-phase design

demo-resume: $(STAMP)  ## web_development fails at its last step, then is resumed to SUCCEEDED
	$(BIN)/orchestrator demo --resume

# The web console's browser test (tests/e2e/test_web_console.py) drives Debian's Chromium:
# `apt-get install chromium chromium-driver` (.ci/run does it); without it the test is skipped,
# except in CI. Its screenshots are written to test-artifacts/console/.
# Test files run in parallel processes (pytest-xdist), a file's tests in one process, so that
# module and package fixtures (the e2e suite's local cloud) are built once per process; files are
# handed out in collection order, the longest first (tests/conftest.py, LONGEST_FIRST).
TEST_WORKERS ?= 3
PYTEST_PARALLEL := -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

test: $(STAMP)  ## every suite: unit, integration, local cloud, infrastructure, e2e (TEST_WORKERS=3 processes)
	$(BIN)/pytest $(PYTEST_PARALLEL) tests

test-unit: $(STAMP)
	$(BIN)/pytest tests/unit
test-integration: $(STAMP)
	$(BIN)/pytest $(PYTEST_PARALLEL) tests/integration
test-local-cloud: $(STAMP)  ## the local cloud's own tooling: moto adaptations, Lambda runtime, vector queries
	$(BIN)/pytest $(PYTEST_PARALLEL) tests/local_cloud
test-infrastructure: $(STAMP)
	$(BIN)/pytest $(PYTEST_PARALLEL) tests/infrastructure
test-e2e: $(STAMP)
	$(BIN)/pytest $(PYTEST_PARALLEL) tests/e2e tests/e2e_remote_model

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy functions infra

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)  ## every benchmark, one table, bench/results/latest.json (ARGS="--full", "--compare OLD.json", "--only imports,map")
	$(BIN)/python bench/harness.py $(ARGS)

synth: $(STAMP)
	CDK_OUTDIR=cdk.out $(BIN)/python app.py

local-up: $(STAMP)  ## keep the local cloud running (API + emulated AWS endpoint)
	$(BIN)/orchestrator local up

lambda-deps:  ## third-party packages for the Lambda layer (Linux arm64, Python 3.12), pinned like the tests
	rm -rf build/lambda-deps && mkdir -p build/lambda-deps/python
	$(PYTHON) -m pip install --quiet --target build/lambda-deps/python -c requirements/constraints.txt \
		--platform manylinux2014_aarch64 --implementation cp --python-version 3.12 --only-binary=:all: \
		"aws-lambda-powertools[tracer]" pydantic "pyjwt[crypto]" anthropic openai boto3 botocore wrapt

deploy: $(STAMP) lambda-deps  ## needs AWS credentials and the CDK CLI (npx aws-cdk)
	. $(BIN)/activate && npx --yes aws-cdk@2 deploy

constraints: $(STAMP)  ## re-pin every transitive version after a dependency change
	(echo "# Exact versions of every package (direct and transitive) the project was tested with."; \
	 echo "# Regenerate after changing pyproject.toml: make constraints"; \
	 $(BIN)/pip freeze --exclude-editable | sort -f) > requirements/constraints.txt

clean:
	rm -rf $(VENV) cdk.out .local-cloud build .pytest_cache .mypy_cache .ruff_cache test-artifacts
