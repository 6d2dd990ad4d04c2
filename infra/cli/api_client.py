"""The HTTP API as the ``orchestrator`` command calls it: one tenant's bearer token, one base URL.

An answer the API refuses is an :class:`ApiError` naming the route, the status and the API's own
message; an API that does not answer is one too (the address that did not answer)."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import requests


class ApiError(RuntimeError):
    """The API refused a request, or did not answer; ``status`` None when it did not answer.
    Exit code 2 when what was named does not exist (404), else 1."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def transient(self) -> bool:
        """Worth asking again: no answer, a server error, or too many requests."""
        return self.status is None or self.status >= 500 or self.status == HTTPStatus.TOO_MANY_REQUESTS

    @property
    def exit_code(self) -> int:
        return 2 if self.status == HTTPStatus.NOT_FOUND else 1


def answer(response: requests.Response, what: str, *, expected: int = HTTPStatus.OK) -> Any:
    """The JSON body of ``response``, or the :class:`ApiError` saying in one line why the API refused
    ``what`` (e.g. ``GET /runs/r-1``): its status and the message of its error body."""
    if response.status_code == expected:
        return response.json()
    try:
        body = response.json()
        reason = f"{body.get('error') or ''}: {body['message']}".lstrip(": ")
    except (ValueError, KeyError, TypeError, AttributeError):
        reason = response.text.strip().splitlines()[0][:300] if response.text.strip() else response.reason
    raise ApiError(f"{what}: {response.status_code} {reason}", response.status_code)


@dataclass(frozen=True)
class ApiClient:
    api_url: str
    token: str
    unreachable_hint: str = ""
    """Said after "the API at ... did not answer" (e.g. "is the local cloud up?")."""

    @property
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def submit_run(self, body: dict[str, Any]) -> requests.Response:
        """``POST /runs``: the answer as it came (202 when the run was accepted)."""
        return requests.post(f"{self.api_url}/runs", json=body, headers=self._auth, timeout=30)

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """``GET {path}``: the API's JSON answer, or the :class:`ApiError` saying why not."""
        try:
            response = requests.get(f"{self.api_url}{path}", params=params, headers=self._auth, timeout=10)
        except requests.ConnectionError:
            raise self._unreachable() from None
        body: dict[str, Any] = answer(response, f"GET {path}")
        return body

    def _unreachable(self) -> ApiError:
        return ApiError(
            f"the API at {self.api_url} did not answer"
            + (f": {self.unreachable_hint}" if self.unreachable_hint else "")
        )

    def run(self, run_id: str) -> dict[str, Any]:
        """``GET /runs/{run_id}``: the run's view."""
        return self.get(f"/runs/{run_id}")

    def runs(self, *, limit: int, cursor: str | None = None, status: str | None = None) -> dict[str, Any]:
        """``GET /runs``: one page of the tenant's runs, newest first, and the next page's cursor."""
        params = {"limit": limit, "cursor": cursor, "status": status}
        return self.get("/runs", {name: value for name, value in params.items() if value is not None})

    def timeline(self, run_id: str) -> dict[str, Any]:
        """``GET /runs/{run_id}/timeline``: the run's history, step results and events, in time order."""
        return self.get(f"/runs/{run_id}/timeline")

    def events(self, run_id: str) -> list[dict[str, Any]]:
        """``GET /runs/{run_id}/events``: the run's audit trail so far (up to 200 events)."""
        events: list[dict[str, Any]] = self.get(f"/runs/{run_id}/events", {"limit": 200})["events"]
        return events

    def decide(self, run_id: str, decision: str, comment: str = "") -> dict[str, Any]:
        """``POST /runs/{run_id}/approval``: approve or reject at the gate the run waits at."""
        return self._post(f"/runs/{run_id}/approval", {"decision": decision, "comment": comment})

    def cancel(self, run_id: str) -> dict[str, Any]:
        """``POST /runs/{run_id}/cancel``."""
        return self._post(f"/runs/{run_id}/cancel", None, expected=HTTPStatus.ACCEPTED)

    def _post(
        self, path: str, body: dict[str, Any] | None, *, expected: int = HTTPStatus.OK
    ) -> dict[str, Any]:
        try:
            response = requests.post(f"{self.api_url}{path}", json=body, headers=self._auth, timeout=30)
        except requests.ConnectionError:
            raise self._unreachable() from None
        result: dict[str, Any] = answer(response, f"POST {path}", expected=expected)
        return result

    def resume(self, run_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /runs/{run_id}/resume``: the new run that resumes it."""
        return self._post(f"/runs/{run_id}/resume", body, expected=HTTPStatus.ACCEPTED)

    def replay(self, run_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /runs/{run_id}/replay``: the new run that replays it, and its forecast."""
        return self._post(f"/runs/{run_id}/replay", body, expected=HTTPStatus.ACCEPTED)

    def bulk(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /runs/bulk/{action}`` (cancel, resume): what was done to each run matched."""
        return self._post(f"/runs/bulk/{action}", body)

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
