"""Functions' environment variables, written from the field names of the functions' ``Settings``
(``orchestrator/core/settings.py``): a name the functions do not read fails the synth."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_lambda as lambda_

from orchestrator.core.settings import Settings


def add_settings(function: lambda_.Function, **values: Any) -> None:
    """Set these settings (field=value) on a function that already exists."""
    for name, value in Settings.environment(**values).items():
        function.add_environment(name, value)
