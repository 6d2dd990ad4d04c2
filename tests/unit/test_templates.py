"""Templates are data: the phases of a run, their order and agents."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from orchestrator.errors import InvalidRequest, TemplateNotFound
from orchestrator.templates import TEMPLATES, PhaseDeclaration, Template, agent_types, get_template


def test_generic_template_has_the_seven_phases_in_order() -> None:
    assert get_template("generic").phase_names == [
        "ideation",
        "research",
        "design",
        "development",
        "execution",
        "review",
        "deployment",
    ]


def test_feature_delivery_reuses_generic_agents() -> None:
    template = get_template("feature_delivery")
    assert template.phase_names == ["design", "development", "review", "deployment"]
    assert set(phase.agent for phase in template.phases) <= set(agent_types())


def test_every_agent_type_is_listed_once_in_first_use_order() -> None:
    assert agent_types() == get_template("generic").phase_names


def test_template_with_duplicate_phases_is_rejected() -> None:
    # When a template repeats a phase name
    phase = PhaseDeclaration(name="draft", agent="writer", title="Draft", goal="Write.")
    with pytest.raises(ValidationError, match=r"repeats phases \['draft'\]"):
        Template(name="dup", title="Dup", description="d", phases=[phase, phase])


def test_template_needs_at_least_one_phase() -> None:
    with pytest.raises(ValidationError):
        Template(name="empty", title="Empty", description="d", phases=[])


@pytest.mark.parametrize("name", ["Design", "1st", "a", "with-dash", "with#hash"])
def test_phase_names_are_lowercase_identifiers(name: str) -> None:
    with pytest.raises(ValidationError):
        PhaseDeclaration(name=name, agent="writer", title="T", goal="G")


def test_unknown_template_is_template_not_found_naming_the_known_ones() -> None:
    with pytest.raises(TemplateNotFound) as raised:
        get_template("marketing")

    message = str(raised.value)
    assert "'marketing'" in message
    for name in TEMPLATES:
        assert name in message
    assert isinstance(raised.value, InvalidRequest)  # a client error, not a server error


def test_phases_before_a_phase() -> None:
    template = get_template("generic")
    assert [p.name for p in template.phases_before("design")] == ["ideation", "research"]
    assert template.phases_before("ideation") == []


def test_asking_for_a_phase_the_template_lacks_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="ideation"):
        get_template("feature_delivery").phase("ideation")
