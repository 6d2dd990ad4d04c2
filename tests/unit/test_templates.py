"""Templates are step graphs, validated at synthesis and when built: a bad one names template and step."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from orchestrator.agents import AGENTS
from orchestrator.core.errors import TemplateNotFound
from orchestrator.templates import catalog
from orchestrator.templates.graph import TEMPLATES, agent_types, build_template, get_template

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"

GRAPH_SHOWCASE = TEMPLATES["graph_showcase"]


def showcase() -> dict[str, Any]:
    return copy.deepcopy(GRAPH_SHOWCASE.model_dump(mode="json"))


def test_every_template_uses_known_agents_only() -> None:
    for template in TEMPLATES.values():
        assert set(template.agent_types()) <= set(AGENTS)
    assert set(agent_types()) == {a for t in TEMPLATES.values() for a in t.agent_types()}


def test_the_generic_template_is_seven_agent_steps() -> None:
    assert [s.name for s in get_template("generic").steps] == [
        "ideation",
        "research",
        "design",
        "development",
        "execution",
        "review",
        "deployment",
    ]


def test_unknown_template_is_a_clear_error() -> None:
    with pytest.raises(TemplateNotFound, match="known templates: "):
        get_template("nope")


def test_a_map_over_a_field_the_source_schema_lacks_names_template_and_step() -> None:
    declaration = showcase()
    declaration["steps"][2]["over"] = "plan.nope"
    with pytest.raises(ValueError, match=r"template 'graph_showcase'.*step 'execute'.*has no field 'nope'"):
        build_template(declaration)


def test_a_map_over_something_that_is_not_a_list_is_refused() -> None:
    declaration = showcase()
    declaration["steps"][2]["over"] = "intake.summary"
    with pytest.raises(ValueError, match="not a list"):
        build_template(declaration)


def test_a_map_over_a_later_step_is_refused() -> None:
    declaration = showcase()
    declaration["steps"][2]["over"] = "report.highlights"
    with pytest.raises(ValueError, match="no earlier agent step is named 'report'"):
        build_template(declaration)


def test_unknown_agents_and_duplicate_names_are_refused() -> None:
    declaration = showcase()
    declaration["steps"][0]["agent"] = "nobody"
    with pytest.raises(ValueError, match="unknown agent 'nobody'"):
        build_template(declaration)
    declaration = showcase()
    declaration["steps"][3]["name"] = "intake"
    with pytest.raises(ValueError, match="unique"):
        build_template(declaration)


def test_an_agent_whose_reads_no_earlier_step_produces_is_refused() -> None:
    declaration = showcase()
    del declaration["steps"][0]  # the request analyst: risks and plan read it
    with pytest.raises(ValueError, match="reads \\['request_analyst'\\]"):
        build_template(declaration)


def test_gates_need_a_timeout_and_sit_at_the_top_level() -> None:
    declaration = showcase()
    del declaration["steps"][5]["timeout_seconds"]
    with pytest.raises(ValueError, match="timeout_seconds"):
        build_template(declaration)
    declaration = showcase()
    gate = declaration["steps"].pop(5)
    declaration["steps"][1]["branches"]["risks"].append(gate)
    with pytest.raises(ValueError, match="top-level"):
        build_template(declaration)


def test_concurrency_is_bounded() -> None:
    declaration = showcase()
    declaration["steps"][2]["max_concurrency"] = 0
    with pytest.raises(ValueError, match="max_concurrency"):
        build_template(declaration)
    declaration["steps"][2]["max_concurrency"] = 1000
    with pytest.raises(ValueError, match="max_concurrency"):
        build_template(declaration)


def test_what_a_step_may_read() -> None:
    names = lambda step: [p.step.name for p in GRAPH_SHOWCASE.earlier_agent_steps(step)]  # noqa: E731
    assert names("plan") == ["intake"]  # not the other branch
    assert names("execute_task") == ["intake", "risks", "plan"]
    assert names("report") == ["intake", "risks", "plan", "execute_task", "safety"]


def test_describe_gives_the_graph_a_client_draws() -> None:
    graph = GRAPH_SHOWCASE.describe()
    kinds = [step["kind"] for step in graph["steps"]]
    assert kinds == ["agent", "parallel", "map", "agent", "agent", "approval", "agent"]
    assert set(graph["steps"][1]["branches"]) == {"risks", "plan"}
    assert graph["steps"][2]["max_concurrency"] == 8 and graph["steps"][2]["over"] == "plan.tasks"
    assert graph["steps"][5]["timeout_seconds"] == 3600


def test_a_gate_window_is_the_shorter_of_the_template_and_the_run() -> None:
    gate = GRAPH_SHOWCASE.placement("sign_off").step
    assert gate.kind == "approval"
    assert GRAPH_SHOWCASE.gate_timeouts(None) == {"sign_off": 3600}
    assert GRAPH_SHOWCASE.gate_timeouts(30) == {"sign_off": 30}
    assert GRAPH_SHOWCASE.gate_timeouts(10**6) == {"sign_off": 3600}
    assert get_template("generic").gate_timeouts(30) == {}


def test_every_template_describes_its_graph_and_its_inputs_for_a_client_to_draw() -> None:
    described = {name: template.describe() for name, template in TEMPLATES.items()}
    assert set(described) >= {
        "web_development",
        "data_science",
        "agent_pipeline",
        "repo_ingestion",
        "sales_call_analysis",
        "feature_delivery",
        "generic",
    }
    kinds = {name: {step["kind"] for step in graph["steps"]} for name, graph in described.items()}
    assert "parallel" in kinds["web_development"] and "parallel" in kinds["repo_ingestion"]
    assert "map" in kinds["agent_pipeline"] and "approval" in kinds["feature_delivery"]
    # templates that take more than a topic say what, as a JSON schema
    assert described["sales_call_analysis"]["inputs"]["properties"].keys() >= {
        "transcript",
        "transcript_upload_id",
    }
    assert "deployment" in described["feature_delivery"]["inputs"]["properties"]
    assert "archive_url" in described["repo_ingestion"]["inputs"]["properties"]
    assert described["generic"]["inputs"] is None


def test_the_catalog_validates_against_its_agents_and_every_agent_is_in_its_familys_module() -> None:
    from orchestrator.agents import FAMILIES, family_module
    from orchestrator.templates.graph import validate_catalog

    validate_catalog()  # what synthesis runs: every template against its agents, every inputs model
    for agent_type in AGENTS:
        assert family_module(agent_type) in (*FAMILIES.values(), "")


def test_the_catalog_names_every_module_of_its_folder_in_the_order_clients_see() -> None:
    folder = Path(catalog.__file__).parent
    assert set(catalog.NAMES) == {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    assert list(TEMPLATES) == list(catalog.NAMES) and len(TEMPLATES) == len(catalog.NAMES)
    assert [module.DECLARATION["name"] for module in catalog.MODULES] == list(catalog.NAMES)
    assert "generic" in TEMPLATES and "nope" not in TEMPLATES and TEMPLATES.get("nope") is None


def test_a_function_builds_only_the_template_it_asks_for_and_loads_no_agent() -> None:
    # Given a fresh interpreter (a cold start), When it imports the graph, lists the names and
    # gets one template
    probe = (
        "import sys\n"
        "from orchestrator.templates.graph import TEMPLATES, get_template\n"
        "assert sorted(TEMPLATES) and 'generic' in TEMPLATES\n"
        "before = sorted(m for m in sys.modules if m.startswith('orchestrator.templates.catalog.'))\n"
        "get_template('generic')\n"
        "after = sorted(m for m in sys.modules if m.startswith('orchestrator.templates.catalog.'))\n"
        "print(before, after, 'orchestrator.agents' in sys.modules)\n"
    )
    ran = subprocess.run(  # noqa: S603 - this interpreter, a fixed program
        [sys.executable, "-c", probe],
        cwd=FUNCTIONS,
        env={"PYTHONPATH": str(FUNCTIONS), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Then no catalog module was imported before, only that template's after, and no agent (a
    # function's templates were checked against their agents at synthesis)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "[] ['orchestrator.templates.catalog.generic'] False"


def test_a_bad_template_in_the_catalog_fails_validation_naming_template_and_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from orchestrator.templates.catalog import graph_showcase
    from orchestrator.templates.graph import validate_catalog

    broken = showcase()
    broken["steps"][0]["agent"] = "nobody"
    monkeypatch.setattr(graph_showcase, "DECLARATION", broken)
    with pytest.raises(ValueError, match="template 'graph_showcase': step 'intake': unknown agent 'nobody'"):
        validate_catalog()
    monkeypatch.setattr(graph_showcase, "DECLARATION", showcase() | {"name": "showcase_renamed"})
    renamed = r"'showcase_renamed' is declared in orchestrator\.templates\.catalog\.graph_showcase"
    with pytest.raises(ValueError, match=renamed):
        validate_catalog()


def test_a_template_naming_an_unknown_agent_or_reading_what_no_step_produces_is_refused() -> None:
    declaration = {
        "name": "broken",
        "title": "t",
        "description": "d",
        "steps": [{"kind": "agent", "name": "only", "agent": "feature_testing_engineer"}],
    }
    with pytest.raises(ValueError, match="reads"):
        build_template(declaration)
    declaration["steps"][0]["agent"] = "web_nonexistent"  # type: ignore[index]
    with pytest.raises(ValueError, match="unknown agent 'web_nonexistent'"):
        build_template(declaration)


def test_agent_families_load_once_when_many_threads_ask_at_once() -> None:
    # Given a fresh registry, When 16 threads ask for agents of every family at the same moment
    import threading

    from orchestrator.agents import _Registry

    registry = _Registry()
    start, failures = threading.Barrier(16), []

    def ask() -> None:
        start.wait()
        try:
            registry.load_all()
        except Exception as exc:  # what a thread saw is the assertion
            failures.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then nobody saw an agent "declared twice", and every agent type is there once
    assert failures == []
    assert len(registry) == len(set(registry))


def test_an_agent_loads_its_own_module_only() -> None:
    # Given a fresh registry
    from orchestrator.agents import _Registry

    registry = _Registry()
    # When a generic agent is asked for, Then only the generic module is loaded (not the showcase's)
    assert registry["ideation"].agent_type == "ideation"
    assert registry._loaded == {"generic"}
    # When a showcase agent (also unprefixed) or a family's agent is asked for, Then its module is
    assert registry["request_analyst"].agent_type == "request_analyst"
    assert registry["web_ideation"].agent_type == "web_ideation"
    assert registry._loaded == {"generic", "showcase", "web_development"}
    assert "nobody" not in registry
