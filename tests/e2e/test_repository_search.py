"""Repository ingestion on the local cloud: an uploaded sample repository becomes searchable for its
tenant only; an archive URL is fetched only from an allowed host; undoing the run deletes its vectors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infra.cli.demo_requests import demo_body
from infra.local.cloud import LocalCloud
from orchestrator.ingestion.archive import build_archive
from tests.e2e.conftest import ArchiveServer, Client
from tests.e2e.test_seed_templates import tenant_state

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "repositories" / "inventory_service"


def _search(client: Client, run_id: str, query: str, top_k: int = 3) -> Any:
    return client.request("POST", f"/collections/{run_id}/search", json={"query": query, "top_k": top_k})


def test_an_ingested_repository_is_searchable_by_its_tenant_only(cloud: LocalCloud) -> None:
    acme = Client(cloud, cloud.mint_token(tenant_id="ingest-acme"))
    globex = Client(cloud, cloud.mint_token(tenant_id="ingest-globex"))
    viewer = Client(cloud, cloud.mint_token(tenant_id="ingest-acme", role="viewer"))
    # Given the sample repository uploaded and ingested
    run_id = acme.start(demo_body(cloud.api_url, acme.token, "repo_ingestion"))
    view = acme.wait(run_id, timeout=180)
    assert view["status"] == "SUCCEEDED", view.get("error")
    # When its tenant (a viewer too) searches for what a function does
    for client in (acme, viewer):
        response = _search(client, run_id, "parse the configuration file")
        assert response.status_code == 200, response.text
        answer = response.json()
        # Then the file that defines parse_config_file is among the top 3, with scores and paths
        paths = [hit["path"] for hit in answer["results"]]
        assert "inventory/config.py" in paths, paths
        assert all(
            0 < hit["score"] <= 1 and hit["end_line"] >= hit["start_line"] for hit in answer["results"]
        )
        assert answer["embedding"]["offline"] is True
    # And another tenant learns nothing: the run is not found
    assert _search(globex, run_id, "parse the configuration file").status_code == 404
    # And bad searches are refused with the field named
    bad = _search(acme, run_id, "", top_k=3)
    assert bad.status_code == 422 and "query" in bad.text
    assert _search(acme, run_id, "x", top_k=500).status_code == 422
    generic = acme.start({"template": "generic", "topic": "a todo app"})
    assert _search(acme, generic, "anything").status_code == 404


def test_an_archive_url_is_fetched_only_from_an_allowed_host(
    cloud: LocalCloud, archive_server: ArchiveServer
) -> None:
    client = Client(cloud, cloud.mint_token(tenant_id="ingest-url"))
    archive_server.files["inventory.tar.gz"] = build_archive(SAMPLE)
    # The local test server is the one private address this deployment allows
    ok = client.start(
        {
            "template": "repo_ingestion",
            "topic": "by URL",
            "inputs": {"archive_url": archive_server.url("inventory.tar.gz")},
        }
    )
    view = client.wait(ok, timeout=180)
    assert view["status"] == "SUCCEEDED", view.get("error")
    # Any other private, loopback or link-local address is refused at start (400 naming the input),
    # and nothing is left behind
    before = tenant_state(cloud, "ingest-url")
    for url in (
        "http://169.254.169.254/latest/meta-data/",
        "https://127.0.0.1:1/x.tar.gz",
        "https://10.0.0.1/a.zip",
    ):
        body = {"template": "repo_ingestion", "topic": "refused", "inputs": {"archive_url": url}}
        refused = client.request("POST", "/runs", json=body)
        assert refused.status_code == 400, (url, refused.text)
        assert refused.json()["details"][0]["location"] == "body.inputs.archive_url"
    assert tenant_state(cloud, "ingest-url") == before


def test_undoing_an_ingestion_deletes_its_collection(cloud: LocalCloud) -> None:
    client = Client(cloud, cloud.mint_token(tenant_id="ingest-undo"))
    body = demo_body(cloud.api_url, client.token, "repo_ingestion")
    before = tenant_state(cloud, "ingest-undo")
    run_id = client.start(body | {"options": {"simulate_failure": {"step": "training"}}})
    view = client.wait(run_id, timeout=180)
    assert view["status"] == "COMPENSATED" and "store_vectors" in view["compensated_steps"]
    assert tenant_state(cloud, "ingest-undo") == before  # objects and vector index gone
    assert _search(client, run_id, "parse the configuration file").status_code == 404
