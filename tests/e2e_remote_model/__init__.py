"""Whole runs on a local cloud whose model provider is a remote (OpenAI-compatible) server."""
