"""The sample site over real HTTP/1.1 on 127.0.0.1, quiet and keep-alive capable.

Why: the crawler must be tested through a real socket (Scrapy's downloader, keep-alive,
redirects, conditional requests), not against mocked responses. Each server shows its site
in one Face (theme, permalinks, REST mode), so one model can stand for differently set-up
WordPress blogs side by side.
"""

from __future__ import annotations

import re
import socket
import socketserver
import struct
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from testing.samplesite import chaos as chaos_mode
from testing.samplesite.chaos import Chaos, Hit, chaos_truth
from testing.samplesite.content import SampleSite
from testing.samplesite.faces import (
    DEFAULT_FACE,
    PERMALINKS,
    REST_MODES,
    THEMES,
    Face,
    face_ground_truth,
)
from testing.samplesite.responses import HTML, TEXT, Response, text
from testing.samplesite.routes import Router

__all__ = [
    "PERMALINKS",
    "REST_MODES",
    "THEMES",
    "Face",
    "SampleSite",
    "SampleSiteServer",
    "make_server",
]

_NO_DATE_LINE = re.compile(rb'<span class="posted-on">.*?</span>(?=</div>)')
_BYLINE = re.compile(rb'<span class="byline">.*?</span></span>')  # the lsr theme's author
_HOST = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?")


class _Handler(BaseHTTPRequestHandler):
    """Turns each request into Router.handle() and writes the answer with Content-Length."""

    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    timeout = 30  # idle keep-alive connections give their thread back eventually
    disable_nagle_algorithm = True  # headers and body go out as two writes; don't wait for ACKs
    server: SampleSiteServer

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_POST(self) -> None:
        self._refuse()

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_POST

    def version_string(self) -> str:
        """The Server header, without Python's version."""
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging (the server's request_log records requests)."""

    def _serve(self, *, head: bool) -> None:
        srv = self.server
        host = self.headers.get("Host", "")
        base = f"http://{host}" if _HOST.fullmatch(host) else srv.base_url
        hit = srv.chaos.hit(self.path) if srv.chaos is not None else None
        if hit is not None:
            self._serve_chaos(hit, base, head=head)
            return
        try:
            response = srv.router.handle(self.path, self.headers, base)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            response = text(500, "Internal Server Error\n", TEXT)
        self._write(response, head=head)

    def _refuse(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._write(text(405, "Method Not Allowed\n", TEXT, [("Allow", "GET, HEAD")]), head=False)

    def _write(self, response: Response, *, head: bool) -> None:
        response = self._redesigned(response)
        self.server.record(self.command, self.path, response.status)
        self._start(response, len(response.body))
        if not head and response.status != 304:
            self.wfile.write(response.body)

    def _redesigned(self, response: Response) -> Response:
        """Drop the date line from HTML when the server shows the redesigned theme."""
        if self.server.redesign and response.content_type == HTML:
            response.body = _NO_DATE_LINE.sub(b"", response.body)
        if not self.server.bylines and response.content_type == HTML:
            response.body = _BYLINE.sub(b"", response.body)
        return response

    def _start(self, response: Response, length: int) -> None:
        """Status line and headers; `length` is the Content-Length to announce."""
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers:
            self.send_header(name, value)
        if response.status != 304:  # a 304 has no body and must not announce one
            self.send_header("Content-Length", str(length))
        self.end_headers()

    # -- chaos mode: the faults that act on the socket --

    def _serve_chaos(self, hit: Hit, base: str, *, head: bool) -> None:
        """Answer a request chaos mode cares about (see testing.samplesite.chaos)."""
        srv = self.server
        assert srv.chaos is not None
        fault, first = hit.fault, hit.count == 1
        if hit.what == "post":
            if fault == "timeout_always" or (fault == "timeout_once" and first):
                time.sleep(chaos_mode.CHAOS_TIMEOUT)
            elif fault == "reset_once" and first:
                self._reset()
                return
        try:
            response = srv.chaos.respond(hit, self.path, self.headers, base, srv.router)
            response = srv.chaos.encode(hit, self._redesigned(response))
        except Exception:
            traceback.print_exc(file=sys.stderr)
            response = text(500, "Internal Server Error\n", TEXT)
        if hit.what == "post" and response.status == 200:
            if fault == "huge_page":
                self._write_huge(response, head=head)
                return
            if fault == "slow" and not head:
                self._trickle(response)
                return
            if fault == "truncated_once" and first and not head:
                self._truncate(response)
                return
        self._write(response, head=head)

    def _reset(self) -> None:
        """Close the connection without answering; SO_LINGER 0 makes the close an RST."""
        self.server.record(self.command, self.path, 0)
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # The descriptor really closes (with the RST) once finish() closes rfile and wfile.
        self.connection.close()

    def _trickle(self, response: Response) -> None:
        """Send the body in small pieces spread over CHAOS_SLOW seconds."""
        self.server.record(self.command, self.path, response.status)
        body = response.body
        self._start(response, len(body))
        step = max(1, -(-len(body) // chaos_mode.SLOW_CHUNKS))
        for at in range(0, len(body), step):
            time.sleep(chaos_mode.CHAOS_SLOW / chaos_mode.SLOW_CHUNKS)
            self.wfile.write(body[at : at + step])

    def _truncate(self, response: Response) -> None:
        """Announce the whole body, send half of it, then close the connection."""
        self.server.record(self.command, self.path, response.status)
        self._start(response, len(response.body))
        self.wfile.write(response.body[: len(response.body) // 2])
        self.close_connection = True

    def _write_huge(self, response: Response, *, head: bool) -> None:
        """The page with HUGE_SIZE bytes of comment before </body>, streamed, never built."""
        self.server.record(self.command, self.path, response.status)
        before, after = chaos_mode.split_for_padding(response.body)
        self._start(response, len(response.body) + chaos_mode.HUGE_SIZE)
        if head:
            return
        self.wfile.write(before)
        for chunk in chaos_mode.padding_chunks(chaos_mode.HUGE_SIZE):
            self.wfile.write(chunk)
        self.wfile.write(after)


class SampleSiteServer(ThreadingHTTPServer):
    """A threading HTTP/1.1 server for one SampleSite, bound to 127.0.0.1 only.

    `request_log` lists (method, path_with_query, status) for every answered request (status
    0: chaos mode reset the connection without answering); `face` is how the site is shown
    (theme, permalinks, REST mode); `chaos` is the chaos-mode state, or None when it is off.
    """

    protocol_version = "HTTP/1.1"
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        site: SampleSite,
        port: int = 0,
        face: Face = DEFAULT_FACE,
        redesign: bool = False,
        *,
        chaos: bool = False,
        chaos_seed: int = 1,
        bylines: bool = True,
    ) -> None:
        self.site = site
        self.face = face
        # A theme that prints no author (lsr theme): with the users route blocked too, the
        # author is nowhere to be read, which monitoring must report.
        self.bylines = bylines
        # A theme update that silently dropped the date line: what monitoring must catch.
        self.redesign = redesign
        self.router = Router(site, face)
        self.chaos = Chaos(site, face, chaos_seed) if chaos else None
        self.request_log: list[tuple[str, str, int]] = []
        self._log_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        super().__init__(("127.0.0.1", port), _Handler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse-DNS lookup (there is no network to ask)."""
        socketserver.TCPServer.server_bind(self)
        self.server_name = "127.0.0.1"
        self.server_port = self.server_address[1]

    @property
    def port(self) -> int:
        """The bound port (useful when created with port 0)."""
        return int(self.server_address[1])

    @property
    def base_url(self) -> str:
        """Default site URL, used when a request carries no usable Host header."""
        return f"http://127.0.0.1:{self.port}"

    def ground_truth(self) -> dict[str, Any]:
        """What a crawl of this server must yield: face_ground_truth(site, face)."""
        return face_ground_truth(self.site, self.face)

    def chaos_truth(self) -> dict[str, Any] | None:
        """chaos_truth(site, chaos_seed, face) of a chaos server; None when chaos is off."""
        if self.chaos is None:
            return None
        return chaos_truth(self.site, self.chaos.plan.chaos_seed, self.face)

    def record(self, method: str, path: str, status: int) -> None:
        """Append one entry to request_log (thread-safe)."""
        with self._log_lock:
            self.request_log.append((method, path, status))

    def start(self) -> SampleSiteServer:
        """Serve in a daemon thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self.serve_forever,
                kwargs={"poll_interval": 0.05},
                daemon=True,
                name=f"samplesite:{self.port}",
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that hang up; report anything else."""
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)

    def __enter__(self) -> SampleSiteServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def make_server(
    site: SampleSite,
    port: int = 0,
    *,
    theme: str = "lsr",
    permalinks: str = "pretty",
    rest: str = "on",
    redesign: bool = False,
    chaos: bool = False,
    chaos_seed: int = 1,
    rest_fault: str = "none",
    bylines: bool = True,
) -> SampleSiteServer:
    """A bound (not yet serving) server for `site`; call .start() or use it in a with block.

    theme: one of THEMES, permalinks: one of PERMALINKS, rest: one of REST_MODES; an
    unknown value raises ValueError before any socket is opened. chaos: serve the faults of
    testing.samplesite.chaos placed by chaos_seed (see server.chaos_truth() for what survives them).
    rest_fault: one of REST_FAULTS (what a plugin or cache does to an API that answers);
    bylines=False: post pages print no author (lsr theme).
    """
    face = Face(theme, permalinks, rest, rest_fault)
    return SampleSiteServer(
        site, port, face, redesign, chaos=chaos, chaos_seed=chaos_seed, bylines=bylines
    )
