"""Assertions on the synthesized CloudFormation template (what `cdk deploy` would deploy)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orchestrator.core.constants import ENV_AGENT_TYPE, ENV_TENANT_DATA_ACCESS_ROLE, PK, SK, TTL_ATTRIBUTE
from orchestrator.core.errors import RETRIED_ERROR_NAMES, TRANSIENT_ERROR_NAMES
from orchestrator.templates.graph import TEMPLATES, agent_types, build_template
from tests.synthesis_service import in_cdk_runtime
from tests.synthesized import resources_of_type, synthesized_template, workspace_bucket_id


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return synthesized_template()


def _definition(machine: dict[str, Any]) -> dict[str, Any]:
    """The ASL of a state machine, with the Fn::Join'd ARNs replaced by placeholders."""
    definition = machine["Properties"]["DefinitionString"]
    if isinstance(definition, dict) and "Fn::Join" in definition:
        parts = definition["Fn::Join"][1]
        definition = "".join(p if isinstance(p, str) else "ARN" for p in parts)
    return json.loads(definition)


def _machines(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The templates' state machines (the webhook retries' aside), by template name."""
    machines = resources_of_type(template, "AWS::StepFunctions::StateMachine")
    return {
        m["Properties"]["StateMachineName"].split("-", 1)[1]: _definition(m)
        for logical_id, m in machines.items()
        if logical_id.startswith("Workflow")
    }


def test_resource_counts_follow_the_templates(template: dict[str, Any]) -> None:
    # Given the templates declared as data, When the app is synthesized
    # Then one function per agent type plus fourteen shared ones (the push's three and the webhooks'
    # two among them), one state machine per template and the webhook retries'
    assert len(resources_of_type(template, "AWS::Lambda::Function")) == len(agent_types()) + 14
    assert len(resources_of_type(template, "AWS::StepFunctions::StateMachine")) == len(TEMPLATES) + 1
    assert len(resources_of_type(template, "AWS::DynamoDB::Table")) == 13
    assert len(resources_of_type(template, "AWS::Events::EventBus")) == 1
    assert len(resources_of_type(template, "AWS::Events::Rule")) == 5
    assert len(resources_of_type(template, "AWS::ApiGateway::RestApi")) == 1
    assert len(resources_of_type(template, "AWS::ApiGatewayV2::Api")) == 1  # push to clients (WebSocket)


def test_one_agent_function_per_agent_type(template: dict[str, Any]) -> None:
    functions = resources_of_type(template, "AWS::Lambda::Function")
    agents = {
        fn["Properties"]["Environment"]["Variables"][ENV_AGENT_TYPE]: logical_id
        for logical_id, fn in functions.items()
        if fn["Properties"]["Handler"] == "handlers.run_agent.handler"
    }
    assert sorted(agents) == sorted(agent_types())
    for agent, logical_id in agents.items():
        assert logical_id.startswith(f"FunctionsAgent{agent.replace('_', '')}"), logical_id
    shared = {fn["Properties"]["Handler"] for fn in functions.values()} - {"handlers.run_agent.handler"}
    assert shared == {
        f"handlers.{name}.handler"
        for name in (
            "undo_completed_work",
            "prepare_map",
            "approval_gate",
            "run_status",
            "audit_writer",
            "execution_ended",
            "start_run",
            "api",
            "authorizer",
            "websocket_authorizer",
            "websocket_routes",
            "push_events",
            "webhook_dispatch",
            "webhook_attempt",
        )
    }


def test_one_state_machine_per_template(template: dict[str, Any]) -> None:
    assert set(_machines(template)) == set(TEMPLATES)


def test_the_workspace_is_a_private_versioned_bucket(template: dict[str, Any]) -> None:
    workspace = workspace_bucket_id(template)
    props = template["Resources"][workspace]["Properties"]
    assert props["VersioningConfiguration"]["Status"] == "Enabled", "undo deletes the versions a run wrote"
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    (policy,) = (
        p
        for p in resources_of_type(template, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": workspace}
    )
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in statements
    ), "requests without TLS are denied"


def test_the_vector_bucket_is_encrypted_kept_and_named_in_the_outputs(template: dict[str, Any]) -> None:
    # Given the synthesized stack (data retained, the default)
    ((logical_id, bucket),) = resources_of_type(template, "AWS::S3Vectors::VectorBucket").items()

    # Then the one vector bucket is encrypted at rest, kept on stack deletion, and named by an output
    assert bucket["Properties"]["EncryptionConfiguration"] == {"SseType": "AES256"}
    assert bucket["DeletionPolicy"] == "Retain"
    assert template["Outputs"]["VectorBucketName"]["Value"] == {
        "Fn::Select": [1, {"Fn::Split": ["/", {"Fn::GetAtt": [logical_id, "VectorBucketArn"]}]}]
    }


def vector_grants(outdir: str) -> dict[str, Any]:
    """A reader and a writer granted access to a vector bucket as one tenant, checked by cdk-nag (an
    unacknowledged finding fails synthesis), synthesized into ``outdir``: the template and the
    logical ids of the bucket and of the two tenant roles. Run in the session's CDK runtime
    (``in_cdk_runtime``)."""
    from aws_cdk import App, Stack
    from aws_cdk import aws_lambda as lambda_

    from infra.cdk.constructs.tenant_access import TenantDataAccess
    from infra.cdk.constructs.vectors import VectorStorage
    from infra.cdk.nag import apply_nag

    app = App(outdir=outdir)
    stack = Stack(app, "VectorGrants")
    vectors = VectorStorage(stack, "Vectors")
    code = lambda_.Code.from_inline("def handler(event, context):\n    return None\n")
    reader, writer = (
        lambda_.Function(stack, name, runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler", code=code)
        for name in ("Reader", "Writer")
    )
    reading = TenantDataAccess(stack, "ReaderData", functions=[reader], description="reader")
    writing = TenantDataAccess(stack, "WriterData", functions=[writer], description="writer")
    reading.grant_vectors(vectors)
    writing.grant_vectors(vectors, write=True)
    apply_nag(app, stack, [reader, writer])
    return {
        "template": app.synth().get_stack_by_name(stack.stack_name).template,
        "bucket": stack.get_logical_id(vectors.bucket),
        "reader_role": stack.get_logical_id(reading.role.node.default_child),  # type: ignore[arg-type]
        "writer_role": stack.get_logical_id(writing.role.node.default_child),  # type: ignore[arg-type]
    }


def test_vector_grants_cover_the_sessions_tenants_indexes_with_the_stores_actions_only(
    tmp_path: Path,
) -> None:
    # Given a reader and a writer granted access to a vector bucket as one tenant, checked by cdk-nag
    # When synthesized (an unacknowledged cdk-nag finding fails synthesis)
    grants = in_cdk_runtime(vector_grants, str(tmp_path))
    synthesized, bucket_id = grants["template"], grants["bucket"]

    # Then each tenant role may use exactly the vector store's actions, on its session's tenant's
    # indexes only (c-<tenant index key>-*), and the functions' own roles none
    indexes = {
        "Fn::Join": [
            "",
            [{"Fn::GetAtt": [bucket_id, "VectorBucketArn"]}, "/index/c-${aws:PrincipalTag/tenant_index}-*"],
        ]
    }
    granted: dict[str, set[str]] = {}
    for policy in resources_of_type(synthesized, "AWS::IAM::Policy").values():
        role = policy["Properties"]["Roles"][0]["Ref"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if any(action.startswith("s3vectors:") for action in actions):
                assert statement["Resource"] == indexes
                granted.setdefault(role, set()).update(actions)
    reads = {"s3vectors:QueryVectors", "s3vectors:GetVectors"}
    writes = {
        "s3vectors:GetIndex",
        "s3vectors:CreateIndex",
        "s3vectors:DeleteIndex",
        "s3vectors:PutVectors",
        "s3vectors:DeleteVectors",
    }
    assert granted == {grants["reader_role"]: reads, grants["writer_role"]: reads | writes}


def test_only_agents_the_undo_loop_and_map_preparation_write_to_the_workspace(
    template: dict[str, Any],
) -> None:
    # the agents, the undo loop and the map preparation write, each through its tenant data access
    # role and under the session's tenant's prefix; nothing deletes but versions; the API only
    # presigns uploads, under its tenant's uploads prefix
    writers, uploaders = set(), set()
    for policy in resources_of_type(template, "AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert "s3:DeleteObject" not in actions and "s3:*" not in actions
            if "s3:PutObject" in actions:
                role = policy["Properties"]["Roles"][0]["Ref"]
                resource = json.dumps(statement["Resource"])
                assert '"/${aws:PrincipalTag/tenant_id}/' in resource, resource
                if resource.endswith('/uploads/*"]]}'):
                    uploaders.add(role)
                else:
                    writers.add(role)
    tenant_roles: dict[str, set[str]] = {}
    for fn in resources_of_type(template, "AWS::Lambda::Function").values():
        variables = fn["Properties"].get("Environment", {}).get("Variables", {})
        if ENV_TENANT_DATA_ACCESS_ROLE in variables:
            role = variables[ENV_TENANT_DATA_ACCESS_ROLE]["Fn::GetAtt"][0]
            tenant_roles.setdefault(fn["Properties"]["Handler"], set()).add(role)
    writing = set().union(
        *(
            tenant_roles[f"handlers.{name}.handler"]
            for name in ("run_agent", "undo_completed_work", "prepare_map")
        )
    )
    assert writers == writing and len(writers) == 4  # the agents share two roles (with and without vectors)
    assert uploaders == tenant_roles["handlers.api.handler"]


def test_every_table_is_keyed_by_tenant_and_on_demand(template: dict[str, Any]) -> None:
    for table in resources_of_type(template, "AWS::DynamoDB::Table").values():
        props = table["Properties"]
        assert props["KeySchema"] == [
            {"AttributeName": PK, "KeyType": "HASH"},
            {"AttributeName": SK, "KeyType": "RANGE"},
        ]
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_audit_events_expire_through_the_events_tables_ttl(template: dict[str, Any]) -> None:
    tables = resources_of_type(template, "AWS::DynamoDB::Table")
    (events,) = [t for lid, t in tables.items() if lid.startswith("TablesEvents")]
    assert events["Properties"]["TimeToLiveSpecification"] == {
        "AttributeName": TTL_ATTRIBUTE,
        "Enabled": True,
    }
    functions = resources_of_type(template, "AWS::Lambda::Function")
    (writer,) = [f for lid, f in functions.items() if lid.startswith("FunctionsAuditWriter")]
    assert writer["Properties"]["Environment"]["Variables"]["EVENT_RETENTION_DAYS"] == "365"


def test_event_retention_is_a_whole_number_of_days() -> None:
    from infra.cdk.app_factory import _retention_days

    assert _retention_days("90") == 90 and _retention_days(0) == 0
    for wrong in ("-1", "a year", "1.5"):
        with pytest.raises(ValueError, match="eventRetentionDays"):
            _retention_days(wrong)


def test_only_a_tenants_source_requests_runs_and_only_the_orchestrator_puts_lifecycle_events(
    template: dict[str, Any],
) -> None:
    rules = resources_of_type(template, "AWS::Events::Rule")
    (request_rule,) = [r for lid, r in rules.items() if lid.startswith("RoutesStartRunOnRequest")]
    pattern = request_rule["Properties"]["EventPattern"]
    assert pattern["source"] == [{"prefix": "orchestrator.tenant."}]
    assert pattern["detail-type"] == ["OrchestrationRequested"]
    policies = resources_of_type(template, "AWS::Events::EventBusPolicy")
    statements = {
        p["Properties"]["Statement"]["Sid"].removeprefix("cdk-"): p["Properties"]["Statement"]
        for p in policies.values()
    }
    lifecycle = statements["OnlyTheOrchestratorPutsLifecycleEvents"]
    assert lifecycle["Effect"] == "Deny" and lifecycle["Action"] == "events:PutEvents"
    assert lifecycle["Condition"]["StringEquals"] == {"events:source": "ai.orchestrator"}
    functions = resources_of_type(template, "AWS::Lambda::Function")
    # every function but the two authorizers and the WebSocket routes and push functions (they put
    # no events)
    assert len(lifecycle["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]) == len(functions) - 4
    # no producer configured: no one may use a tenant's source
    tenants = statements["OnlyTenantProducersRequestRuns"]
    assert tenants["Effect"] == "Deny"
    assert tenants["Condition"] == {"StringLike": {"events:source": "orchestrator.tenant.*"}}


def test_a_tenants_producer_may_use_its_source_only() -> None:
    arn = "arn:aws:iam::123456789012:role/acme-crm"
    configured = synthesized_template(tenantEventProducers=json.dumps({"acme": [arn]}))
    policies = resources_of_type(configured, "AWS::Events::EventBusPolicy").values()
    statements = {
        p["Properties"]["Statement"]["Sid"].removeprefix("cdk-"): p["Properties"]["Statement"]
        for p in policies
    }
    assert statements["Tenant0ProducersPut"]["Effect"] == "Allow"
    assert statements["Tenant0ProducersPut"]["Principal"] == {"AWS": arn}
    assert statements["Tenant0ProducersPut"]["Condition"] == {
        "StringEquals": {"events:source": "orchestrator.tenant.acme"}
    }
    assert statements["Tenant0ProducersOnly"]["Condition"] == {
        "StringEquals": {"events:source": "orchestrator.tenant.acme"},
        "ArnNotEquals": {"aws:PrincipalArn": [arn]},
    }
    assert statements["OnlyTenantProducersRequestRuns"]["Condition"]["ArnNotEquals"] == {
        "aws:PrincipalArn": [arn]
    }


def test_tenant_event_producers_are_checked_at_synthesis() -> None:
    from infra.cdk.app_factory import _tenant_producers

    arn = "arn:aws:iam::123456789012:role/acme-crm"
    assert _tenant_producers(json.dumps({"acme": [arn]})) == {"acme": [arn]}
    for wrong in ('["acme"]', {"acme": []}, {"acme": ["not-an-arn"]}, {"Bad Tenant!": [arn]}):
        with pytest.raises(ValueError):
            _tenant_producers(wrong)


def test_no_function_may_scan_and_only_run_slots_are_deleted(template: dict[str, Any]) -> None:
    tables = resources_of_type(template, "AWS::DynamoDB::Table")
    tenants_table = next(lid for lid in tables if lid.startswith("TablesTenants"))
    connections_table = next(lid for lid in tables if lid.startswith("TablesConnections"))
    actions: set[str] = set()
    for policy in resources_of_type(template, "AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            value = statement["Action"]
            granted = set(value if isinstance(value, list) else [value])
            actions |= granted
            if "dynamodb:DeleteItem" in granted:  # a run slot given back, or a closed connection
                resources = statement["Resource"]
                assert (
                    tenants_table in json.dumps(resources) or connections_table in json.dumps(resources)
                ) and len(resources if isinstance(resources, list) else [resources]) == 1, statement
    assert "dynamodb:GetItem" in actions and "dynamodb:Query" in actions
    assert not {a for a in actions if a in ("dynamodb:Scan", "dynamodb:*")}


def test_every_function_has_its_own_role(template: dict[str, Any]) -> None:
    roles = [
        json.dumps(fn["Properties"]["Role"])
        for fn in resources_of_type(template, "AWS::Lambda::Function").values()
    ]
    assert len(roles) == len(set(roles))


def _all_states(states: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every state, inside Parallel branches and Map item processors too."""
    for name, state in states.items():
        yield name, state
        for branch in state.get("Branches", []):
            yield from _all_states(branch["States"])
        if "ItemProcessor" in state:
            yield from _all_states(state["ItemProcessor"]["States"])


@pytest.mark.parametrize("template_name", sorted(TEMPLATES))
def test_every_task_retries_transient_errors_with_jitter(
    template: dict[str, Any], template_name: str
) -> None:
    states = _machines(template)[template_name]["States"]
    tasks = {name: state for name, state in _all_states(states) if state["Type"] == "Task"}
    assert tasks
    for name, task in tasks.items():
        retried = {error for retry in task.get("Retry", []) for error in retry["ErrorEquals"]}
        assert set(TRANSIENT_ERROR_NAMES) <= retried, name
        assert "States.ALL" not in retried, f"{name} must not retry permanent errors"
        assert all(retry.get("JitterStrategy") == "FULL" for retry in task["Retry"]), name
        assert all(retry["BackoffRate"] >= 1 for retry in task["Retry"]), name


@pytest.mark.parametrize("template_name", sorted(TEMPLATES))
def test_every_agent_task_tells_its_function_which_attempt_it_is(
    template: dict[str, Any], template_name: str
) -> None:
    states = _machines(template)[template_name]["States"]
    agent_steps = {step.label for step in TEMPLATES[template_name].agent_steps()}
    tasks = {name: state for name, state in _all_states(states) if state["Type"] == "Task"}
    agent_tasks = {name: task for name, task in tasks.items() if name.split(" (manifest)")[0] in agent_steps}
    assert agent_tasks
    for name, task in agent_tasks.items():
        assert task["Parameters"]["Payload"]["retry_count.$"] == "$$.State.RetryCount", name
        # and the function's view of the retry policy is the one the state machine applies
        (retry,) = task["Retry"]
        assert retry["MaxAttempts"] == TEMPLATES[template_name].retry.max_attempts, name
        assert tuple(retry["ErrorEquals"]) == RETRIED_ERROR_NAMES, name


@pytest.mark.parametrize("template_name", sorted(TEMPLATES))
def test_every_top_level_step_catches_into_compensation(template: dict[str, Any], template_name: str) -> None:
    definition = _machines(template)[template_name]
    states = definition["States"]
    declared = TEMPLATES[template_name]
    for step in declared.steps:
        names = [step.label] if step.kind != "map" else [f"Prepare {step.label}", step.label]
        for name in names:
            catch = states[name]["Catch"][-1]
            assert catch["ErrorEquals"] == ["States.ALL"], name
            assert catch["ResultPath"] == "$.error", "the original input must be kept"
            assert catch["Next"] == f"Record failure at {step.label}"
    for name in ("Start run", "Finish run"):
        assert states[name]["Catch"][0]["Next"] == f"Record failure at {name}"
    assert definition["StartAt"] == "Start run"
    # and no top-level Task, Parallel or Map is left without one but the last resort: if marking
    # the run COMPENSATION_FAILED fails, the execution fails and ExecutionEnded records the run
    uncaught = [
        name
        for name, state in states.items()
        if state["Type"] in ("Task", "Parallel", "Map") and not state.get("Catch")
    ]
    assert uncaught == ["Mark compensation failed"]
    assert states["Mark compensation failed"]["Next"] == "Compensation failed"


@pytest.mark.parametrize("template_name", sorted(TEMPLATES))
def test_state_names_are_what_operators_read(template: dict[str, Any], template_name: str) -> None:
    # Given the console shows state names, Then they are the steps' titles, never construct ids or hashes
    states = _machines(template)[template_name]["States"]
    names = [name for name, _ in _all_states(states)]
    for name in names:
        assert re.fullmatch(r"[A-Z][a-z0-9]*( [A-Za-z0-9?:()]+)*", name), name
        assert not re.search(r"[0-9A-F]{8}", name), f"{name} carries a hash"
    labels = [placement.step.label for placement in TEMPLATES[template_name].placements()]
    assert set(labels) <= set(names)


@pytest.mark.parametrize("template_name", sorted(TEMPLATES))
def test_compensation_is_a_bounded_loop_that_ends_by_cause(
    template: dict[str, Any], template_name: str
) -> None:
    states = _machines(template)[template_name]["States"]
    for name, state in states.items():
        if name.startswith("Record failure at"):
            assert state["Next"] == "Begin undo" and state["Catch"][0]["Next"] == "Begin undo"
    assert states["Begin undo"]["Next"] == "Undo completed work"
    assert states["Undo completed work"]["Catch"][0]["Next"] == "Mark compensation failed"
    choices = states["Anything left to undo?"]["Choices"]
    assert choices[0]["Next"] == "Undo completed work"
    assert "NumericLessThan" in json.dumps(choices[0]), "the loop has a round bound"
    assert states["Anything left to undo?"]["Default"] == "Mark run undone"
    ends = {c["Next"] for c in states["How did it end?"]["Choices"]} | {states["How did it end?"]["Default"]}
    assert ends == {"Run rejected", "Stop cancelled run", "Run compensated"}
    assert states["Run rejected"]["Type"] == states["Run compensated"]["Type"] == "Fail"
    # a cancelled run's execution ends ABORTED, as a cancel shows on Step Functions: it stops itself
    stop = states["Stop cancelled run"]
    assert stop["Resource"].endswith(":states:::aws-sdk:sfn:stopExecution")
    assert stop["Parameters"]["ExecutionArn.$"] == "$$.Execution.Id"
    assert stop["Parameters"]["Error"] == "RunCancelled"
    assert states[stop["Next"]]["Type"] == "Fail"  # only if the stop did not take


def test_the_showcase_has_parallel_branches_a_bounded_map_and_a_gate(template: dict[str, Any]) -> None:
    states = _machines(template)["graph_showcase"]["States"]
    assert states["Assess and plan"]["Type"] == "Parallel"
    assert len(states["Assess and plan"]["Branches"]) == 2
    branch_starts = {branch["StartAt"] for branch in states["Assess and plan"]["Branches"]}
    assert branch_starts == {"Assess risks", "Plan tasks"}
    # the list decides the map's kind: inline in the state, or an S3 manifest
    prepare = states["Prepare Execute tasks"]
    assert prepare["Next"] == "Execute tasks: list in state?"
    choice = states["Execute tasks: list in state?"]
    assert choice["Choices"][0]["Next"] == "Execute tasks" and choice["Default"] == "Execute tasks (manifest)"
    inline = states["Execute tasks"]
    assert inline["Type"] == "Map" and inline["MaxConcurrencyPath"] == "$.maps.execute.max_concurrency"
    assert prepare["ResultSelector"]["max_concurrency.$"] == "$.Payload.max_concurrency"
    assert inline["ItemsPath"] == "$.maps.execute.items"
    assert inline.get("ItemProcessor", {}).get("ProcessorConfig", {}).get("Mode", "INLINE") == "INLINE"
    distributed = states["Execute tasks (manifest)"]
    assert distributed["Type"] == "Map"
    assert distributed["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert distributed["ItemReader"]["Resource"] == "arn:ARN:states:::s3:getObject"
    assert distributed["ItemReader"]["ReaderConfig"] == {"InputType": "JSON"}
    assert distributed["ItemReader"]["Parameters"]["Key.$"] == "$.maps.execute.manifest.key"
    assert distributed["MaxConcurrencyPath"] == "$.maps.execute.max_concurrency"
    for map_state in (inline, distributed):
        assert map_state["ItemSelector"]["item.$"] == "$$.Map.Item.Value.index"
        assert map_state["ResultPath"] is None, "item results go to DynamoDB, not into the state"
    gate = states["Sign off release"]
    assert gate["Resource"].endswith("lambda:invoke.waitForTaskToken")
    assert gate["TimeoutSecondsPath"] == "$.gate_timeouts.sign_off", (
        "the run's window (at most the template's)"
    )
    assert gate["Catch"][0] == {
        "ErrorEquals": ["States.Timeout"],
        "ResultPath": "$.error",
        "Next": "Sign off release timed out",
    }
    timed_out = states["Sign off release timed out"]
    assert timed_out["Parameters"]["Error"] == "ApprovalTimedOut"
    assert "$.gate_timeouts.sign_off" in timed_out["Parameters"]["Cause.$"]


def test_gates_with_deadlines_wait_in_turns_each_timeout_caught_into_the_next(
    template: dict[str, Any],
) -> None:
    states = _machines(template)["change_request"]["States"]

    def timeout_catch(state: dict[str, Any]) -> dict[str, Any]:
        assert state["Catch"][0]["ErrorEquals"] == ["States.Timeout"], "the timeout is caught first"
        assert state["Catch"][-1]["ErrorEquals"] == ["States.ALL"], "anything else: compensation"
        return state["Catch"][0]

    # Given the peer review: it waits until the reminder, then until the deadline, then escalates
    review = states["Peer review"]
    assert review["Resource"].endswith("lambda:invoke.waitForTaskToken")
    assert review["TimeoutSecondsPath"] == "$.gate_deadlines.peer_review.remind_after"
    assert review["Parameters"]["Payload"]["action"] == "open"
    assert timeout_catch(review) == {
        "ErrorEquals": ["States.Timeout"],
        "ResultPath": None,
        "Next": "Peer review reminder",
    }
    reminder = states["Peer review reminder"]
    assert reminder["Resource"].endswith("lambda:invoke.waitForTaskToken")
    assert reminder["TimeoutSecondsPath"] == "$.gate_deadlines.peer_review.after_reminder"
    assert reminder["Parameters"]["Payload"]["action"] == "remind"
    assert "task_token.$" in reminder["Parameters"]["Payload"], "a re-armed turn waits on a new token"
    assert timeout_catch(reminder)["Next"] == "Peer review escalated"
    escalated = states["Peer review escalated"]
    assert escalated["TimeoutSecondsPath"] == "$.gate_deadlines.peer_review.escalation"
    assert escalated["Parameters"]["Payload"]["action"] == "escalate"
    assert timeout_catch(escalated)["Next"] == "Peer review timed out after escalation"
    timed_out = states["Peer review timed out after escalation"]
    assert timed_out["Parameters"]["Error"] == "ApprovalTimedOut"
    assert timed_out["Next"] == "Record failure at Peer review"
    # And a decision at any turn goes on to the next step
    for name in ("Peer review", "Peer review reminder", "Peer review escalated"):
        assert states[name]["Next"] == "Peer review decided", name
    assert states["Peer review decided"]["Next"] == "Plan the work"
    # Given the objections gate: at its deadline the gate decides by itself (no token: a plain task)
    assert timeout_catch(states["Objections"])["Next"] == "Objections default decision"
    default = states["Objections default decision"]
    assert default["Resource"] == "arn:ARN:states:::lambda:invoke"
    assert default["Parameters"]["Payload"]["action"] == "decide_by_default"
    assert "task_token.$" not in default["Parameters"]["Payload"]
    assert default["Next"] == "Objections decided"
    assert timeout_catch(states["Go decision reminder"])["Next"] == "Go decision default decision"


def test_state_machines_have_timeouts_logging_and_tracing(template: dict[str, Any]) -> None:
    for machine in resources_of_type(template, "AWS::StepFunctions::StateMachine").values():
        props = machine["Properties"]
        assert props["StateMachineType"] == "STANDARD"
        assert props["TracingConfiguration"]["Enabled"] is True
        assert props["LoggingConfiguration"]["Level"] == "ALL"
    for definition in _machines(template).values():
        assert definition["TimeoutSeconds"] > 0


def test_task_payloads_carry_references_not_outputs(template: dict[str, Any]) -> None:
    for definition in _machines(template).values():
        for name, state in _all_states(definition["States"]):
            if state["Type"] != "Task" or ":aws-sdk:" in state["Resource"]:
                continue  # a Lambda task's payload (an AWS SDK task such as the cancel's stop aside)
            payload = state["Parameters"]["Payload"]
            assert set(payload) <= {
                "tenant_id.$",
                "run_id.$",
                "correlation_id.$",
                "template.$",
                "step",
                "item.$",
                "retry_count.$",
                "rounds.$",
                "task_token.$",
                "action",
                "status",
                "execution_arn.$",
                "error.$",
                "failed_step",
            }, name
            if name.startswith("Prepare "):
                assert state["ResultPath"].startswith("$.maps.")
            elif "ResultPath" in state and state["ResultPath"] is not None:
                assert state["ResultPath"] in ("$.undo", "$.outcome"), name


def test_rules_route_lifecycle_events_to_audit_and_requests_to_start(template: dict[str, Any]) -> None:
    rules = [r["Properties"] for r in resources_of_type(template, "AWS::Events::Rule").values()]
    patterns = {json.dumps(rule["EventPattern"], sort_keys=True) for rule in rules}
    assert any('"OrchestrationRequested"' in p for p in patterns)
    assert any('"ORCHESTRATION_STARTED"' in p and '"ai.orchestrator"' in p for p in patterns)
    ended = [rule for rule in rules if rule["EventPattern"].get("source") == ["aws.states"]]
    assert len(ended) == 1 and "EventBusName" not in ended[0], (
        "execution status changes come on the default bus"
    )
    assert ended[0]["EventPattern"]["detail"]["status"] == ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]
    assert len(ended[0]["EventPattern"]["detail"]["stateMachineArn"]) == len(TEMPLATES)
    for rule in rules:
        assert rule in ended or rule["EventBusName"], "our own events stay on the custom bus"
        assert len(rule["Targets"]) == 1 and rule["Targets"][0]["DeadLetterConfig"]


def test_the_audit_writer_reads_every_lifecycle_event_from_its_queue_in_batches(
    template: dict[str, Any],
) -> None:
    rules = resources_of_type(template, "AWS::Events::Rule")
    (audit,) = [r["Properties"] for lid, r in rules.items() if lid.startswith("RoutesAuditEveryEvent")]
    (target,) = audit["Targets"]
    queues = resources_of_type(template, "AWS::SQS::Queue")
    queue_id = target["Arn"]["Fn::GetAtt"][0]
    assert queue_id.startswith("RoutesAuditQueue") and "FifoQueue" not in queues[queue_id]["Properties"]
    redrive = queues[queue_id]["Properties"]["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == 5
    assert redrive["deadLetterTargetArn"]["Fn::GetAtt"][0].startswith("EventsDeadLetters")
    assert target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0].startswith("EventsDeadLetters")

    functions = resources_of_type(template, "AWS::Lambda::Function")
    (writer_id,) = [lid for lid in functions if lid.startswith("FunctionsAuditWriter")]
    (mapping,) = [
        m["Properties"]
        for m in resources_of_type(template, "AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": writer_id}
    ]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert (mapping["BatchSize"], mapping["MaximumBatchingWindowInSeconds"]) == (25, 1)
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    reserved = functions[writer_id]["Properties"]["ReservedConcurrentExecutions"]
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": reserved}  # never throttled by its reserve
    visibility = queues[queue_id]["Properties"]["VisibilityTimeout"]
    assert visibility >= 6 * functions[writer_id]["Properties"]["Timeout"]
    invoke_configs = resources_of_type(template, "AWS::Lambda::EventInvokeConfig").values()
    assert all(c["Properties"]["FunctionName"] != {"Ref": writer_id} for c in invoke_configs)


def test_api_function_knows_issuer_and_state_machines(template: dict[str, Any]) -> None:
    functions = resources_of_type(template, "AWS::Lambda::Function").values()
    api = next(f for f in functions if f["Properties"]["Handler"] == "handlers.api.handler")
    env = api["Properties"]["Environment"]["Variables"]
    assert {"JWT_ISSUER", "JWT_AUDIENCE", "JWT_JWKS", "STATE_MACHINE_ARNS", "RUNS_TABLE_NAME"} <= set(env)
    stage = next(iter(resources_of_type(template, "AWS::ApiGateway::Stage").values()))["Properties"]
    assert stage["MethodSettings"][0]["ThrottlingRateLimit"] > 0


def test_the_function_told_of_each_execution_end_can_start_queued_runs(template: dict[str, Any]) -> None:
    functions = resources_of_type(template, "AWS::Lambda::Function")
    logical_id, ended = next(
        (lid, f)
        for lid, f in functions.items()
        if f["Properties"]["Handler"] == "handlers.execution_ended.handler"
    )
    assert "STATE_MACHINE_ARNS" in ended["Properties"]["Environment"]["Variables"]
    role = {"Ref": ended["Properties"]["Role"]["Fn::GetAtt"][0]}
    starts = _statements_allowing(template, role, "states:StartExecution")
    assert starts, f"{logical_id} may not start executions"
    started = json.dumps([statement["Resource"] for statement in starts])
    assert started.count("Workflow") >= len(TEMPLATES), "it may start each template's state machine"


def test_only_the_api_reads_execution_histories_and_only_of_executions(template: dict[str, Any]) -> None:
    functions = resources_of_type(template, "AWS::Lambda::Function").values()
    api = next(f for f in functions if f["Properties"]["Handler"] == "handlers.api.handler")
    api_role = api["Properties"]["Role"]["Fn::GetAtt"][0]
    readers, resources = set(), []
    for policy in resources_of_type(template, "AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if "states:GetExecutionHistory" in actions:
                readers |= {role["Ref"] for role in policy["Properties"]["Roles"]}
                resources.append(json.dumps(statement["Resource"]))
    assert readers == {api_role}
    assert len(resources) == len(TEMPLATES)  # one statement per state machine (the API's timelines)
    assert all(":execution:" in resource for resource in resources)


def _statements_allowing(template: dict[str, Any], role: dict[str, Any], action: str) -> list[dict[str, Any]]:
    """The policy statements of ``role`` (a ``Ref``) that name ``action``."""
    return [
        statement
        for policy in resources_of_type(template, "AWS::IAM::Policy").values()
        if role in policy["Properties"].get("Roles", [])
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if action in json.dumps(statement["Action"])
    ]


def test_a_state_machine_may_stop_only_its_own_executions(template: dict[str, Any]) -> None:
    # Given each template's state machine and its role
    machines = resources_of_type(template, "AWS::StepFunctions::StateMachine")
    for machine in (m for logical_id, m in machines.items() if logical_id.startswith("Workflow")):
        name = machine["Properties"]["StateMachineName"]
        role = {"Ref": machine["Properties"]["RoleArn"]["Fn::GetAtt"][0]}
        stops = [
            statement
            for statement in _statements_allowing(template, role, "states:stopExecution")
            if "Fn::Select" not in json.dumps(statement["Resource"])  # a Distributed Map's children
        ]
        # Then (a cancelled run stops itself) it may stop its own executions and nothing else
        assert len(stops) == 1, (name, stops)
        resource = json.dumps(stops[0]["Resource"])
        assert f":execution:{name}:*" in resource and "stateMachine" not in resource, resource


def _showcase_like(map_over: str) -> dict[str, Any]:
    return {
        "name": "broken_map",
        "title": "Broken map",
        "description": "maps over a list no earlier step declares",
        "steps": [
            {"kind": "agent", "name": "intake", "agent": "request_analyst"},
            {"kind": "agent", "name": "plan", "agent": "planner"},
            {
                "kind": "map",
                "name": "execute",
                "over": map_over,
                "max_concurrency": 3,
                "steps": [{"kind": "agent", "name": "execute_task", "agent": "task_executor"}],
            },
        ],
    }


def test_a_declared_template_like_the_showcase_builds() -> None:
    assert build_template(_showcase_like("plan.tasks")).map_step("execute").source_field == "tasks"


@pytest.mark.parametrize(
    ("over", "problem"),
    [
        ("plan.milestones", "has no field 'milestones' (it has: summary, tasks, confidence)"),
        ("plan.summary", "which is not a list"),
        ("report.tasks", "no earlier agent step is named 'report'"),
    ],
)
def test_a_map_over_a_list_no_earlier_step_declares_fails_template_building(over: str, problem: str) -> None:
    # Given a template whose map reads a list no earlier agent's output schema has
    # When it is built (module import, so `cdk synth`), Then it fails naming template and step
    with pytest.raises(ValueError, match="invalid template 'broken_map'") as raised:
        build_template(_showcase_like(over))
    assert "step 'execute'" in str(raised.value) and problem in str(raised.value)


def test_a_map_over_a_later_steps_list_fails_template_building() -> None:
    declaration = _showcase_like("plan.tasks")
    intake, plan, execute = declaration["steps"]
    declaration["steps"] = [intake, execute, plan]  # the plan comes after the map
    with pytest.raises(
        ValueError, match=r"'broken_map'.*step 'execute'.*no earlier agent step is named 'plan'"
    ):
        build_template(declaration)


def tables_of(removal_policy: str) -> list[dict[str, Any]]:
    """The tables construct's tables, synthesized in a stack of its own with ``removal_policy`` (a
    ``RemovalPolicy`` name): run in the session's CDK runtime (``in_cdk_runtime``)."""
    from aws_cdk import App, RemovalPolicy, Stack
    from aws_cdk.assertions import Template

    from infra.cdk.constructs.tables import OrchestratorTables

    stack = Stack(App(), "Tables")
    OrchestratorTables(stack, "Tables", removal_policy=RemovalPolicy[removal_policy])
    return list(Template.from_stack(stack).find_resources("AWS::DynamoDB::Table").values())


def test_kept_tables_are_protected_from_deletion_and_removable_ones_are_not() -> None:
    for policy in ("RETAIN", "DESTROY"):
        tables = in_cdk_runtime(tables_of, policy)
        assert len(tables) == 13
        for table in tables:
            assert table["Properties"]["DeletionProtectionEnabled"] is (policy == "RETAIN")
            assert table["DeletionPolicy"] == ("Retain" if policy == "RETAIN" else "Delete")
