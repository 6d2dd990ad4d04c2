"""cdk-nag (AWS Solutions) runs at synthesis; an unacknowledged finding fails synthesis."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.synthesized import assembly_dir, synthesized_template

CONFIGURATIONS: dict[str, dict[str, str]] = {
    "user pool tokens": {"jwtJwks": ""},  # `cdk deploy` without an external issuer
    "external issuer": {},  # the suite's default context: a key set (as the local cloud has)
    # the web console's site and the API's cross-origin answers (opt-in)
    "web console": {"webConsole": "true", "corsAllowedOrigins": "https://console.example.com"},
}


def _report(context: dict[str, str]) -> dict[str, Any]:
    report = assembly_dir(context) / "validation-report.json"
    return json.loads(report.read_text()) if report.exists() else {}  # written when a plugin reports


@pytest.mark.parametrize("configuration", sorted(CONFIGURATIONS))
def test_synthesis_passes_the_aws_solutions_rules(configuration: str) -> None:
    # Given the app with the AWS Solutions pack, When it is synthesized, Then it succeeds
    context = CONFIGURATIONS[configuration]
    synthesized_template(**context)
    violations = [v for r in _report(context).get("pluginReports", []) for v in r.get("violations", [])]
    assert violations == []


def test_only_the_public_routes_go_without_an_authorizer() -> None:
    # Given the stack whose user pool signs the tokens
    context = CONFIGURATIONS["user pool tokens"]
    synthesized_template(**context)
    suppressed = [v for r in _report(context)["pluginReports"] for v in r["suppressedViolations"]]
    paths = {
        construct["constructPath"]
        for finding in suppressed
        if finding["ruleName"] in ("AwsSolutions-APIG4", "AwsSolutions-COG4")
        for construct in finding["violatingConstructs"]
    }
    # Then "no authorizer" is acknowledged on GET /health and GET /openapi.json only in the REST API
    rest = {path.split("/Default/", 1)[1] for path in paths if "/RestApi/" in path}
    assert rest == {"health/GET/Resource", "openapi.json/GET/Resource"}
    # And in the WebSocket API on every route but $connect (its authorizer covers the connection)
    websocket = {path.split("/Push/Api/", 1)[1] for path in paths if "/Push/Api/" in path}
    assert websocket == {f"{route}-Route/Resource" for route in ("$disconnect", "$default", "subscribe")}
    assert paths == {path for path in paths if "/RestApi/" in path or "/Push/Api/" in path}


def test_every_acknowledged_rule_has_a_reason() -> None:
    from infra.cdk.nag import (
        EXTERNAL_ISSUER_REASON,
        MFA_REASON,
        PLUS_TIER_REASON,
        PUBLIC_ROUTES_REASON,
        SUPPRESSIONS,
    )

    assert SUPPRESSIONS
    for acknowledgment in SUPPRESSIONS:
        assert len(acknowledgment.reason) > 40, acknowledgment.id
    for reason in (EXTERNAL_ISSUER_REASON, MFA_REASON, PLUS_TIER_REASON, PUBLIC_ROUTES_REASON):
        assert len(reason) > 40
