"""The web console's static site (``-c webConsole=true``) and the API's cross-origin answers
(``-c corsAllowedOrigins=...``): a private bucket only CloudFront reads, the console's files and
config.json copied on deploy, the API's preflights answered by API Gateway for those origins."""

from __future__ import annotations

from typing import Any

import pytest

from infra.cdk.app_factory import _origins
from orchestrator.api.security import PUBLIC_PATHS
from orchestrator.core.constants import ENV_CORS_ALLOWED_ORIGINS
from tests.synthesized import resources_of_type, synthesized_template

ELSEWHERE = "https://console.example.com"
WITH_CONSOLE = {"webConsole": "true", "corsAllowedOrigins": ELSEWHERE}


@pytest.fixture(scope="module")
def with_console() -> dict[str, Any]:
    return synthesized_template(**WITH_CONSOLE)


def _only(template: dict[str, Any], kind: str) -> tuple[str, dict[str, Any]]:
    (found,) = resources_of_type(template, kind).items()
    return found[0], found[1]["Properties"]


def _site_bucket(template: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    (found,) = (
        (lid, r)
        for lid, r in resources_of_type(template, "AWS::S3::Bucket").items()
        if lid.startswith("WebConsoleFiles")
    )
    return found[0], found[1]["Properties"]


def test_the_site_bucket_is_private_and_only_cloudfront_reads_it(with_console: dict[str, Any]) -> None:
    bucket_id, bucket = _site_bucket(with_console)
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    distribution_id, distribution = _only(with_console, "AWS::CloudFront::Distribution")
    oac_id, oac = _only(with_console, "AWS::CloudFront::OriginAccessControl")
    assert oac["OriginAccessControlConfig"]["OriginAccessControlOriginType"] == "s3"
    (origin,) = distribution["DistributionConfig"]["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    config = distribution["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html"
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    (config_behavior,) = config["CacheBehaviors"]
    assert config_behavior["PathPattern"] == "/config.json"  # never cached: names the API
    # the bucket policy lets CloudFront read, for this distribution only
    policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in resources_of_type(with_console, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    (statements,) = policies
    reads = [s for s in statements if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}]
    assert reads and all(s["Action"] == "s3:GetObject" for s in reads)
    assert all(distribution_id in str(s["Condition"]["StringEquals"]["AWS:SourceArn"]) for s in reads)
    # and the pages carry security headers, a content security policy among them
    _, headers = _only(with_console, "AWS::CloudFront::ResponseHeadersPolicy")
    security = headers["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert "script-src 'self'" in security["ContentSecurityPolicy"]["ContentSecurityPolicy"]


def test_the_consoles_files_and_config_are_copied_on_deploy(with_console: dict[str, Any]) -> None:
    (deployment,) = resources_of_type(with_console, "Custom::CDKBucketDeployment").values()
    bucket_id, _ = _site_bucket(with_console)
    assert deployment["Properties"]["DestinationBucketName"] == {"Ref": bucket_id}
    assert len(deployment["Properties"]["SourceObjectKeys"]) == 2  # the static folder, config.json
    markers = str(deployment["Properties"].get("SourceMarkers"))
    assert "RestApi" in markers  # config.json names the stack's API
    outputs = with_console["Outputs"]
    assert any(key.startswith("WebConsoleUrl") for key in outputs)


def test_the_api_answers_preflights_of_the_site_and_the_configured_origin(
    with_console: dict[str, Any],
) -> None:
    distribution_id, _ = _only(with_console, "AWS::CloudFront::Distribution")
    methods = [m["Properties"] for m in resources_of_type(with_console, "AWS::ApiGateway::Method").values()]
    preflights = [m for m in methods if m["HttpMethod"] == "OPTIONS"]
    # the root, the proxy and each public path: a mock, no authorizer, no function
    assert len(preflights) == 2 + len(PUBLIC_PATHS)
    for method in preflights:
        assert method["AuthorizationType"] == "NONE"
        assert method["Integration"]["Type"] == "MOCK"
        allowed = str(method["Integration"]["IntegrationResponses"])
        assert ELSEWHERE in allowed and distribution_id in allowed
    assert all(m["AuthorizationType"] != "NONE" for m in methods if m["HttpMethod"] not in ("OPTIONS", "GET"))
    # the function answers the same origins
    (api_function,) = (
        f["Properties"]
        for f in resources_of_type(with_console, "AWS::Lambda::Function").values()
        if f["Properties"].get("Handler") == "handlers.api.handler"
    )
    origins = str(api_function["Environment"]["Variables"][ENV_CORS_ALLOWED_ORIGINS])
    assert ELSEWHERE in origins and distribution_id in origins
    # and API Gateway's own refusals (no token) are readable by the console
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in resources_of_type(with_console, "AWS::ApiGateway::GatewayResponse").values()
    }
    assert set(responses) == {"DEFAULT_4XX", "DEFAULT_5XX"}
    assert (
        "gatewayresponse.header.Access-Control-Allow-Origin" in responses["DEFAULT_4XX"]["ResponseParameters"]
    )


def test_without_the_flag_there_is_no_site_and_no_preflight() -> None:
    template = synthesized_template()
    assert resources_of_type(template, "AWS::CloudFront::Distribution") == {}
    methods = resources_of_type(template, "AWS::ApiGateway::Method").values()
    assert all(m["Properties"]["HttpMethod"] != "OPTIONS" for m in methods)


@pytest.mark.parametrize("bad", ["*", "https://console.example.com/app", "console.example.com"])
def test_an_allowed_origin_that_is_not_one_fails_the_synthesis_naming_it(bad: str) -> None:
    with pytest.raises(ValueError, match=r"context corsAllowedOrigins: .*is not an origin"):
        _origins(f"{ELSEWHERE},{bad}")
