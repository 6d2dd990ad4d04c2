"""What a run's own AWS requests cost (model tokens apart): the counts and their prices.

The functions count their own requests (``orchestrator.adapters.request_meter``): each AWS call
by service and operation, the DynamoDB capacity units each call reports it consumed, the entries
of each ``PutEvents``, the Lambda invocation itself and its GB-seconds (memory size x time until the
count is written). The counts travel with writes the function makes anyway (a step's result, the
run's record), never with a write of their own.

``AwsPrices`` are the published on-demand list prices of us-east-1 (checked 2026-12-04):

- Lambda (arm64): 0.20 USD per million requests, 0.0000133334 USD per GB-second;
- Step Functions Standard: 0.025 USD per 1,000 state transitions;
- DynamoDB on-demand: 0.125 USD per million read request units, 0.625 USD per million write
  request units;
- S3 Standard: 0.005 USD per 1,000 PUT, COPY, POST and LIST requests, 0.0004 USD per 1,000 GET and
  other requests (DELETE free);
- EventBridge: 1.00 USD per million custom events put;
- API Gateway REST: 3.50 USD per million requests; SQS standard: 0.40 USD per million requests;
- Secrets Manager: 0.05 USD per 10,000 calls; KMS: 0.03 USD per 10,000 requests.

Other regions differ by a few percent: a deployment overrides any of them through the same
``MODEL_PRICES`` JSON as the model prices, with ``"aws/<field>": <USD per unit>`` entries
(``{"aws/lambda_gb_second": 0.0000166667}`` for x86 functions). Requests to other services
(STS, S3 Vectors) are counted and shown but not priced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

AWS_PRICE_PREFIX = "aws/"


class AwsUsage(BaseModel):
    """AWS requests of one function invocation (or the sum of several)."""

    model_config = ConfigDict(defer_build=True)

    requests: dict[str, int] = Field(
        default_factory=dict, description="calls by `service:Operation` (e.g. `dynamodb:GetItem`)"
    )
    read_units: float = Field(0.0, description="DynamoDB read request units consumed")
    write_units: float = Field(0.0, description="DynamoDB write request units consumed")
    event_entries: int = Field(0, description="EventBridge entries put")
    lambda_invocations: int = 0
    lambda_gb_seconds: float = 0.0
    state_transitions: int = Field(0, description="Step Functions state transitions")
    api_requests: int = Field(0, description="API Gateway requests")
    queue_requests: int = Field(0, description="SQS requests")

    def plus(self, other: AwsUsage | None) -> AwsUsage:
        if other is None:
            return self
        requests = dict(self.requests)
        for name, count in other.requests.items():
            requests[name] = requests.get(name, 0) + count
        return AwsUsage(
            requests=requests,
            read_units=round(self.read_units + other.read_units, 3),
            write_units=round(self.write_units + other.write_units, 3),
            event_entries=self.event_entries + other.event_entries,
            lambda_invocations=self.lambda_invocations + other.lambda_invocations,
            lambda_gb_seconds=round(self.lambda_gb_seconds + other.lambda_gb_seconds, 6),
            state_transitions=self.state_transitions + other.state_transitions,
            api_requests=self.api_requests + other.api_requests,
            queue_requests=self.queue_requests + other.queue_requests,
        )

    def times(self, factor: int) -> AwsUsage:
        return AwsUsage(
            requests={name: count * factor for name, count in self.requests.items()},
            read_units=round(self.read_units * factor, 3),
            write_units=round(self.write_units * factor, 3),
            event_entries=self.event_entries * factor,
            lambda_invocations=self.lambda_invocations * factor,
            lambda_gb_seconds=round(self.lambda_gb_seconds * factor, 6),
            state_transitions=self.state_transitions * factor,
            api_requests=self.api_requests * factor,
            queue_requests=self.queue_requests * factor,
        )

    def count(self, service: str, operation: str | None = None) -> int:
        """Calls to ``service`` (one ``operation`` of it, or all)."""
        if operation is not None:
            return self.requests.get(f"{service}:{operation}", 0)
        return sum(n for name, n in self.requests.items() if name.split(":", 1)[0] == service)


@dataclass(frozen=True)
class AwsPrices:
    """USD per unit (us-east-1 list prices, 2026-12-04; see the module's text)."""

    lambda_request: float = 0.20e-6
    lambda_gb_second: float = 0.0000133334
    state_transition: float = 0.000025
    dynamodb_read_unit: float = 0.125e-6
    dynamodb_write_unit: float = 0.625e-6
    s3_write_request: float = 0.005e-3  # PUT, COPY, POST, LIST
    s3_read_request: float = 0.0004e-3  # GET and every other request but DELETE
    event: float = 1.00e-6
    api_request: float = 3.50e-6
    queue_request: float = 0.40e-6
    secrets_request: float = 0.05e-4
    kms_request: float = 0.03e-4

    def with_overrides(self, raw: Mapping[str, Any]) -> AwsPrices:
        """These prices with ``{"aws/<field>": <USD>}`` entries of ``raw`` applied."""
        known = {f.name for f in fields(self)}
        changes: dict[str, float] = {}
        for key, value in raw.items():
            name = key[len(AWS_PRICE_PREFIX) :]
            if name not in known:
                raise ValueError(f"AWS price {key!r}: unknown; known: {', '.join(sorted(known))}")
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"AWS price {key!r}: expected a number of USD >= 0, got {value!r}")
            changes[name] = float(value)
        return replace(self, **changes)

    def cost_by_service(self, usage: AwsUsage) -> dict[str, float]:
        """What ``usage`` costs, by service (USD)."""
        s3_free = sum(n for name, n in usage.requests.items() if _s3_kind(name) == "free")
        s3_writes = sum(n for name, n in usage.requests.items() if _s3_kind(name) == "write")
        s3_reads = usage.count("s3") - s3_writes - s3_free
        costs = {
            "lambda": usage.lambda_invocations * self.lambda_request
            + usage.lambda_gb_seconds * self.lambda_gb_second,
            "stepfunctions": usage.state_transitions * self.state_transition,
            "dynamodb": usage.read_units * self.dynamodb_read_unit
            + usage.write_units * self.dynamodb_write_unit,
            "s3": s3_writes * self.s3_write_request + s3_reads * self.s3_read_request,
            "events": usage.event_entries * self.event,
            "apigateway": usage.api_requests * self.api_request,
            "sqs": usage.queue_requests * self.queue_request,
            "secretsmanager": usage.count("secretsmanager") * self.secrets_request,
            "kms": usage.count("kms") * self.kms_request,
        }
        return {service: round(usd, 9) for service, usd in costs.items()}

    def cost_usd(self, usage: AwsUsage) -> float:
        return round(sum(self.cost_by_service(usage).values()), 9)


def _s3_kind(name: str) -> str | None:
    service, _, operation = name.partition(":")
    if service != "s3":
        return None
    if operation.startswith(("Delete", "AbortMultipartUpload")):
        return "free"
    if operation.startswith(("Put", "Copy", "Post", "List", "CreateMultipart", "UploadPart", "Complete")):
        return "write"
    return "read"


DEFAULT_AWS_PRICES = AwsPrices()
