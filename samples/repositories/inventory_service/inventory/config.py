"""Settings of the inventory service: a TOML configuration file, overridden by environment variables."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from inventory.errors import ConfigError

ENV_PREFIX = "INVENTORY_"


@dataclass(frozen=True)
class Settings:
    """Settings of one running service."""

    host: str = "127.0.0.1"
    port: int = 8000
    currency: str = "EUR"
    low_stock_threshold: int = 5
    reservation_minutes: int = 15


def parse_config_file(path: str | Path) -> Settings:
    """Parse the TOML configuration file at ``path`` into settings.

    The settings are read from the file's ``[inventory]`` table. Unknown keys are refused so
    that a misspelt setting does not go unnoticed; missing keys take their defaults.
    """
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"configuration file {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"configuration file {path} is not valid TOML: {exc}") from exc
    return _settings_from(raw.get("inventory", {}), source=str(path))


def load_config(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from the configuration file (if any) with environment variables on top.

    ``INVENTORY_PORT=9000`` overrides the file's ``port``, and so on for every setting.
    """
    settings = parse_config_file(path) if path else Settings()
    env = os.environ if environ is None else environ
    overrides = {
        field.name: env[ENV_PREFIX + field.name.upper()]
        for field in fields(Settings)
        if ENV_PREFIX + field.name.upper() in env
    }
    return _settings_from({**asdict(settings), **overrides}, source="environment")


def _settings_from(values: Mapping[str, object], source: str) -> Settings:
    """Settings from raw values, each converted to its setting's type."""
    defaults = asdict(Settings())
    unknown = sorted(set(values) - set(defaults))
    if unknown:
        raise ConfigError(f"{source}: unknown settings {', '.join(unknown)}")
    converted: dict[str, object] = {}
    for name, value in values.items():
        kind = type(defaults[name])
        try:
            converted[name] = kind(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{source}: {name} must be a {kind.__name__}, not {value!r}") from exc
    return Settings(**converted)  # type: ignore[arg-type]
