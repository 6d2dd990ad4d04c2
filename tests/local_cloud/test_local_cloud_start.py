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
