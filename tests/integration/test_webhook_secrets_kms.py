"""Webhook signing secrets sealed with KMS (moto): bound to their tenant and endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from orchestrator.adapters.kms_secrets import KmsSecretBox
from orchestrator.core.errors import OrchestratorError
from orchestrator.webhooks.signing import new_secret


@pytest.fixture
def box() -> Iterator[KmsSecretBox]:
    with mock_aws():
        kms = boto3.client("kms")
        key = kms.create_key(Description="webhook secrets")["KeyMetadata"]["Arn"]
        yield KmsSecretBox(key, client=kms)


def test_a_sealed_secret_opens_for_its_tenant_and_endpoint_only(box: KmsSecretBox) -> None:
    secret = new_secret()
    sealed = box.seal("acme", "wh_1", secret)
    assert sealed.startswith("kms:") and secret not in sealed
    assert box.open("acme", "wh_1", sealed) == secret
    fresh = KmsSecretBox(box._key_id, client=box._client)  # nothing kept: KMS decides
    with pytest.raises(OrchestratorError):
        fresh.open("globex", "wh_1", sealed)
    with pytest.raises(OrchestratorError):
        fresh.open("acme", "wh_2", sealed)


def test_a_secret_kept_before_sealing_is_read_as_it_is(box: KmsSecretBox) -> None:
    assert box.open("acme", "wh_1", "whsec_abc") == "whsec_abc"
