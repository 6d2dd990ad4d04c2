"""The functions' runtime and the layer of their third-party packages (``make lambda-deps``)."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Annotations, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

REPO_ROOT = Path(__file__).resolve().parents[3]
DEPS_LAYER_DIR = REPO_ROOT / "build" / "lambda-deps"
DEPS_PLACEHOLDER_DIR = Path(__file__).resolve().parent / "lambda_deps_placeholder"

RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.ARM_64


def dependencies_layer(scope: Construct) -> lambda_.LayerVersion:
    """The pinned packages' layer, or an empty placeholder (and a warning) before ``make lambda-deps``."""
    if (DEPS_LAYER_DIR / "python").is_dir():
        code = lambda_.Code.from_asset(str(DEPS_LAYER_DIR))
    else:
        Annotations.of(scope).add_warning_v2(
            "orchestrator:deps-layer-missing",
            "build/lambda-deps is missing: run 'make lambda-deps' before 'cdk deploy' "
            "(the synthesized layer is an empty placeholder; local runs do not need it)",
        )
        code = lambda_.Code.from_asset(str(DEPS_PLACEHOLDER_DIR))
    return lambda_.LayerVersion(
        scope,
        "Dependencies",
        code=code,
        compatible_runtimes=[RUNTIME],
        compatible_architectures=[ARCHITECTURE],
        description="Pinned third-party packages of the orchestrator functions",
        removal_policy=RemovalPolicy.DESTROY,
    )
