"""A run uses the prompt versions pinned when it started: a tenant's new version applies to the
next run, retries agree, and every result records the version it rendered."""

from __future__ import annotations

from orchestrator.core.records import RunStatus
from orchestrator.llm.prompts import PromptLibrary
from tests.fakes.prompt_store import InMemoryPromptStore

from .template_world import TENANT, CountingProvider, TemplateWorld


def _library_with_new_designer_prompt() -> tuple[PromptLibrary, str]:
    library = PromptLibrary(InMemoryPromptStore())
    agent = TemplateWorld("generic").template.agent_steps()[0].agent
    library.create(
        TENANT,
        agent,
        system="You are the ${title} agent. Be brief. Schema: ${schema}",
        user="TENANT-PROMPT Topic: ${topic}\n${context}",
        note="shorter",
        created_by="admin",
        activate=True,
    )
    return library, agent


def test_a_run_renders_the_version_it_pinned_and_records_it() -> None:
    # Given a tenant whose first agent has an activated version 2
    library, agent = _library_with_new_designer_prompt()
    pinned = library.pin(TENANT, [agent])
    assert pinned == {agent: 2}
    world = TemplateWorld("generic", prompts=library, prompt_versions=pinned)
    seen: list[str] = []
    inner = world.provider.inner

    class Spy:
        name = inner.name

        def complete(self, request):  # type: ignore[no-untyped-def]
            seen.append(request.prompt)
            return inner.complete(request)

    world.provider = CountingProvider(Spy())  # type: ignore[arg-type]

    # When it runs
    assert world.run().status is RunStatus.SUCCEEDED

    # Then that agent's step rendered the tenant's text and says v2; the others the shipped v1
    first = world.template.agent_steps()[0].name
    assert world.result(first).metadata.prompt_version == "v2"
    assert seen[0].startswith("TENANT-PROMPT Topic: ")
    others = [world.result(step.name).metadata.prompt_version for step in world.template.agent_steps()[1:]]
    assert set(others) == {"v1"}


def test_a_version_activated_after_the_run_started_does_not_change_it() -> None:
    # Given a run that pinned the shipped prompts
    library = PromptLibrary(InMemoryPromptStore())
    agent = TemplateWorld("generic").template.agent_steps()[0].agent
    pinned = library.pin(TENANT, [agent])
    # When the tenant activates a new version before the step runs
    library.create(
        TENANT, agent, system="x ${schema}", user="NEW ${topic}", note="", created_by="a", activate=True
    )
    world = TemplateWorld("generic", prompts=library, prompt_versions=pinned)
    world.run()
    # Then the run still used the version it started with
    assert world.result(world.template.agent_steps()[0].name).metadata.prompt_version == "v1"
