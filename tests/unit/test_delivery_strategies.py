"""Deployment strategies: the plan of stages, the environment's state through them, health checks."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from orchestrator.core.errors import (
    TRANSIENT_ERROR_NAMES,
    ConflictError,
    DeploymentStageFailed,
    InvalidRequest,
)
from orchestrator.delivery.strategies import (
    DeploymentPlan,
    DeploymentRequest,
    EnvironmentState,
    apply_stage,
    evaluate_health,
    initial_state,
    plan_deployment,
    rollback_stage,
)

REQUESTS: dict[str, dict[str, Any]] = {
    "blue_green": {"strategy": "blue_green"},
    "canary": {"strategy": "canary"},
    "canary-custom": {"strategy": "canary", "canary_steps": [1, 10, 100]},
    "canary-one-step": {"strategy": "canary", "canary_steps": [100], "instances": 1},
    "rolling": {"strategy": "rolling"},
    "rolling-10-in-3": {"strategy": "rolling", "instances": 10, "rolling_batches": 3},
    "rolling-100": {"strategy": "rolling", "instances": 100},
    "rolling-single": {"strategy": "rolling", "instances": 1},
    "staging-strict": {
        "strategy": "canary",
        "environment": "staging",
        "error_rate_threshold": 0.0,
        "latency_p99_ms_threshold": 1,
    },
}


def plan_for(body: dict[str, Any], version: str = "v2", previous: str | None = "v1") -> DeploymentPlan:
    return plan_deployment(DeploymentRequest.model_validate(body), version=version, previous_version=previous)


def all_plans() -> list[Any]:
    return [pytest.param(body, id=name) for name, body in REQUESTS.items()]


# --- the request -----------------------------------------------------------------------------
def test_an_empty_request_is_a_canary_of_app_in_production() -> None:
    request = DeploymentRequest.model_validate({})

    assert (request.strategy, request.service, request.environment) == ("canary", "app", "production")
    assert (request.instances, request.error_rate_threshold, request.latency_p99_ms_threshold) == (
        4,
        0.01,
        800,
    )
    assert request.version is request.canary_steps is request.rolling_batches is request.fail_at_stage is None


@pytest.mark.parametrize(
    ("steps", "reason"),
    [
        ([5, 50, 25, 100], "strictly increasing"),
        ([5, 5, 100], "strictly increasing"),
        ([5, 25, 50], "end at 100"),
        ([0, 50, 100], "1 to 100"),
        ([50, 100, 101], "1 to 100"),
        ([], "at least 1"),
        ([*range(10, 101, 10), 100], "at most 10"),
    ],
    ids=["decreasing", "repeated", "not-ending-at-100", "zero", "over-100", "empty", "eleven-steps"],
)
def test_invalid_canary_steps_are_refused_naming_the_field(steps: list[int], reason: str) -> None:
    # When a canary request lists steps that cannot be a rollout
    with pytest.raises(ValidationError) as refused:
        DeploymentRequest.model_validate({"strategy": "canary", "canary_steps": steps})

    # Then the error is on canary_steps and says why
    (error,) = refused.value.errors()
    assert error["loc"][0] == "canary_steps"
    assert reason in error["msg"]


def test_canary_steps_may_be_json_integers_written_as_floats_but_not_strings_or_booleans() -> None:
    assert DeploymentRequest.model_validate({"canary_steps": [25.0, 100]}).canary_steps == [25, 100]
    for bad in (["25", 100], [True, 100], [25.5, 100]):
        with pytest.raises(ValidationError, match="canary_steps"):
            DeploymentRequest.model_validate({"canary_steps": bad})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"strategy": "rolling", "canary_steps": [50, 100]}, "canary_steps applies only to the canary"),
        ({"strategy": "canary", "rolling_batches": 2}, "rolling_batches applies only to the rolling"),
        (
            {"strategy": "rolling", "instances": 3, "rolling_batches": 4},
            r"rolling_batches \(4\) cannot exceed",
        ),
        ({"strategy": "rolling", "rolling_batches": 1}, "greater than or equal to 2"),
        ({"strategy": "blue_green", "fail_at_stage": 4}, r"fail_at_stage 4 is past .* \(stages 0-3\)"),
        ({"canary_steps": [50, 100], "fail_at_stage": 2}, r"stages 0-1"),
        ({"service": "My_App"}, "service"),
        ({"version": "v 2"}, "version"),
        ({"error_rate_threshold": 1.0}, "error_rate_threshold"),
        ({"instances": "5"}, "instances"),
        ({"fail_at_stage": False}, "fail_at_stage"),
        ({"environment": "qa"}, "'staging' or 'production'"),
        ({"replicas": 3}, "Extra inputs are not permitted"),
    ],
    ids=[
        "canary-steps-on-rolling",
        "batches-on-canary",
        "more-batches-than-instances",
        "one-batch",
        "fail-past-blue-green",
        "fail-past-custom-canary",
        "service",
        "version",
        "error-rate-of-1",
        "string-integer",
        "boolean-integer",
        "environment",
        "unknown-field",
    ],
)
def test_requests_that_cannot_be_deployed_are_refused(body: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DeploymentRequest.model_validate(body)


def test_every_field_is_documented_for_users() -> None:
    schema = DeploymentRequest.model_json_schema()
    assert all(prop.get("description") for prop in schema["properties"].values())


def test_deploying_the_version_already_live_is_an_invalid_request() -> None:
    with pytest.raises(InvalidRequest, match="v1 is already live for app in production"):
        plan_for({}, version="v1", previous="v1")


# --- the plan of each strategy ---------------------------------------------------------------
def test_blue_green_provisions_and_checks_green_then_switches_at_once_and_retires_blue_last() -> None:
    plan = plan_for({"strategy": "blue_green", "instances": 6})

    assert [stage.action for stage in plan.stages] == [
        "provision_green",
        "bake",
        "shift_traffic",
        "decommission_blue",
    ]
    assert [stage.traffic_percent for stage in plan.stages] == [0, 0, 100, 100]
    assert [stage.instances_on_new for stage in plan.stages] == [6, 6, 6, 6]
    assert [check.name for check in plan.stages[0].health_checks] == ["ready_instances"]
    assert plan.stages[0].health_checks[0].threshold == 6
    assert plan.stages[1].name == "health-check green at 0% traffic"
    assert plan.stages[1].bake_seconds > 0 and plan.stages[2].bake_seconds > 0


def test_blue_stays_live_on_standby_until_it_is_decommissioned() -> None:
    # Given a blue-green deployment applied up to the switch
    plan = plan_for({"strategy": "blue_green"})
    state = initial_state(plan)
    for stage in plan.stages[:3]:
        state = apply_stage(state, plan, stage)

    # Then all traffic is on green while blue is still the version to fall back on
    assert (state.live_version, state.candidate_version, state.traffic_to_candidate) == ("v1", "v2", 100)

    # When blue is decommissioned, Then green is the live version and nothing is rolling out
    state = apply_stage(state, plan, plan.stages[3])
    assert (state.live_version, state.candidate_version, state.traffic_to_candidate) == ("v2", None, 0)
    assert state.history[-1].endswith("v2 is live (was v1)")


def test_canary_shifts_5_25_50_100_by_default_with_instances_in_proportion() -> None:
    plan = plan_for({"strategy": "canary", "instances": 8})

    assert [stage.action for stage in plan.stages] == ["shift_traffic"] * 4
    assert [stage.name for stage in plan.stages] == [
        "shift traffic to 5%",
        "shift traffic to 25%",
        "shift traffic to 50%",
        "shift traffic to 100%",
    ]
    assert [stage.traffic_percent for stage in plan.stages] == [5, 25, 50, 100]
    assert [stage.instances_on_new for stage in plan.stages] == [1, 2, 4, 8]


def test_canary_follows_the_requested_steps() -> None:
    plan = plan_for({"strategy": "canary", "canary_steps": [1, 10, 30, 100]})

    assert [stage.traffic_percent for stage in plan.stages] == [1, 10, 30, 100]


@pytest.mark.parametrize(
    ("body", "updated", "traffic"),
    [
        ({"instances": 4}, [1, 2, 3, 4], [25, 50, 75, 100]),
        ({"instances": 10}, [2, 4, 6, 8, 10], [20, 40, 60, 80, 100]),
        ({"instances": 9}, [2, 4, 6, 8, 9], [22, 44, 66, 88, 100]),
        ({"instances": 100}, [25, 50, 75, 100], [25, 50, 75, 100]),
        ({"instances": 1}, [1], [100]),
        ({"instances": 10, "rolling_batches": 3}, [4, 7, 10], [40, 70, 100]),
        ({"instances": 3, "rolling_batches": 3}, [1, 2, 3], [33, 66, 100]),
    ],
    ids=["4", "10", "9", "100", "1", "10-in-3", "3-in-3"],
)
def test_rolling_replaces_instances_in_batches_and_moves_traffic_with_them(
    body: dict[str, Any], updated: list[int], traffic: list[int]
) -> None:
    plan = plan_for({"strategy": "rolling", **body})

    assert [stage.action for stage in plan.stages] == ["deploy_batch"] * len(updated)
    assert [stage.instances_on_new for stage in plan.stages] == updated
    assert [stage.traffic_percent for stage in plan.stages] == traffic
    assert plan.stages[
        0
    ].name == f"deploy batch 1 of {len(updated)}: {updated[0]} of {body['instances']} " + (
        "instance" if body["instances"] == 1 else "instances"
    )


@pytest.mark.parametrize("body", all_plans())
def test_traffic_never_goes_back_and_ends_all_on_the_new_version(body: dict[str, Any]) -> None:
    plan = plan_for(body)

    traffic = [stage.traffic_percent for stage in plan.stages]
    assert traffic == sorted(traffic)
    assert traffic[-1] == 100
    assert plan.stages[-1].instances_on_new == DeploymentRequest.model_validate(body).instances
    assert [stage.index for stage in plan.stages] == list(range(len(plan.stages)))


@pytest.mark.parametrize("body", all_plans())
def test_every_stage_that_moves_traffic_checks_errors_and_latency_against_the_requested_thresholds(
    body: dict[str, Any],
) -> None:
    request = DeploymentRequest.model_validate(body)
    plan = plan_for(body)

    before = 0
    for stage in plan.stages:
        assert stage.health_checks, f"stage {stage.index} has no health check"
        if stage.traffic_percent != before:
            checks = {check.name: check for check in stage.health_checks}
            assert checks["error_rate"].threshold == request.error_rate_threshold
            assert checks["error_rate"].comparison == "at_most"
            assert checks["latency_p99_ms"].threshold == request.latency_p99_ms_threshold
            assert checks["latency_p99_ms"].comparison == "at_most"
        before = stage.traffic_percent


def test_staging_bakes_shorter_than_production() -> None:
    production = plan_for({"strategy": "canary", "environment": "production"})
    staging = plan_for({"strategy": "canary", "environment": "staging"})

    assert all(
        s.bake_seconds < p.bake_seconds for s, p in zip(staging.stages, production.stages, strict=True)
    )


@pytest.mark.parametrize("body", all_plans())
def test_plans_and_states_survive_a_round_trip_through_json(body: dict[str, Any]) -> None:
    plan = plan_for(body)
    assert DeploymentPlan.model_validate_json(plan.model_dump_json()) == plan

    state = initial_state(plan)
    for stage in plan.stages:
        state = apply_stage(state, plan, stage)
        assert EnvironmentState.model_validate_json(state.model_dump_json()) == state


def test_the_same_request_always_gives_the_same_plan() -> None:
    assert plan_for({"strategy": "rolling", "instances": 7}) == plan_for(
        {"strategy": "rolling", "instances": 7}
    )


def test_a_first_deployment_starts_from_nothing_live() -> None:
    plan = plan_for({"strategy": "canary"}, previous=None)
    state = initial_state(plan)
    assert state.live_version is None

    for stage in plan.stages:
        state = apply_stage(state, plan, stage)
    assert (state.live_version, state.candidate_version) == ("v2", None)


# --- applying and rolling back stages ---------------------------------------------------------
@pytest.mark.parametrize("body", all_plans())
def test_rolling_back_every_stage_newest_first_restores_the_environment_exactly(body: dict[str, Any]) -> None:
    # Given an environment taken through every stage, with a snapshot before each
    plan = plan_for(body)
    start = initial_state(plan).model_copy(update={"history": ["earlier: v1 deployed"]})
    state, snapshots = start, []
    for stage in plan.stages:
        snapshots.append(state)
        state = apply_stage(state, plan, stage)
    assert state.live_version == "v2"

    # When each stage is rolled back, newest first
    for stage, before in zip(reversed(plan.stages), reversed(snapshots), strict=True):
        state = rollback_stage(before, plan, stage)
        # Then each undo gives back exactly the state before that stage
        assert state == before

    # And the environment is exactly as it was
    assert state == start
    assert state.model_dump_json() == start.model_dump_json()


def test_a_failed_stage_and_the_stages_before_it_are_rolled_back_to_the_previous_version() -> None:
    # Given a canary asked to fail its health check at the 50% stage
    request = DeploymentRequest.model_validate({"strategy": "canary", "fail_at_stage": 2})
    plan = plan_deployment(request, version="v2", previous_version="v1")
    state, applied = initial_state(plan), []

    # When the stages run until one fails its health check
    with pytest.raises(DeploymentStageFailed, match=r"^stage 2 \(shift traffic to 50%\): error_rate"):
        for stage in plan.stages:
            applied.append((stage, state))
            state = apply_stage(state, plan, stage)
            evaluate_health(
                plan, stage, simulated_failure=request.fail_at_stage == stage.index
            ).raise_if_failed()

    # Then the last stage applied is the failed one, and half the traffic was on v2
    assert [stage.index for stage, _ in applied] == [0, 1, 2]
    assert state.traffic_to_candidate == 50

    # And rolling back what was applied, newest first, leaves v1 serving everything
    for stage, before in reversed(applied):
        state = rollback_stage(before, plan, stage)
    assert state == initial_state(plan)
    assert (state.live_version, state.candidate_version, state.traffic_to_candidate) == ("v1", None, 0)


def test_rolling_back_a_stage_twice_gives_the_same_state() -> None:
    plan = plan_for({"strategy": "blue_green"})
    before = initial_state(plan)
    apply_stage(before, plan, plan.stages[0])

    assert (
        rollback_stage(before, plan, plan.stages[0]) == rollback_stage(before, plan, plan.stages[0]) == before
    )


def test_applying_a_stage_is_deterministic_and_leaves_the_given_state_untouched() -> None:
    plan = plan_for({"strategy": "canary"})
    state = initial_state(plan)
    copy = state.model_copy(deep=True)

    assert apply_stage(state, plan, plan.stages[0]) == apply_stage(state, plan, plan.stages[0])
    assert state == copy
    assert apply_stage(state, plan, plan.stages[0]).history == [
        "stage 0 shift_traffic (shift traffic to 5%): v2 at 5% of traffic on 1 instance"
    ]


def test_a_stage_cannot_be_applied_out_of_order() -> None:
    # Given a canary where no stage has been applied yet
    plan = plan_for({"strategy": "canary"})
    state = initial_state(plan)

    # When its 50% stage is applied first, Then it is refused, naming both states
    with pytest.raises(ConflictError, match=r"stage 2 \(shift traffic to 50%\) of v2 cannot start"):
        apply_stage(state, plan, plan.stages[2])


def test_a_stage_cannot_start_while_another_deployment_is_rolling_out() -> None:
    # Given the environment is halfway through deploying v3
    other = plan_for({"strategy": "canary"}, version="v3")
    state = apply_stage(initial_state(other), other, other.stages[0])

    # When a deployment of v2 starts, Then it is refused
    plan = plan_for({"strategy": "canary"})
    with pytest.raises(ConflictError, match="candidate v3 at 5%"):
        apply_stage(state, plan, plan.stages[0])


def test_a_stage_cannot_be_rolled_back_to_another_stages_snapshot() -> None:
    plan = plan_for({"strategy": "rolling"})
    start = initial_state(plan)
    after_first = apply_stage(start, plan, plan.stages[0])

    with pytest.raises(ConflictError):
        rollback_stage(after_first, plan, plan.stages[0])


def test_stages_of_another_plan_or_states_of_another_service_are_refused() -> None:
    plan = plan_for({"strategy": "canary"})
    other = plan_for({"strategy": "rolling"})

    with pytest.raises(ValueError, match="not a stage of this plan"):
        apply_stage(initial_state(plan), plan, other.stages[0])
    with pytest.raises(ValueError, match="the state is of web in production"):
        apply_stage(initial_state(plan_for({"service": "web"})), plan, plan.stages[0])


# --- health ----------------------------------------------------------------------------------
@pytest.mark.parametrize("body", all_plans())
def test_without_a_simulated_failure_every_stage_is_healthy(body: dict[str, Any]) -> None:
    plan = plan_for(body)

    for stage in plan.stages:
        report = evaluate_health(plan, stage, simulated_failure=False)
        assert report.passed, report.summary
        assert [o.check for o in report.observations] == [c.name for c in stage.health_checks]
        assert all(o.passed for o in report.observations)
        assert report.summary.startswith(f"stage {stage.index} ({stage.name}): healthy")
        report.raise_if_failed()  # nothing to raise


@pytest.mark.parametrize("body", all_plans())
def test_a_simulated_failure_fails_the_error_rate_check_with_a_value_above_the_threshold(
    body: dict[str, Any],
) -> None:
    plan = plan_for(body)

    for stage in plan.stages:
        if not any(check.name == "error_rate" for check in stage.health_checks):
            continue
        # When stage k is asked to fail
        report = evaluate_health(plan, stage, simulated_failure=True)

        # Then only its error-rate check fails, with an observed value above the threshold
        failed = [o for o in report.observations if not o.passed]
        assert not report.passed
        assert [o.check for o in failed] == ["error_rate"]
        assert failed[0].threshold < failed[0].observed <= 1.0
        # And the summary names the stage, the check and both values
        observed, threshold = failed[0].observed, failed[0].threshold
        assert report.summary == (
            f"stage {stage.index} ({stage.name}): error_rate {observed:g} above {threshold:g}"
        )


def test_a_failed_stage_reads_like_what_went_wrong() -> None:
    plan = plan_for({"strategy": "canary"})

    report = evaluate_health(plan, plan.stages[2], simulated_failure=True)

    assert re.fullmatch(r"stage 2 \(shift traffic to 50%\): error_rate 0\.0\d+ above 0\.01", report.summary)
    with pytest.raises(DeploymentStageFailed) as failed:
        report.raise_if_failed()
    assert str(failed.value) == report.summary


def test_a_simulated_failure_where_nothing_is_measured_yet_fails_readiness() -> None:
    # Given blue-green's first stage, which only waits for green's instances to be ready
    plan = plan_for({"strategy": "blue_green"})

    report = evaluate_health(plan, plan.stages[0], simulated_failure=True)

    assert report.summary == "stage 0 (provision green: 4 instances): ready_instances 3 below 4"


def test_health_observations_are_deterministic_and_depend_on_the_version() -> None:
    plan = plan_for({"strategy": "rolling", "instances": 20})
    again = plan_for({"strategy": "rolling", "instances": 20})
    other = plan_for({"strategy": "rolling", "instances": 20}, version="v3")

    for failing in (False, True):
        reports = [evaluate_health(plan, stage, simulated_failure=failing) for stage in plan.stages]
        assert reports == [evaluate_health(again, stage, simulated_failure=failing) for stage in again.stages]
        assert reports != [evaluate_health(other, stage, simulated_failure=failing) for stage in other.stages]


def test_a_failed_deployment_stage_is_permanent_so_the_run_is_undone_at_once() -> None:
    assert DeploymentStageFailed.transient is False
    assert "DeploymentStageFailed" not in TRANSIENT_ERROR_NAMES
