"""Uploads (a presigned URL per file, tenant-scoped) and template inputs through the API function."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
import requests

from infra.local.tokens import LocalSigningKey
from orchestrator.core import constants
from tests.integration.conftest import MotoAws
from tests.integration.test_api_handler import call


def test_an_upload_url_puts_the_file_under_the_callers_tenant(api: Any, signing_key: LocalSigningKey) -> None:
    # Given a user of acme
    token = signing_key.mint(tenant_id="acme", subject="alice")
    body = b"Alice: we lose two days a month reconciling invoices by hand.\n"
    # When they ask for an upload URL and PUT the file to it with the headers given
    status, ticket, _ = call(
        api,
        "POST",
        "/uploads",
        token=token,
        body={"filename": "call.txt", "content_type": "text/plain", "size_bytes": len(body)},
    )
    assert status == 201, ticket
    assert ticket["method"] == "PUT" and ticket["headers"]["Content-Length"] == str(len(body))
    put = requests.put(ticket["url"], data=body, headers=ticket["headers"], timeout=10)
    assert put.status_code == 200, put.text
    # Then the file is in acme's uploads, under the id the API answered
    s3 = boto3.client("s3")
    bucket = api.container.settings.workspace_bucket
    key = f"acme/{constants.UPLOADS_PREFIX}/{ticket['upload_id']}"
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body


def test_upload_requests_are_validated_and_viewers_cannot_upload(
    api: Any, signing_key: LocalSigningKey
) -> None:
    user = signing_key.mint(tenant_id="acme")
    viewer = signing_key.mint(tenant_id="acme", role="viewer")
    good = {"filename": "repo.tar.gz", "content_type": "application/gzip", "size_bytes": 10}
    assert call(api, "POST", "/uploads", token=viewer, body=good)[0] == 403
    assert call(api, "POST", "/uploads", body=good)[0] == 401
    # a file larger than the limit, a path as a file name, an unknown field: 422 naming the field
    for bad, field in (
        (good | {"size_bytes": constants.MAX_UPLOAD_BYTES + 1}, "size_bytes"),
        (good | {"filename": "../../etc/passwd"}, "filename"),
        (good | {"bucket": "other"}, "bucket"),
    ):
        status, body, _ = call(api, "POST", "/uploads", token=user, body=bad)
        assert status == 422, body
        assert any(field in detail["location"] for detail in body["details"]), body


def test_inputs_a_template_does_not_take_are_a_400_naming_the_field(
    api: Any, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme")
    status, body, _ = call(
        api, "POST", "/runs", token=token, body={"template": "generic", "topic": "x", "inputs": {"a": 1}}
    )
    assert status == 400, body
    assert body["details"][0]["location"] == "body.inputs"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://archives.example.com/repo.tar.gz", "plain http is not allowed"),
        ("https://127.0.0.1/repo.tar.gz", "a loopback address"),
        ("https://10.0.0.1/repo.zip", "a private address"),
        ("https://169.254.169.254/latest/meta-data/", "a link-local"),
        ("https://user:secret@archives.example.com/repo.zip", "may not carry credentials"),
    ],
)
def test_an_archive_url_the_fetch_would_refuse_is_a_400_naming_the_input_at_start(
    api: Any, aws: MotoAws, signing_key: LocalSigningKey, url: str, reason: str
) -> None:
    # Given a user of acme
    token = signing_key.mint(tenant_id="acme")
    # When they start an ingestion of an archive at a URL the fetch would never reach
    body = {"template": "repo_ingestion", "topic": "ingest", "inputs": {"archive_url": url}}
    status, answer, _ = call(api, "POST", "/runs", token=token, body=body)
    # Then it is refused at once, naming the input and why, and no run exists
    assert status == 400, answer
    assert answer["details"][0]["location"] == "body.inputs.archive_url"
    assert reason in answer["details"][0]["message"]
    assert call(api, "GET", "/runs", token=token)[1]["runs"] == []


def test_an_archive_url_on_a_host_the_deployment_allows_is_accepted(
    api: Any, aws: MotoAws, signing_key: LocalSigningKey
) -> None:
    # Given a deployment that lets archive fetches reach one private host over http
    aws.configure(fetch_allowed_hosts=frozenset({("127.0.0.1", 8765)}))
    token = signing_key.mint(tenant_id="acme")
    # When a run names an archive on that host
    body = {
        "template": "repo_ingestion",
        "topic": "ingest",
        "inputs": {"archive_url": "http://127.0.0.1:8765/repo.tar.gz"},
    }
    status, answer, _ = call(api, "POST", "/runs", token=token, body=body)
    # Then it starts; the same host on another port is still refused
    assert status == 202, answer
    body["inputs"] = {"archive_url": "http://127.0.0.1:8766/repo.tar.gz"}
    assert call(api, "POST", "/runs", token=token, body=body)[0] == 400
