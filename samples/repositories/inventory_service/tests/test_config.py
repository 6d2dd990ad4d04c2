"""Settings: the configuration file, its errors and environment overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
from inventory.config import Settings, load_config, parse_config_file
from inventory.errors import ConfigError


def test_the_configuration_file_sets_every_setting(tmp_path: Path) -> None:
    config = tmp_path / "inventory.toml"
    config.write_text('[inventory]\nport = 9000\ncurrency = "USD"\n', encoding="utf-8")

    settings = parse_config_file(config)

    assert settings == Settings(port=9000, currency="USD")


def test_unknown_keys_are_refused(tmp_path: Path) -> None:
    config = tmp_path / "inventory.toml"
    config.write_text("[inventory]\nprot = 9000\n", encoding="utf-8")

    with pytest.raises(ConfigError, match="unknown settings prot"):
        parse_config_file(config)


def test_environment_variables_override_the_file(tmp_path: Path) -> None:
    config = tmp_path / "inventory.toml"
    config.write_text("[inventory]\nport = 9000\n", encoding="utf-8")

    settings = load_config(config, environ={"INVENTORY_PORT": "9100"})

    assert settings.port == 9100


def test_a_value_of_the_wrong_type_names_the_setting() -> None:
    with pytest.raises(ConfigError, match="port must be a int"):
        load_config(environ={"INVENTORY_PORT": "eighty"})
