"""One test per adaptation of moto in infra/local/moto_adapters.py (moto is pinned).

If a moto upgrade changes what the local cloud relies on, these fail first and say which.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.local_cloud.emulation import Emulation, wait_for_execution, wait_until


def test_interpreter_finds_the_server_through_moto_port(emulation: Emulation) -> None:
    from moto.settings import moto_server_port

    assert moto_server_port() == str(emulation.port)


def test_state_machines_really_execute(emulation: Emulation) -> None:
    definition = {
        "StartAt": "Add",
        "States": {"Add": {"Type": "Pass", "Result": 42, "ResultPath": "$.answer", "End": True}},
    }
    result = emulation.run_machine(definition, {"question": "?"})
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"question": "?", "answer": 42}


def test_lambda_invoke_runs_the_real_handler(emulation: Emulation) -> None:
    emulation.function("adapter-echo", "sample_handlers.echo")
    emulation.function("adapter-budget", "sample_handlers.over_budget")
    lam = emulation.client("lambda")
    ok = lam.invoke(FunctionName="adapter-echo", Payload=json.dumps({"x": 1}))
    body = json.loads(ok["Payload"].read())
    assert "FunctionError" not in ok and body["event"] == {"x": 1} and body["function_name"] == "adapter-echo"
    failed = lam.invoke(FunctionName="adapter-budget", Payload=b"{}")
    assert failed["FunctionError"]
    assert json.loads(failed["Payload"].read())["errorType"] == "BudgetExceeded"


def test_retry_and_catch_match_the_handlers_error_names(emulation: Emulation, tmp_path: Path) -> None:
    flaky = emulation.function("adapter-flaky", "sample_handlers.flaky")
    budget = emulation.function("adapter-over-budget", "sample_handlers.over_budget")

    def machine(function_arn: str) -> dict[str, Any]:
        return {
            "StartAt": "Work",
            "States": {
                "Work": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": function_arn, "Payload.$": "$"},
                    "Retry": [
                        {
                            "ErrorEquals": ["ProviderThrottled"],
                            "IntervalSeconds": 1,
                            "MaxAttempts": 3,
                            "BackoffRate": 1.0,
                        }
                    ],
                    "Catch": [
                        {"ErrorEquals": ["BudgetExceeded"], "ResultPath": "$.error", "Next": "Compensate"}
                    ],
                    "End": True,
                },
                "Compensate": {"Type": "Pass", "End": True},
            },
        }

    retried = emulation.run_machine(
        machine(flaky), {"counter_file": str(tmp_path / "calls"), "fail_times": 2}
    )
    assert retried["status"] == "SUCCEEDED"
    assert [e["type"] for e in retried["history"]].count("TaskFailed") == 2
    caught = emulation.run_machine(machine(budget), {})
    assert caught["status"] == "SUCCEEDED"
    output = json.loads(caught["output"])
    assert output["error"]["Error"] == "BudgetExceeded"
    assert "TaskFailed" in [e["type"] for e in caught["history"]]


def test_eventbridge_delivers_to_lambda_and_step_functions_targets(emulation: Emulation) -> None:
    recorder = emulation.function(
        "adapter-record", "sample_handlers.record", env={"RECORD_FILE": str(emulation.record_file)}
    )
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
    sfn = emulation.client("stepfunctions")
    machine = sfn.create_state_machine(
        name="on-event", definition=json.dumps(definition), roleArn=emulation.role_arn
    )["stateMachineArn"]
    events = emulation.client("events")
    events.create_event_bus(Name="adapter-bus")
    events.put_rule(
        Name="both", EventBusName="adapter-bus", EventPattern=json.dumps({"detail-type": ["Ping"]})
    )
    events.put_targets(
        Rule="both",
        EventBusName="adapter-bus",
        Targets=[{"Id": "fn", "Arn": recorder}, {"Id": "sm", "Arn": machine, "RoleArn": emulation.role_arn}],
    )
    events.put_events(
        Entries=[
            {
                "Source": "tests",
                "DetailType": "Ping",
                "Detail": json.dumps({"n": 1}),
                "EventBusName": "adapter-bus",
            }
        ]
    )
    deadline = time.time() + 15
    recorded: list[dict[str, Any]] = []
    executions: list[dict[str, Any]] = []
    while time.time() < deadline and not (recorded and executions):
        if emulation.record_file.exists():
            recorded = [json.loads(line) for line in emulation.record_file.read_text().splitlines()]
        executions = sfn.list_executions(stateMachineArn=machine)["executions"]
        time.sleep(0.1)
    assert recorded and recorded[0]["detail"] == {"n": 1} and recorded[0]["detail-type"] == "Ping"
    assert len(executions) == 1
    execution_input = json.loads(sfn.describe_execution(executionArn=executions[0]["executionArn"])["input"])
    assert execution_input["detail"] == {"n": 1}


def test_ended_executions_announce_their_status_on_the_default_bus(emulation: Emulation) -> None:
    sqs = emulation.client("sqs")
    queue_url = sqs.create_queue(QueueName="status-changes")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = emulation.client("events")
    events.put_rule(
        Name="status-changes",
        EventPattern=json.dumps(
            {"source": ["aws.states"], "detail-type": ["Step Functions Execution Status Change"]}
        ),
    )
    events.put_targets(Rule="status-changes", Targets=[{"Id": "q", "Arn": queue_arn}])
    failing = {
        "StartAt": "Boom",
        "States": {"Boom": {"Type": "Fail", "Error": "Broken", "Cause": "on purpose"}},
    }
    result = emulation.run_machine(failing, {"tenant_id": "acme"})
    assert result["status"] == "FAILED"
    deadline = time.time() + 10
    details: list[dict[str, Any]] = []
    while time.time() < deadline and not details:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        details = [json.loads(m["Body"])["detail"] for m in messages]
        details = [d for d in details if d["executionArn"] == result["executionArn"]]
    assert details, "no status change event for the ended execution"
    assert details[0]["status"] == "FAILED" and details[0]["error"] == "Broken"
    assert json.loads(details[0]["input"]) == {"tenant_id": "acme"}


def test_a_stopped_execution_stays_aborted_when_its_running_task_then_fails(emulation: Emulation) -> None:
    late = emulation.function("adapter-late-failure", "sample_handlers.sleep_then_fail")
    definition = {
        "StartAt": "Slow",
        "States": {
            "Slow": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": late, "Payload": {"seconds": 1.5}},
                "End": True,
            }
        },
    }
    sfn = emulation.client("stepfunctions")
    machine = sfn.create_state_machine(
        name="stop-me", definition=json.dumps(definition), roleArn=emulation.role_arn
    )
    execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input="{}")["executionArn"]
    wait_until(lambda: "TaskStarted" in history(sfn, execution), 10, "the task is running")
    sfn.stop_execution(executionArn=execution, error="Operator", cause="stuck")  # it fails 1.5 s later
    wait_until(
        lambda: "TaskFailed" in history(sfn, execution), 10, "the task's failure arrives after the stop"
    )
    assert wait_for_execution(sfn, execution, 10)["status"] == "ABORTED"


def test_the_history_links_events_as_step_functions_records_them(emulation: Emulation) -> None:
    # Given a machine of two states in a row
    definition = {
        "StartAt": "First",
        "States": {"First": {"Type": "Pass", "Next": "Second"}, "Second": {"Type": "Pass", "End": True}},
    }
    # When it runs
    events = emulation.run_machine(definition, {})["history"]
    # Then the links are Step Functions' own (as its recorded histories show): ExecutionStarted and
    # the first state's entry both follow event 0, every later event the one before it
    assert [(e["type"], e["id"], e["previousEventId"]) for e in events[:2]] == [
        ("ExecutionStarted", 1, 0),
        ("PassStateEntered", 2, 0),
    ]
    assert [e["previousEventId"] for e in events[2:]] == [e["id"] - 1 for e in events[2:]]


def test_an_execution_that_stops_itself_ends_aborted_with_its_reason(emulation: Emulation) -> None:
    # Given a machine whose task stops its own execution (StopExecution through the SDK integration)
    definition = {
        "StartAt": "Stop",
        "States": {
            "Stop": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sfn:stopExecution",
                "Parameters": {
                    "ExecutionArn.$": "$$.Execution.Id",
                    "Error": "Cancelled",
                    "Cause": "asked to",
                },
                "Next": "Not reached",
            },
            "Not reached": {"Type": "Fail", "Error": "StillRunning"},
        },
    }
    # When it runs
    result = emulation.run_machine(definition, {})
    # Then it ends ABORTED as on AWS, with the error and cause it gave, and no later state runs
    assert result["status"] == "ABORTED", result
    assert "FailStateEntered" not in [e["type"] for e in result["history"]]
    last = result["history"][-1]
    assert last["type"] == "ExecutionAborted"
    assert last["executionAbortedEventDetails"] == {"error": "Cancelled", "cause": "asked to"}


def history(sfn: Any, execution_arn: str) -> list[str]:
    """The types of the execution's history events, oldest first."""
    return [event["type"] for event in sfn.get_execution_history(executionArn=execution_arn)["events"]]


def test_vector_queries_answer_nearest_first(emulation: Emulation) -> None:
    # Given the adaptation, installed before the server's first S3 Vectors request, and an index
    from infra.local import moto_adapters

    moto_adapters.answer_vector_queries()
    vectors = emulation.client("s3vectors")
    vectors.create_vector_bucket(vectorBucketName="adapter-vectors")
    vectors.create_index(
        vectorBucketName="adapter-vectors",
        indexName="adapter-index",
        dataType="float32",
        dimension=2,
        distanceMetric="euclidean",
    )
    vectors.put_vectors(
        vectorBucketName="adapter-vectors",
        indexName="adapter-index",
        vectors=[
            {"key": "far", "data": {"float32": [3.0, 4.0]}, "metadata": {"side": "right"}},
            {"key": "near", "data": {"float32": [0.0, 1.0]}, "metadata": {"side": "left"}},
        ],
    )

    # When the index is queried through the server
    answer = vectors.query_vectors(
        vectorBucketName="adapter-vectors",
        indexName="adapter-index",
        topK=2,
        queryVector={"float32": [0.0, 0.0]},
        returnDistance=True,
        returnMetadata=True,
    )

    # Then QueryVectors is routed and answers in the service's shape, nearest first
    assert answer["distanceMetric"] == "euclidean"
    assert answer["vectors"] == [
        {"key": "near", "distance": 1.0, "metadata": {"side": "left"}},
        {"key": "far", "distance": 5.0, "metadata": {"side": "right"}},
    ]


def test_concurrent_dynamodb_transactions_and_writes_all_apply(emulation: Emulation) -> None:
    from concurrent.futures import ThreadPoolExecutor

    # Given one table written by many clients at once, half of them in transactions
    ddb = emulation.client("dynamodb")
    ddb.create_table(
        TableName="adapter-concurrency",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    table = emulation.session.resource("dynamodb", endpoint_url=emulation.endpoint).Table(
        "adapter-concurrency"
    )
    with table.batch_writer() as batch:  # a table of some size: moto copies it for each transaction
        for i in range(800):
            batch.put_item(Item={"pk": f"old-{i}", "payload": "x" * 200})

    def write(worker: int) -> None:
        client = emulation.client("dynamodb")
        for i in range(25):
            item = {"pk": {"S": f"w{worker}-{i}"}, "payload": {"S": "x" * 200}}
            if worker % 2:
                client.transact_write_items(
                    TransactItems=[
                        {"Put": {"TableName": "adapter-concurrency", "Item": item}},
                        {
                            "Put": {
                                "TableName": "adapter-concurrency",
                                "Item": item | {"pk": {"S": f"t{worker}-{i}"}},
                            }
                        },
                    ]
                )
            else:
                client.put_item(TableName="adapter-concurrency", Item=item)

    # When they all write at the same time
    with ThreadPoolExecutor(max_workers=8) as pool:
        for future in [pool.submit(write, worker) for worker in range(8)]:
            future.result()  # a 500 from the emulation raises here
    # Then every write is there: 4 plain writers x 25, 4 transactional writers x 25 x 2
    count = ddb.scan(TableName="adapter-concurrency", Select="COUNT")["Count"]
    assert count == 800 + 100 + 200


def test_dynamodb_keeps_no_item_beyond_what_its_tables_hold(emulation: Emulation) -> None:
    import gc

    from moto.dynamodb.models.dynamo_type import Item

    # Given a table of 20 items, each updated and queried many times, and written in transactions
    # (moto copies the items for each, and the whole table for a transaction)
    ddb = emulation.client("dynamodb")
    ddb.create_table(
        TableName="adapter-copies",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    gc.collect()
    alive_before = sum(1 for o in gc.get_objects() if type(o) is Item)
    for i in range(20):
        ddb.put_item(TableName="adapter-copies", Item={"pk": {"S": "run"}, "sk": {"S": f"{i:02}"}})
    for _ in range(5):
        for i in range(20):
            ddb.update_item(
                TableName="adapter-copies",
                Key={"pk": {"S": "run"}, "sk": {"S": f"{i:02}"}},
                UpdateExpression="ADD n :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )
        page = ddb.query(
            TableName="adapter-copies",
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "run"}},
        )
        assert page["Count"] == 20
        put = {
            "Put": {
                "TableName": "adapter-copies",
                "Item": {"pk": {"S": "run"}, "sk": {"S": "00"}, "n": {"N": "0"}},
            }
        }
        ddb.transact_write_items(TransactItems=[put])
        ddb.update_item(
            TableName="adapter-copies",
            Key={"pk": {"S": "run"}, "sk": {"S": "00"}},
            UpdateExpression="SET n = :n",
            ExpressionAttributeValues={":n": {"N": "5"}},
        )
    # Then every item and every update is there, and no more items are alive than the table holds
    items = ddb.scan(TableName="adapter-copies")["Items"]
    assert sorted(int(item["n"]["N"]) for item in items) == [5] * 20
    gc.collect()
    assert sum(1 for o in gc.get_objects() if type(o) is Item) - alive_before <= 20


def test_a_queue_counts_its_visible_in_flight_and_delayed_messages(emulation: Emulation) -> None:
    # Given a FIFO queue (what EventBridge feeds the push function) and a standard one
    sqs = emulation.client("sqs")
    fifo = sqs.create_queue(
        QueueName="adapter-counts.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    plain = sqs.create_queue(QueueName="adapter-counts")["QueueUrl"]
    # When one message is received (in flight), one waits, and one is delayed
    for body in ("first", "second"):
        sqs.send_message(QueueUrl=fifo, MessageBody=body, MessageGroupId="g")
    received = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=1)["Messages"]
    sqs.send_message(QueueUrl=plain, MessageBody="later", DelaySeconds=60)
    sqs.send_message(QueueUrl=plain, MessageBody="now")
    # Then each count is what SQS reports
    names = ["All"]
    counts = sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=names)["Attributes"]
    assert [m["Body"] for m in received] == ["first"]
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "1"
    assert counts["ApproximateNumberOfMessages"] == "1" and counts["ContentBasedDeduplication"] == "true"
    counts = sqs.get_queue_attributes(QueueUrl=plain, AttributeNames=names)["Attributes"]
    assert counts["ApproximateNumberOfMessagesDelayed"] == "1"
    assert counts["ApproximateNumberOfMessages"] == "1"
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=plain)["Messages"]] == ["now"]


def test_executions_of_one_definition_each_run_their_own_input(emulation: Emulation) -> None:
    # Given one state machine (its definition parsed once) with paths (each parsed once)
    definition = {
        "StartAt": "Pick",
        "States": {
            "Pick": {
                "Type": "Pass",
                "Parameters": {"picked.$": "$.value"},
                "ResultPath": "$.out",
                "End": True,
            }
        },
    }
    # When it runs again and again with other inputs
    results = [emulation.run_machine(definition, {"value": n}) for n in range(3)]
    # Then each execution got its own input through
    assert [json.loads(r["output"])["out"] for r in results] == [{"picked": n} for n in range(3)]
