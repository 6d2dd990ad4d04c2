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
    from cfnlint.api import lint

    # Given the synthesized template, When cfn-lint checks it (the default region's specs)
    matches = lint(json.dumps(synthesized_template(**CONFIGURATIONS[configuration])))
    # Then no error-level finding (E*) remains; warnings (W*) are CDK's own habits
    errors = [
        f"{m.rule.id} {'/'.join(map(str, m.path))}: {m.message}" for m in matches if m.rule.id[0] == "E"
    ]
    assert errors == []
