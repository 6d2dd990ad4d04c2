"""Settings are read from the variables the stack writes; each function checks what it needs at init."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from orchestrator.container import Container
from orchestrator.core import constants
from orchestrator.core.errors import ConfigurationMissing
from orchestrator.core.settings import REQUIRED_BY_FUNCTION, Settings, variable_of

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"


def test_each_field_is_read_from_its_variable_and_written_back_the_same_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    written = Settings.environment(
        runs_table="runs-t",
        state_machines={"generic": "arn:aws:states:x"},
        bedrock_enabled=True,
        fetch_allowed_hosts=frozenset({("files.internal", 443), ("127.0.0.1", 8765)}),
        provider_timeout_seconds=30.5,
    )
    assert written == {
        constants.ENV_RUNS_TABLE: "runs-t",
        constants.ENV_STATE_MACHINES: '{"generic": "arn:aws:states:x"}',
        constants.ENV_BEDROCK_ENABLED: "1",
        constants.ENV_FETCH_ALLOWED_HOSTS: "127.0.0.1:8765,files.internal:443",
        constants.ENV_PROVIDER_TIMEOUT_SECONDS: "30.5",
    }
    for variable, value in written.items():
        monkeypatch.setenv(variable, value)
    read = Settings()  # what a function with these variables reads
    assert read.runs_table == "runs-t"
    assert read.state_machines == {"generic": "arn:aws:states:x"}
    assert read.bedrock_enabled is True
    assert read.fetch_allowed_hosts == frozenset({("files.internal", 443), ("127.0.0.1", 8765)})
    assert read.provider_timeout_seconds == 30.5


def test_the_environment_is_read_once_with_empty_variables_meaning_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(constants.ENV_EVENTS_TABLE, "events-t")
    monkeypatch.setenv(constants.ENV_MODEL_PROVIDER, "")
    monkeypatch.setenv(constants.ENV_PROVIDER_SECRETS, '{"openai": "arn:secret"}')
    settings = Settings()
    assert settings.events_table == "events-t"
    assert settings.model_provider == "offline"  # empty: the default
    assert settings.available_providers == {"offline", "openai"}


def test_a_malformed_variable_is_an_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(constants.ENV_FETCH_ALLOWED_HOSTS, "files.internal")
    with pytest.raises(ValidationError, match=f"(?s){constants.ENV_FETCH_ALLOWED_HOSTS}.*not host:port"):
        Settings()


def test_a_field_the_functions_do_not_have_cannot_be_written() -> None:
    with pytest.raises(KeyError, match="no setting named 'run_table'"):
        Settings.environment(run_table="typo")
    assert variable_of("circuit_table") == constants.ENV_CIRCUIT_TABLE


def test_a_missing_setting_names_the_field_and_its_variable() -> None:
    with pytest.raises(ConfigurationMissing, match=r"runs_table \(RUNS_TABLE_NAME\)"):
        Container(Settings.of()).runs  # noqa: B018 - the property builds the repository


def test_each_part_is_built_once_per_container_and_never_shared_between_containers() -> None:
    first = Container(Settings.of(runs_table="a", event_bus="bus"))
    assert first.runs is first.runs and first.publisher is first.publisher
    assert first.provider(None) is first.provider("offline")
    second = Container(Settings.of(runs_table="b", event_bus="bus"))
    assert second.runs is not first.runs


def test_every_handler_module_names_a_function_whose_requirements_are_known() -> None:
    handlers = {path.stem for path in (FUNCTIONS / "handlers").glob("*.py") if path.stem != "__init__"}
    assert handlers == set(REQUIRED_BY_FUNCTION)
    for name in handlers:
        source = (FUNCTIONS / "handlers" / f"{name}.py").read_text()
        assert f'start_function("{name}")' in source or f'check_at_init("{name}")' in source, name


def _start(handler: str, environment: dict[str, str], then: str = "") -> subprocess.CompletedProcess[str]:
    """Import a handler module as the Lambda runtime does at init: in its own process (then run ``then``)."""
    clean = {key: value for key, value in os.environ.items() if not key.endswith("_NAME")}
    return subprocess.run(  # noqa: S603 - this interpreter, a fixed module name
        [sys.executable, "-c", f"import handlers.{handler}\n{then}"],
        cwd=FUNCTIONS,
        env=clean | {"PYTHONPATH": str(FUNCTIONS)} | environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_in_lambda_a_function_missing_a_variable_fails_at_init_naming_it() -> None:
    started = _start("approval_gate", {"AWS_LAMBDA_FUNCTION_NAME": "ApprovalGate"})
    assert started.returncode != 0
    assert "ConfigurationMissing" in started.stderr
    assert "runs_table (RUNS_TABLE_NAME)" in started.stderr and "event_bus (EVENT_BUS_NAME)" in started.stderr


def test_in_lambda_a_function_with_its_variables_starts() -> None:
    needed = Settings.environment(**{name: "x" for name in REQUIRED_BY_FUNCTION["approval_gate"]})
    started = _start("approval_gate", {"AWS_LAMBDA_FUNCTION_NAME": "ApprovalGate"} | needed)
    assert started.returncode == 0, started.stderr


def test_outside_lambda_importing_a_handler_reads_nothing() -> None:
    started = _start("approval_gate", {})
    assert started.returncode == 0, started.stderr


def test_a_variable_whose_json_is_malformed_is_an_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(constants.ENV_STATE_MACHINES, '{"generic": ')
    with pytest.raises(ValidationError, match=f"(?s){constants.ENV_STATE_MACHINES}.*not JSON"):
        Settings()


@pytest.mark.parametrize("in_lambda", [True, False])
def test_the_garbage_collector_paused_while_a_handler_loads_runs_again_once_it_has(in_lambda: bool) -> None:
    needed = Settings.environment(**{name: "x" for name in REQUIRED_BY_FUNCTION["run_status"]})
    environment = {"AWS_LAMBDA_FUNCTION_NAME": "RunStatus"} | needed if in_lambda else {}
    started = _start("run_status", environment, "import gc; print(gc.isenabled(), gc.get_freeze_count() > 0)")
    assert started.returncode == 0, started.stderr
    assert started.stdout.split()[-2:] == ["True", str(in_lambda)]  # in Lambda, what init made is frozen
