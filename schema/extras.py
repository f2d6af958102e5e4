"""The optional extras of pyproject.toml, declared once: which extra a missing module belongs to.

Why in schema/: the command line and the crawl's add-ons (a distributed worker without the
``distributed`` extra) give the same one-line advice.
"""

# The optional extras of pyproject.toml, by the top-level module each distribution installs: a
# command that needs a missing one says which extra to install (tests/test_crawl_only.py checks
# this table against pyproject.toml).
MODULE_EXTRAS = {
    "numpy": "analysis",
    "pyarrow": "publish",
    "matplotlib": "publish",
    "yaml": "publish",
    "fontTools": "publish",
    "datasette": "publish",
    "uvicorn": "publish",
    "redis": "distributed",
    "scrapy_redis": "distributed",
}


def missing_extra(error: ImportError) -> str | None:
    """The one-line advice for a module of an optional extra that is not installed, or None."""
    module = (getattr(error, "name", None) or "").split(".")[0]
    extra = MODULE_EXTRAS.get(module)
    if extra is None:
        return None
    return (
        f"this command needs the {extra!r} extra ({module} is not installed): "
        f"pip install 'lao-news-corpus[{extra}]'"
    )
