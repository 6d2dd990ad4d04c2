"""HTTP API of the inventory service: routes requests to the repository and the pricing rules."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from inventory.config import Settings
from inventory.errors import InventoryError
from inventory.pricing import format_price, price_for
from inventory.repository import InMemoryInventoryRepository


@dataclass(frozen=True)
class Response:
    """Status and JSON body of an answer."""

    status: int
    body: dict[str, object] = field(default_factory=dict)


def handle_request(
    method: str, target: str, body: bytes, repository: InMemoryInventoryRepository, settings: Settings
) -> Response:
    """Answer one request; domain errors become their HTTP status with an ``error`` message."""
    url = urlsplit(target)
    parts = [part for part in url.path.split("/") if part]
    query = {name: values[-1] for name, values in parse_qs(url.query).items()}
    try:
        if method == "GET" and parts == ["health"]:
            return Response(200, {"status": "ok"})
        if method == "GET" and len(parts) == 2 and parts[0] == "items":
            return _item(parts[1], repository, settings)
        if method == "GET" and len(parts) == 3 and parts[0] == "items" and parts[2] == "price":
            return _quote(parts[1], query, repository, settings)
        if method == "POST" and len(parts) == 3 and parts[0] == "items" and parts[2] == "reservations":
            return _reserve(parts[1], body, repository)
        if method == "DELETE" and len(parts) == 2 and parts[0] == "reservations":
            repository.release(parts[1])
            return Response(204)
    except InventoryError as exc:
        return Response(exc.status, {"error": str(exc)})
    except ValueError as exc:
        return Response(400, {"error": str(exc)})
    return Response(404, {"error": f"no route for {method} {url.path}"})


def _item(sku: str, repository: InMemoryInventoryRepository, settings: Settings) -> Response:
    item = repository.get_item(sku)
    level = repository.stock(sku)
    return Response(
        200,
        {
            "sku": item.sku,
            "name": item.name,
            "available": level.available,
            "low": level.is_low(settings.low_stock_threshold),
        },
    )


def _quote(
    sku: str, query: dict[str, str], repository: InMemoryInventoryRepository, settings: Settings
) -> Response:
    item = repository.get_item(sku)
    quantity = int(query.get("quantity", "1"))
    total = price_for(item, quantity, tier=query.get("tier", "standard"), coupon=query.get("coupon"))
    return Response(200, {"sku": sku, "quantity": quantity, "total": format_price(total, settings.currency)})


def _reserve(sku: str, body: bytes, repository: InMemoryInventoryRepository) -> Response:
    request = json.loads(body or b"{}")
    reservation = repository.reserve(sku, int(request.get("quantity", 1)))
    return Response(
        201,
        {"reservation_id": reservation.reservation_id, "expires_at": reservation.expires_at.isoformat()},
    )


def serve(settings: Settings, repository: InMemoryInventoryRepository) -> None:
    """Serve the API on the configured host and port until interrupted."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            response = handle_request(self.command, self.path, self.rfile.read(length), repository, settings)
            payload = json.dumps(response.body).encode() if response.status != 204 else b""
            self.send_response(response.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = _answer

    with ThreadingHTTPServer((settings.host, settings.port), Handler) as server:
        server.serve_forever()
