"""Start the inventory service: ``python -m inventory --config inventory.toml``."""

from __future__ import annotations

import argparse

from inventory.config import load_config
from inventory.handler import serve
from inventory.repository import InMemoryInventoryRepository


def main() -> None:
    """Parse the command line, load the settings and serve until interrupted."""
    parser = argparse.ArgumentParser(description="Inventory service")
    parser.add_argument("--config", help="TOML configuration file", default=None)
    settings = load_config(parser.parse_args().config)
    serve(settings, InMemoryInventoryRepository(settings.reservation_minutes))


if __name__ == "__main__":
    main()
