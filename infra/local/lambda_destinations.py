"""The record Lambda sends to a function's on-failure destination when an asynchronous invocation
still fails after its retries (the "invocation record", version 1.0)."""

from __future__ import annotations

import time
import uuid
from typing import Any


def failure_record(function_arn: str, event: Any, response: Any, attempts: int) -> dict[str, Any]:
    return {
        "version": "1.0",
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": f"{function_arn}:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": attempts,
        },
        "requestPayload": event,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": response,
    }
