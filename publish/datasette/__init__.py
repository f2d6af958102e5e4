"""The corpus's Datasette plugin, templates and style sheet (see publish/serve.py)."""

from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
