"""The web console: static files (``static/``), served by the local cloud and deployed as a site."""

from pathlib import Path

STATIC_FILES = Path(__file__).resolve().parent / "static"
"""index.html, console.js, console.css: plain files, no build step, nothing loaded from elsewhere."""
