"""cfn-lint on the synthesized templates: what CloudFormation would reject, found before a deploy."""

from __future__ import annotations

import json

import pytest

from tests.synthesized import synthesized_template

CONFIGURATIONS = {
    "user pool tokens": {"jwtJwks": ""},  # `cdk deploy` without an external issuer
    "external issuer": {},  # the suite's default context: a key set (as the local cloud has)
    # the web console's site and the API's cross-origin answers (opt-in)
    "web console": {"webConsole": "true", "corsAllowedOrigins": "https://console.example.com"},
}


@pytest.mark.parametrize("configuration", sorted(CONFIGURATIONS))
def test_the_template_has_no_cfn_lint_errors(configuration: str) -> None:
    from cfnlint.api import ManualArgs, lint

    # Given the synthesized template, When cfn-lint checks it with its error-level rules (the
    # default region's specs): its warning (W*) and informational (I*) rules are not run, a tenth
    # of its CPU, since warnings are CDK's own habits
    template = json.dumps(synthesized_template(**CONFIGURATIONS[configuration]))
    matches = lint(template, config=ManualArgs(ignore_checks=["W", "I"]))
    # Then no error-level finding (E*) remains
    errors = [
        f"{m.rule.id} {'/'.join(map(str, m.path))}: {m.message}" for m in matches if m.rule.id[0] == "E"
    ]
    assert errors == []
