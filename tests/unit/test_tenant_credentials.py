"""Tenant data credentials: those of the tenant the invocation acts for, or none at all."""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import NoCredentialsError

from orchestrator.adapters import aws_clients as aws
from orchestrator.api.security import remember
from orchestrator.core.constants import (
    ENV_TENANT_DATA_ACCESS_ROLE,
    TENANT_INDEX_SESSION_TAG,
    TENANT_SESSION_TAG,
    UPLOAD_URL_TTL_SECONDS,
)
from orchestrator.core.vectors import vector_index_name
from orchestrator.tenancy.credentials import (
    REFRESH_MARGIN_SECONDS,
    SESSION_SECONDS,
    NoTenantInContext,
    TenantScopedCredentials,
    act_for_tenant,
    acting_for,
    acting_for_tenant,
    tenant_data_session,
)

ROLE = "arn:aws:iam::123456789012:role/tenant-data-access"


class FakeSts:
    """``assume_role`` as STS answers it: fresh keys per call, expiring ``SESSION_SECONDS`` later."""

    def __init__(self, clock: Any = time.time, delay: float = 0.0) -> None:
        self.calls: list[dict[str, Any]] = []
        self._clock = clock
        self._delay = delay
        self._lock = threading.Lock()
        self.hold: dict[str, threading.Event] = {}  # a tenant whose assumption waits for its event

    def assume_role(self, **kwargs: Any) -> dict[str, Any]:
        tenant = kwargs["RoleSessionName"]
        if tenant in self.hold:
            assert self.hold[tenant].wait(5)
        time.sleep(self._delay)
        with self._lock:
            self.calls.append(kwargs)
            n = len(self.calls)
        return {
            "Credentials": {
                "AccessKeyId": f"ASIA-{tenant}-{n}",
                "SecretAccessKey": f"secret-{tenant}-{n}",
                "SessionToken": f"token-{tenant}-{n}",
                "Expiration": datetime.fromtimestamp(self._clock() + kwargs["DurationSeconds"], UTC),
            },
            "AssumedRoleUser": {"Arn": f"arn:aws:sts::123456789012:assumed-role/tenant-data-access/{tenant}"},
        }

    def assumed_for(self) -> list[str]:
        return [call["RoleSessionName"] for call in self.calls]


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _no_tenant() -> Iterator[None]:
    act_for_tenant(None)
    yield
    act_for_tenant(None)


def test_each_tenant_gets_its_own_credentials_chosen_by_the_request_context() -> None:
    # Given credentials over an STS that issues distinct keys per call
    sts = FakeSts()
    credentials = TenantScopedCredentials(ROLE, lambda: sts)

    # When requests act for acme, then globex, then acme again
    act_for_tenant("acme")
    acme = credentials.get_frozen_credentials()
    act_for_tenant("globex")
    globex = credentials.get_frozen_credentials()
    act_for_tenant("acme")
    acme_again = credentials.get_frozen_credentials()

    # Then each tenant signs with its own keys, and acme's are reused rather than assumed twice
    assert acme.access_key == "ASIA-acme-1" and globex.access_key == "ASIA-globex-2"
    assert acme_again == acme
    assert credentials.access_key == "ASIA-acme-1" and credentials.token == "token-acme-1"
    assert credentials.account_id == "123456789012"
    assert sts.assumed_for() == ["acme", "globex"]


def test_the_role_is_assumed_with_the_tenant_and_its_index_key_as_session_tags() -> None:
    sts = FakeSts()
    act_for_tenant("acme-corp")

    TenantScopedCredentials(ROLE, lambda: sts).get_frozen_credentials()

    (call,) = sts.calls
    index_key = call["Tags"][1]["Value"]
    assert call == {
        "RoleArn": ROLE,
        "RoleSessionName": "acme-corp",
        "Tags": [
            {"Key": TENANT_SESSION_TAG, "Value": "acme-corp"},
            {"Key": TENANT_INDEX_SESSION_TAG, "Value": index_key},
        ],
        "DurationSeconds": SESSION_SECONDS,
    }
    # the index tag is what every index name of the tenant begins with, and no other tenant's
    assert vector_index_name("acme-corp", "run-1").startswith(f"c-{index_key}-")
    assert not vector_index_name("acme", "run-1").startswith(f"c-{index_key}-")


def test_a_handler_acts_for_its_tenant_inside_the_block_only_however_it_ends() -> None:
    with acting_for_tenant("acme"):
        assert acting_for() == "acme"
    assert acting_for() is None

    with pytest.raises(RuntimeError), acting_for_tenant("globex"):
        raise RuntimeError("the step failed")
    assert acting_for() is None  # a warm function does not carry globex into its next invocation


def test_credentials_outlast_every_upload_url_signed_with_them() -> None:
    # a presigned URL stops working when the credentials that signed it expire
    assert REFRESH_MARGIN_SECONDS > UPLOAD_URL_TTL_SECONDS
    assert SESSION_SECONDS - REFRESH_MARGIN_SECONDS >= 40 * 60  # still reused for most of the hour


def test_without_a_tenant_in_context_nothing_is_signed_and_sts_is_not_asked() -> None:
    sts = FakeSts()
    credentials = TenantScopedCredentials(ROLE, lambda: sts)

    for read in (
        credentials.get_frozen_credentials,
        lambda: credentials.access_key,
        lambda: credentials.account_id,
    ):
        with pytest.raises(NoTenantInContext):
            read()
    assert issubclass(NoTenantInContext, NoCredentialsError)  # the data layer's BotoCoreError path
    assert sts.calls == []


def test_a_dynamodb_client_of_the_tenant_session_signs_as_the_tenant_and_fails_closed_without_one() -> None:
    # Given a DynamoDB client of the tenant data session; sending is replaced by recording
    sts = FakeSts()
    dynamodb = tenant_data_session(ROLE, lambda: sts).client("dynamodb", region_name="us-east-1")
    signed_with: list[str] = []

    class Sent(Exception):
        pass

    def record(request: Any, **_: Any) -> None:
        header = request.headers["Authorization"]
        header = header.decode() if isinstance(header, bytes) else header
        signed_with.append(header.split("Credential=")[1].split("/")[0])
        raise Sent

    dynamodb.meta.events.register("before-send", record)
    get = {"TableName": "runs", "Key": {"pk": {"S": "acme"}, "sk": {"S": "r"}}}

    # When a request is made with no tenant in context, then it is refused before it is signed
    with pytest.raises(NoTenantInContext):
        dynamodb.get_item(**get)
    assert signed_with == [] and sts.calls == []

    # When the request acts for acme and then for globex, then each is signed with its own key
    for tenant in ("acme", "globex"):
        act_for_tenant(tenant)
        with pytest.raises(Sent):
            dynamodb.get_item(**get)
    assert signed_with == ["ASIA-acme-1", "ASIA-globex-2"]


def test_twenty_concurrent_requests_of_one_tenant_assume_its_role_once() -> None:
    # Given an STS slow enough that every thread asks before the first answer arrives
    sts = FakeSts(delay=0.05)
    credentials = TenantScopedCredentials(ROLE, lambda: sts)
    keys: list[str] = []
    start = threading.Barrier(20)

    def request(tenant: str) -> None:
        act_for_tenant(tenant)  # a new thread starts with no tenant: each request sets its own
        start.wait()
        keys.append(credentials.get_frozen_credentials().access_key)

    # When 20 threads, half of them for acme and half for globex, ask at once
    threads = [threading.Thread(target=request, args=("acme" if i % 2 else "globex",)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then each tenant's role was assumed exactly once and every thread got that tenant's keys
    assert sorted(sts.assumed_for()) == ["acme", "globex"]
    assert len(keys) == 20 and len(set(keys)) == 2


def test_a_slow_assumption_for_one_tenant_does_not_hold_up_another() -> None:
    sts = FakeSts()
    sts.hold["slow"] = threading.Event()
    credentials = TenantScopedCredentials(ROLE, lambda: sts)

    def slow_request() -> None:
        act_for_tenant("slow")
        credentials.get_frozen_credentials()

    waiting = threading.Thread(target=slow_request)
    waiting.start()
    try:
        act_for_tenant("fast")
        assert credentials.get_frozen_credentials().access_key == "ASIA-fast-1"  # while slow waits
    finally:
        sts.hold["slow"].set()
        waiting.join()
    assert sts.assumed_for() == ["fast", "slow"]


def test_credentials_are_renewed_before_they_expire() -> None:
    clock = Clock()
    sts = FakeSts(clock=clock)
    credentials = TenantScopedCredentials(ROLE, lambda: sts, clock=clock)
    act_for_tenant("acme")
    first = credentials.get_frozen_credentials()

    clock.now += SESSION_SECONDS - REFRESH_MARGIN_SECONDS - 1  # still more than the margin left
    assert credentials.get_frozen_credentials() == first

    clock.now += 2  # within the margin: renewed before use
    renewed = credentials.get_frozen_credentials()
    assert renewed.access_key == "ASIA-acme-2"
    assert sts.assumed_for() == ["acme", "acme"]


def test_expired_credentials_of_other_tenants_are_dropped_when_new_ones_are_issued() -> None:
    clock = Clock()
    sts = FakeSts(clock=clock)
    credentials = TenantScopedCredentials(ROLE, lambda: sts, clock=clock)
    act_for_tenant("acme")
    credentials.get_frozen_credentials()

    clock.now += SESSION_SECONDS + 1
    act_for_tenant("globex")
    credentials.get_frozen_credentials()

    assert set(credentials._issued) == {"globex"}  # an idle tenant's keys are not kept past expiry


@pytest.mark.parametrize("tenant_id", ["", "a", "Acme", "acme#runs", "acme\n", "acme*", "ac me", "-acme"])
def test_an_invalid_tenant_id_is_refused_and_the_context_is_unchanged(tenant_id: str) -> None:
    act_for_tenant("acme")

    with pytest.raises(ValueError, match="invalid"):
        act_for_tenant(tenant_id)

    assert acting_for() == "acme"


def test_a_thread_started_by_a_request_has_no_tenant_unless_it_copies_the_context() -> None:
    act_for_tenant("acme")
    seen: dict[str, str | None] = {}
    plain = threading.Thread(target=lambda: seen.update(plain=acting_for()))
    copied_context = contextvars.copy_context()
    copied = threading.Thread(target=lambda: seen.update(copied=copied_context.run(acting_for)))
    for thread in (plain, copied):
        thread.start()
        thread.join()

    assert seen == {"plain": None, "copied": "acme"}


def test_verified_claims_choose_the_tenant_and_claims_without_a_valid_one_choose_none() -> None:
    remember({"sub": "alice", "tenant_id": "acme", "role": "user"})
    assert acting_for() == "acme"

    for claims in (
        {"sub": "mallory", "role": "user"},
        {"sub": "mallory", "tenant_id": "Acme", "role": "user"},
        {"sub": "mallory", "tenant_id": "acme\n", "role": "user"},
    ):
        remember({"sub": "alice", "tenant_id": "acme", "role": "user"})
        remember(claims)
        assert acting_for() is None, claims


def test_only_the_tenant_data_clients_of_a_function_with_the_role_sign_as_the_tenant(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a function with the tenant data access role
    monkeypatch.setenv(ENV_TENANT_DATA_ACCESS_ROLE, ROLE)
    fenced = aws.client("dynamodb")
    resource = aws.dynamodb_resource()

    # Then its DynamoDB, S3 and S3 Vectors clients sign as the tenant
    for signed in (fenced, resource.meta.client, aws.client("s3"), aws.client("s3vectors")):
        assert isinstance(signed._request_signer._credentials, TenantScopedCredentials)
    # And STS, the bus, Step Functions and the table shared by every tenant use the function's own role
    for own in (aws.client("sts"), aws.client("events"), aws.client("dynamodb", as_tenant=False)):
        assert not isinstance(own._request_signer._credentials, TenantScopedCredentials)

    # And a function without the role keeps its own credentials for DynamoDB too
    monkeypatch.delenv(ENV_TENANT_DATA_ACCESS_ROLE)
    plain = aws.client("dynamodb")
    assert plain is not fenced
    assert not isinstance(plain._request_signer._credentials, TenantScopedCredentials)


def test_the_tenant_session_shares_the_function_s_service_models_not_its_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a function with the tenant data access role
    monkeypatch.setenv(ENV_TENANT_DATA_ACCESS_ROLE, ROLE)
    fenced, own = aws.client("dynamodb"), aws.client("dynamodb", as_tenant=False)

    # Then both sessions read botocore's service models through one loader (parsed once)
    tenant_session, own_session = aws._session_as(ROLE)._session, aws._session()._session
    assert tenant_session is not own_session
    assert tenant_session.get_component("data_loader") is own_session.get_component("data_loader")
    # And each client still signs with its own session's credentials
    assert isinstance(fenced._request_signer._credentials, TenantScopedCredentials)
    assert not isinstance(own._request_signer._credentials, TenantScopedCredentials)
    assert fenced.meta.events is not own.meta.events
