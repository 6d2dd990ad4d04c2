"""What a function that starts runs needs for a Bedrock guardrail in the safety check: the
guardrail's settings and ``bedrock:ApplyGuardrail`` on that guardrail alone."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_

from infra.cdk.constructs.function_settings import add_settings


def grant_guardrail(fn: lambda_.Function, guardrail_id: str, version: str) -> None:
    """``guardrail_id``: the guardrail's id, or its ARN."""
    add_settings(fn, guardrail_id=guardrail_id, guardrail_version=version)
    arn = guardrail_id
    if not arn.startswith("arn:"):
        arn = Stack.of(fn).format_arn(service="bedrock", resource="guardrail", resource_name=guardrail_id)
    fn.add_to_role_policy(iam.PolicyStatement(actions=["bedrock:ApplyGuardrail"], resources=[arn]))
