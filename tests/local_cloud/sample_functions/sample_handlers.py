"""Small handlers the local-cloud tests deploy (plain Python, like any function's code)."""

import json
import os
import time
from pathlib import Path


class ProviderThrottled(Exception):
    pass


class BudgetExceeded(Exception):
    pass


def echo(event, context):
    return {
        "event": event,
        "function_name": context.function_name,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "env": dict(os.environ),
        "pid": os.getpid(),
        "parent_pid": os.getppid(),
        "cwd": os.getcwd(),
    }


def flaky(event, context):
    """Fails with ProviderThrottled until it has been called event['fail_times'] times."""
    counter = Path(event["counter_file"])
    calls = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(calls))
    if calls <= event["fail_times"]:
        raise ProviderThrottled(f"throttled on call {calls}")
    return {"calls": calls}


def over_budget(event, context):
    raise BudgetExceeded("tenant acme spent its monthly budget")


def sleepy(event, context):
    time.sleep(event["seconds"])
    return {"slept": event["seconds"], "pid": os.getpid()}


def crash(event, context):
    os._exit(3)


def record(event, context):
    """Appends the event it receives to a file (to observe asynchronous deliveries)."""
    with open(os.environ["RECORD_FILE"], "a", encoding="utf-8") as handle:
        handle.write(json.dumps(event) + "\n")
    return {"recorded": True}


def sleep_then_fail(event, context):
    time.sleep(event["seconds"])
    raise BudgetExceeded("failed after the execution was stopped")


def span(event, context):
    """Sleeps, then appends when it ran to event['spans_file'] (to measure concurrency)."""
    started = time.time()
    time.sleep(event.get("seconds", 0.5))
    line = json.dumps({"item": event.get("item"), "start": started, "end": time.time()})
    with open(event["spans_file"], "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    return {"item": event.get("item")}


def keep_token(event, context):
    """A .waitForTaskToken target: writes the task token where the test can read it."""
    target = Path(event["token_file"])
    partial = target.with_suffix(".partial")
    partial.write_text(event["task_token"])
    partial.replace(target)  # the test never reads half a token
    return {"waiting": True}


def flaky_noting_attempts(event, context):
    """Notes the event it gets (one JSON line per call), failing with ProviderThrottled on the
    first event['fail_times'] calls of each item."""
    notes = Path(event["notes_file"])
    with notes.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(event) + "\n")
    calls = [json.loads(line) for line in notes.read_text().splitlines()]
    if sum(1 for call in calls if call.get("item") == event.get("item")) <= event["fail_times"]:
        raise ProviderThrottled(f"throttled (retry {event['retry_count']})")
    return {"calls": len(calls)}


def botocore_models(event, context):
    """What a new session's botocore loader holds before its first client, and whether the DynamoDB
    and EventBridge models and the endpoints it loads are the ones a loader reads from the files."""
    import boto3
    import botocore.loaders

    session = boto3.session.Session(region_name="eu-west-1")
    loader = session._session.get_component("data_loader")
    held = len(loader._cache)
    fresh = botocore.loaders.Loader()
    same = all(
        loader.load_service_model(service, "service-2") == fresh.load_service_model(service, "service-2")
        for service in ("dynamodb", "events")
    ) and loader.load_data("endpoints") == fresh.load_data("endpoints")
    client = session.client("dynamodb", aws_access_key_id="a", aws_secret_access_key="b")
    return {"held": held, "same": same, "operations": len(client.meta.service_model.operation_names)}
