"""The HTTP API as the ``orchestrator`` command calls it: one tenant's bearer token, one base URL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests


@dataclass(frozen=True)
class ApiClient:
    api_url: str
    token: str

    @property
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def submit_run(self, body: dict[str, Any]) -> requests.Response:
        """``POST /runs``: the answer as it came (202 when the run was accepted)."""
        return requests.post(f"{self.api_url}/runs", json=body, headers=self._auth, timeout=30)

    def run(self, run_id: str) -> dict[str, Any]:
        """``GET /runs/{run_id}``: the run's view."""
        response = requests.get(f"{self.api_url}/runs/{run_id}", headers=self._auth, timeout=10)
        response.raise_for_status()
        view: dict[str, Any] = response.json()
        return view

    def events(self, run_id: str) -> list[dict[str, Any]]:
        """``GET /runs/{run_id}/events``: the run's audit trail so far (up to 200 events)."""
        response = requests.get(
            f"{self.api_url}/runs/{run_id}/events?limit=200", headers=self._auth, timeout=10
        )
        events: list[dict[str, Any]] = response.json()["events"]
        return events

    def decide(self, run_id: str, decision: str, comment: str = "") -> dict[str, Any]:
        """``POST /runs/{run_id}/approval``: approve or reject at the gate the run waits at."""
        response = requests.post(
            f"{self.api_url}/runs/{run_id}/approval",
            json={"decision": decision, "comment": comment},
            headers=self._auth,
            timeout=30,
        )
        if response.status_code != 200:
            raise RuntimeError(f"the API refused the decision: {response.status_code} {response.text}")
        result: dict[str, Any] = response.json()
        return result

    def cancel(self, run_id: str) -> dict[str, Any]:
        """``POST /runs/{run_id}/cancel``."""
        response = requests.post(f"{self.api_url}/runs/{run_id}/cancel", headers=self._auth, timeout=30)
        if response.status_code != 202:
            raise RuntimeError(f"the API refused the cancel: {response.status_code} {response.text}")
        result: dict[str, Any] = response.json()
        return result

    def resume(self, run_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /runs/{run_id}/resume``: the new run that resumes it."""
        response = requests.post(
            f"{self.api_url}/runs/{run_id}/resume", json=body, headers=self._auth, timeout=30
        )
        if response.status_code != 202:
            raise RuntimeError(f"the API refused the resume: {response.status_code} {response.text}")
        result: dict[str, Any] = response.json()
        return result

    def search(self, collection: str, query: str, top_k: int) -> requests.Response:
        """``POST /collections/{collection}/search``: the answer as it came."""
        return requests.post(
            f"{self.api_url}/collections/{collection}/search",
            json={"query": query, "top_k": top_k},
            headers=self._auth,
            timeout=30,
        )

    def upload(self, data: bytes, filename: str, content_type: str) -> str:
        """``POST /uploads`` then PUT the bytes to the URL it answers; the upload id."""
        response = requests.post(
            f"{self.api_url}/uploads",
            json={"filename": filename, "content_type": content_type, "size_bytes": len(data)},
            headers=self._auth,
            timeout=30,
        )
        if response.status_code != 201:
            raise RuntimeError(f"POST /uploads refused: {response.status_code} {response.text}")
        ticket = response.json()
        put = requests.put(ticket["url"], data=data, headers=ticket["headers"], timeout=60)
        if put.status_code not in (200, 201, 204):
            raise RuntimeError(f"upload PUT refused: {put.status_code} {put.text[:300]}")
        return str(ticket["upload_id"])
