"""Shared test setup: fake AWS credentials and region; nothing depends on this machine."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.synthesis_service import SynthesisProcess

# Set before any boto3 client exists; no test may reach a real AWS account.
for key, value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "1",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "AiOrchestratorTests",
    # every local cloud's workers at one CPU priority: several clouds share the machine with other
    # test processes, and a background worker would otherwise wait behind all of them
    # (tests/local_cloud/test_worker_pool_limits.py checks the lower priority itself)
    "ORCHESTRATOR_LOCAL_BACKGROUND_NICENESS": "0",
}.items():
    os.environ[key] = value
for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
    os.environ.pop(key, None)
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull


def _share_botocore_model_files() -> None:
    """Parse each botocore data file (service models, endpoint rules) once per test process.

    moto resets boto3's default session for every mocked test, and a new session parses its
    service models again: ~90 ms a client, most of the integration suite's setup time. botocore
    treats loaded models as read-only (one loader already hands the same object to every client
    of a session; the one in-place change, merging a service's sdk-extras, is idempotent), so
    one parse can serve every session of the process. Only tests do this; Lambda functions
    create their clients once per execution environment anyway.
    """
    import botocore.loaders

    original = botocore.loaders.JSONFileLoader.load_file
    parsed: dict[str, object] = {}

    def load_file(self: object, file_path: str) -> object:
        if file_path not in parsed:
            parsed[file_path] = original(self, file_path)  # type: ignore[arg-type]
        return parsed[file_path]

    botocore.loaders.JSONFileLoader.load_file = load_file  # type: ignore[method-assign,assignment]


_share_botocore_model_files()


SYNTHESIS = pytest.StashKey[SynthesisProcess]()


LONGEST_FIRST = (
    "tests/e2e/test_local_up_keeps_its_state.py",
    "tests/integration/test_api_contract.py",
    "tests/e2e/test_seed_templates.py",
    "tests/e2e/test_step_graph_runs.py",
    "tests/e2e/test_resume_runs.py",
    "tests/e2e/test_runs_through_the_api.py",
    "tests/e2e/test_webhooks.py",
    "tests/e2e/test_approval_deadlines.py",
    "tests/e2e/test_run_costs.py",
    "tests/e2e/test_agent_pipeline_runs.py",
    "tests/e2e/test_local_up_stop_and_restart.py",
    "tests/e2e/test_resume_demo.py",
    "tests/e2e/test_web_console.py",
)
"""The files that take longest, run first: the parallel processes (``make test``) take whole files,
and a long file started last would keep one process busy while the others are done."""


def pytest_collection_modifyitems(items: list[object]) -> None:
    def rank(item: object) -> int:
        path = str(getattr(item, "nodeid", "")).split("::", 1)[0]
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: every other file keeps its place, and every test its order


def pytest_configure(config: Any) -> None:
    """A session of parallel test processes starts one process that synthesizes for all of them
    (``tests/synthesis_service.py``): one CDK runtime started instead of one per test process."""
    parallel = getattr(config.option, "numprocesses", None) and getattr(config.option, "dist", "no") != "no"
    if parallel and not hasattr(config, "workerinput"):
        config.stash[SYNTHESIS] = SynthesisProcess()


def pytest_unconfigure(config: Any) -> None:
    if SYNTHESIS in config.stash:
        config.stash[SYNTHESIS].stop()
