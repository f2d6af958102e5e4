"""A small hostile-site HTTP server: each test supplies the routes that attack the crawler.

It binds 127.0.0.1 on a free port, serves every request in its own thread (a slow or endless
response never blocks the others) and logs every request, so a test can assert both what the
crawler stored and what it asked for.

API::

    from tests.hostile.server import HostileServer, Route, gzip_zeros

    with HostileServer() as other, HostileServer() as site:   # "other" must see nothing
        site.route("/", Route(body=f'<a href="{other.url}/x">x</a>'))
        site.route("/robots.txt", Route(status=500))
        site.route("/wp-sitemap.xml", Route(body=endless_xml, headers={"Content-Type": "text/xml"}))
        site.route("/page/?paged=2", Route(body=b"..."))            # path+query beats path
        site.route("/bomb/", Route(body=gzip_zeros(100), headers={"Content-Encoding": "gzip"}))
        site.route("/api", lambda seen: Route(body=seen.query))    # computed per request
        ... run the crawl against site.url ...
        assert other.requests == []
        assert site.paths() == ["/robots.txt", "/", ...]

``HostileServer(routes=None)``
    ``routes`` maps a key to a ``Route`` or to a callable ``f(seen: Seen) -> Route``. A key is
    a path (``"/feed/"``), a path with its query (``"/?rest_route=/"``), or a prefix ending in
    ``*`` (``"/p/*"``: every path under /p/). The exact path+query wins, then the path, then
    the longest prefix. An unknown path answers 404 with an empty body.
    ``.url`` is ``http://127.0.0.1:PORT`` (no trailing slash), ``.port`` the port, ``.origin``
    the same as ``.url``. ``.route(key, route)`` adds or replaces a route, also while serving.
    Use it as a context manager (or call ``.start()`` / ``.stop()``).
``Route(status=200, headers=None, body=b"", gzip=False, delay=0.0)``
    ``headers``: a dict or a list of ``(name, value)`` pairs (repeat a name with the list).
    ``body``: ``bytes``, ``str`` (sent as UTF-8), an iterable of ``bytes`` chunks (a generator:
    endless or huge bodies, sent chunked, until it ends or the client hangs up), or a
    zero-argument callable returning any of these (a fresh generator per request).
    ``gzip=True`` compresses a ``bytes``/``str`` body and sets ``Content-Encoding: gzip``.
    ``delay``: seconds to wait before answering (a timeout). Without a ``Content-Type`` header
    the server sends ``text/html; charset=utf-8``.
``Seen`` (an entry of ``.requests``, in arrival order)
    ``method``, ``path``, ``query`` (raw, without ``?``), ``target`` (path plus ``?query``),
    ``headers`` (a dict, names lower-cased) and ``at`` (``time.monotonic()`` on arrival).
    ``.paths()`` lists the targets only.
``gzip_bytes(data)`` gzip of ``data``; ``gzip_zeros(megabytes)`` a gzip bomb of that many MB
    of zeros (about 1/1000 of it on the wire), built without holding the zeros in memory.
"""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Body = bytes | str | Iterable[bytes] | Callable[[], bytes | str | Iterable[bytes]]


@dataclass
class Route:
    status: int = 200
    headers: Mapping[str, str] | list[tuple[str, str]] | None = None
    body: Body = b""
    gzip: bool = False
    delay: float = 0.0


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: str
    headers: dict[str, str] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


Handler = Route | Callable[[Seen], Route]


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data)


def gzip_zeros(megabytes: int) -> bytes:
    """A gzip member that inflates to ``megabytes`` MB of zeros."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
    chunk = bytes(1024 * 1024)
    parts = [compressor.compress(chunk) for _ in range(megabytes)]
    parts.append(compressor.flush())
    return b"".join(parts)


class HostileServer:
    """One origin on 127.0.0.1 whose every answer a test decides; see the module docstring."""

    def __init__(self, routes: Mapping[str, Handler] | None = None) -> None:
        self.routes: dict[str, Handler] = dict(routes or {})
        self.requests: list[Seen] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.origin = self.url
        self._thread: threading.Thread | None = None

    def route(self, key: str, handler: Handler) -> None:
        self.routes[key] = handler

    def paths(self) -> list[str]:
        return [seen.target for seen in self.requests]

    def start(self) -> HostileServer:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _lookup(self, seen: Seen) -> Route:
        handler = self.routes.get(seen.target) or self.routes.get(seen.path)
        if handler is None:
            prefixes = [k for k in self.routes if k.endswith("*") and seen.path.startswith(k[:-1])]
            if prefixes:
                handler = self.routes[max(prefixes, key=len)]
        if handler is None:
            return Route(status=404)
        return handler if isinstance(handler, Route) else handler(seen)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args) -> None:  # quiet test output
                pass

            def do_GET(self) -> None:
                self._answer(send_body=True)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                self._answer(send_body=True)

            def do_HEAD(self) -> None:
                self._answer(send_body=False)

            def _answer(self, send_body: bool) -> None:
                parts = urlsplit(self.path)
                seen = Seen(
                    method=self.command,
                    path=parts.path,
                    query=parts.query,
                    headers={k.lower(): v for k, v in self.headers.items()},
                )
                server.requests.append(seen)
                route = server._lookup(seen)
                if route.delay:
                    time.sleep(route.delay)
                try:
                    self._send(route, send_body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the crawler hung up: that is its right

            def _send(self, route: Route, send_body: bool) -> None:
                headers = route.headers or {}
                pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
                body = route.body() if callable(route.body) else route.body
                if isinstance(body, str):
                    body = body.encode("utf-8")
                if route.gzip and isinstance(body, bytes):
                    body = gzip_bytes(body)
                    pairs.append(("Content-Encoding", "gzip"))
                if not any(name.lower() == "content-type" for name, _ in pairs):
                    pairs.append(("Content-Type", "text/html; charset=utf-8"))
                self.send_response(route.status)
                for name, value in pairs:
                    self.send_header(name, value)
                if isinstance(body, bytes):
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if send_body:
                        self.wfile.write(body)
                    return
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                if not send_body:
                    return
                for chunk in body:
                    if chunk:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")

        return RequestHandler
