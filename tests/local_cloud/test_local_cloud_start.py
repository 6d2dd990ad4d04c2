"""Starting the local cloud on a port that is taken fails at once, with what to do."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from infra.local.cloud import LocalCloud


def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(RuntimeError, match=f"port {port} is in use.*--aws-port"):
            LocalCloud(tmp_path, aws_port=port).start()
        with pytest.raises(RuntimeError, match=f"port {port} is in use.*--api-port"):
            LocalCloud(tmp_path, api_port=port).start()


def test_a_port_whose_last_server_just_stopped_is_free_again() -> None:
    from infra.local.cloud import ensure_port_free

    # Given a server that answered a connection and stopped first (its side waits in TIME-WAIT)
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = server.accept()
        accepted.close()  # the server closes first: TIME-WAIT is on its side
    client.close()
    # Then a new local cloud may take the port at once, as the servers bind with SO_REUSEADDR
    ensure_port_free(port, "--api-port")
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))
