"""Datasette hooks that make the corpus read well and search Lao by words.

* SQL functions: ``escape_fts`` is replaced by ``publish.search.match_query``, so the search box
  of any table with ``fts_table`` segments what is typed exactly as the index was segmented;
  ``lao_match(q)`` and ``lao_excerpt(text, q)`` serve the canned ``search`` query.
* Cells: stored UTC times show as ``2024-11-24 17:00 UTC`` (Vientiane time on hover), JSON
  lists of categories and tags as ``ການເມືອງ, ເສດຖະກິດ``.
* Errors: a 404 or a rejected query is a page for the reader, not a traceback in the
  operator's terminal (Datasette prints every exception with its locals when rich is
  installed). Only unexpected exceptions print a traceback, a plain one.
* ``/<db>/posts`` without a column choice redirects to ``?_nocol=body_html``.
"""

from __future__ import annotations

import json
import sys
import traceback
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote
from zoneinfo import ZoneInfo

import regex
from datasette import hookimpl
from datasette.utils.asgi import Base400
from datasette.views.base import DatasetteError
from markupsafe import Markup, escape

from publish import search

VIENTIANE = ZoneInfo("Asia/Vientiane")
LIST_COLUMNS = frozenset({"categories", "tags", "authors"})
# How SQLAlchemy stores a UTC time in SQLite: '2024-11-24 17:00:00.000000'
_STORED_TIME = regex.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?")
_POSTS_PAGE = regex.compile(r"/[^/]+/posts")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


@hookimpl(trylast=True)  # after Datasette's own, so that its escape_fts is the one replaced
def prepare_connection(conn: Any) -> None:
    conn.create_function("escape_fts", 1, lambda q: search.match_query(_text(q)))
    conn.create_function("lao_match", 1, lambda q: search.match_query(_text(q)))
    conn.create_function("lao_excerpt", 2, lambda text, q: search.excerpt(_text(text), _text(q)))


def format_time(value: str) -> Markup:
    """'2024-11-24 17:00:00.000000' -> 2024-11-24 17:00 UTC (seconds kept when not zero)."""
    moment = datetime.fromisoformat(value).replace(tzinfo=UTC)
    shown = moment.strftime("%Y-%m-%d %H:%M:%S" if moment.second else "%Y-%m-%d %H:%M")
    local = moment.astimezone(VIENTIANE).strftime("%Y-%m-%d %H:%M")
    return Markup(
        f'<time datetime="{moment.isoformat()}" title="{local} Vientiane (UTC+7)">'
        f"{shown} UTC</time>"
    )


@hookimpl
def render_cell(value: Any, column: str) -> Markup | None:
    if isinstance(value, str) and column.endswith("_at") and _STORED_TIME.fullmatch(value):
        return format_time(value)
    if column in LIST_COLUMNS and isinstance(value, str) and value.startswith("["):
        try:
            items = json.loads(value)
        except ValueError:
            return None
        if isinstance(items, list) and all(isinstance(item, str) for item in items):
            return Markup(", ".join(str(escape(item)) for item in items)) or Markup("–")
    return None


@hookimpl
def handle_exception(datasette: Any, request: Any, exception: Exception) -> Any:
    """Answer expected errors (not found, bad request, rejected SQL) without a traceback."""
    if isinstance(exception, Base400):
        status, message, title = exception.status, str(exception.args[0]), None
    elif isinstance(exception, DatasetteError):
        status, message, title = exception.status, exception.message, exception.title
    else:
        print(f"error serving {request.path}:", file=sys.stderr)
        traceback.print_exception(exception, limit=-3, file=sys.stderr)
        status, message, title = 500, str(exception), None

    async def page() -> Any:
        from datasette import Response

        info = {"ok": False, "error": message, "status": status, "title": title}
        if request.path.endswith(".json"):
            return Response.json(info, status=status)
        html = await datasette.render_template(["error.html"], info, request=request)
        return Response.html(html, status=status)

    return page


@hookimpl
def asgi_wrapper() -> Any:
    """Redirect the posts table's page to hide ``body_html`` unless columns were chosen."""

    def wrap(app: Any) -> Any:
        async def hide_body_html(scope: dict, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and _POSTS_PAGE.fullmatch(scope["path"]):
                query = scope.get("query_string", b"").decode("latin-1")
                keys = {key for key, _ in parse_qsl(query, keep_blank_values=True)}
                if not keys & {"_col", "_nocol"}:
                    location = quote(scope["path"]) + "?" + (query + "&" if query else "")
                    location += "_nocol=body_html"
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 302,
                            "headers": [(b"location", location.encode("latin-1"))],
                        }
                    )
                    await send({"type": "http.response.body", "body": b""})
                    return
            await app(scope, receive, send)

        return hide_body_html

    return wrap
