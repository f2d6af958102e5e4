"""A minimal response value shared by the router, the REST API and the HTTP server.

Why: routing is a pure function of (request, site, per-server state); keeping it apart from
socket handling makes every route testable without a server and the server trivially small.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

HTML = "text/html; charset=UTF-8"
XML = "application/xml; charset=UTF-8"
JSON = "application/json; charset=UTF-8"
TEXT = "text/plain; charset=utf-8"
RSS = "application/rss+xml; charset=UTF-8"


@dataclass(slots=True)
class Response:
    """Status, body bytes, content type and extra headers of one HTTP answer."""

    status: int
    body: bytes = b""
    content_type: str | None = HTML
    headers: list[tuple[str, str]] = field(default_factory=list)


def text(
    status: int, body: str, content_type: str = HTML, headers: list[tuple[str, str]] | None = None
) -> Response:
    """A textual response, UTF-8 encoded."""
    return Response(status, body.encode("utf-8"), content_type, headers or [])


def as_json(status: int, data: Any, headers: list[tuple[str, str]] | None = None) -> Response:
    """A JSON response, ASCII-escaped as PHP's json_encode does for WordPress."""
    return Response(status, json.dumps(data).encode("ascii"), JSON, headers or [])
