"""Model providers behind one interface (strategy). SDKs are imported lazily."""

from orchestrator.providers.base import ModelProvider, ModelRequest, ModelResponse
from orchestrator.providers.factory import create_provider, known_providers

__all__ = ["ModelProvider", "ModelRequest", "ModelResponse", "create_provider", "known_providers"]
