"""Each route is declared once (``orchestrator.api.route_table``): the request gate refuses the
roles its declaration refuses, and its writes are audited under the action it declares."""

from __future__ import annotations

import importlib

from handlers import api as api_module
from orchestrator.api.request_gate import ROUTES
from orchestrator.api.route_table import DECLARED, audit_of

RUN = "01m8xafwjzfbhmj10fzjhv7f3q"


def test_the_gate_and_the_route_declarations_name_the_same_role_for_every_route() -> None:
    api_module.include_routers()  # every router is included, so every route is declared
    declared = {(d.path.replace("<", "{").replace(">", "}"), d.method): d.role for d in DECLARED}
    gated = {
        (path, method): role for path, methods in ROUTES.items() for method, role in methods.items() if role
    }
    assert declared == gated


def test_a_write_is_audited_under_its_declared_action_and_admin_writes_when_they_succeed_too() -> None:
    assert audit_of("/settings/models") == ("set_models", True)
    assert audit_of("/settings/budget/") == ("set_budget", True)
    assert audit_of("/prompts/ideation/versions/3/activate") == ("activate_prompt", True)
    assert audit_of("/tenant/users/bob/disable") == ("disable_user", True)
    assert audit_of("/runs") == ("start_run", True)
    assert audit_of(f"/runs/{RUN}/approval") == ("approval", False)  # run_control audits a decision
    assert audit_of(f"/collections/{RUN}/search") == ("search_collection", False)


def test_a_path_no_route_serves_is_named_by_its_family() -> None:
    assert audit_of("/settings/other") == ("set_other", False)
    assert audit_of("/tenant/someone") == ("create_user", False)
    assert audit_of("/prompts/a/b/c") == ("rollback_prompt", False)
    assert audit_of("/cache") == ("invalidate_cache", False)
    assert audit_of("/elsewhere") == ("elsewhere", False)


def test_every_family_of_paths_names_every_router_serving_it() -> None:
    families = {path.strip("/").split("/")[0] for path in ROUTES} - {"health", "openapi.json"}
    assert families == set(api_module.ROUTERS)
    for name in {name for names in api_module.ROUTERS.values() for name in names}:
        router = importlib.import_module(f"orchestrator.api.{name}").router
        served = {rule.strip("/").split("/")[0] for rule, *_ in router._routes}
        assert served and all(name in api_module.ROUTERS[family] for family in served), (name, served)
