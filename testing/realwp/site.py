"""One real WordPress site: its own database, docroot and PHP server on 127.0.0.1.

The docroot links Debian's WordPress (``/usr/share/wordpress``) file by file and adds what is
the site's own: ``index.php`` and ``wp-config.php`` (so Debian's host-based config, which
drops the port, is never read), a router for PHP's built-in server, and ``wp-content`` with
the themes linked and the harness's mu-plugin. ``fill.php`` installs and fills it through
WordPress's API, ``truth.php`` reads the ground truth back.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from pathlib import Path
from types import TracebackType

from testing.realwp import mariadb
from testing.realwp.content import IMAGE_PATH, site_spec
from testing.realwp.truth import GroundTruth
from testing.realwp.variants import THEMES, Variant

WORDPRESS = Path(os.environ.get("REALWP_WORDPRESS_DIR", "/usr/share/wordpress"))
PHP_DIR = Path(__file__).resolve().parent / "php"
OWN_FILES = ("index.php", "wp-config.php", "wp-content")
SERVER_WORKERS = int(os.environ.get("REALWP_SERVER_WORKERS", "4"))
# Compiled WordPress shared by every site and script run (PHP checks the files' times).
WORKDIR_PREFIX = "realwp-site-"
OPCACHE_DIR = Path(tempfile.gettempdir()) / f"realwp-opcache-{os.getuid()}"
# Runs the server in its process group and ends the group when the server or the Python
# process that started it dies: no worker outlives a test run, even one killed with -9.
WATCHDOG = """
parent=$1; shift
"$@" &
server=$!
while kill -0 "$parent" 2>/dev/null && kill -0 "$server" 2>/dev/null; do sleep 0.5; done
kill -TERM 0
"""


def unavailable_reason() -> str | None:
    """Why real WordPress sites cannot run on this machine, or None when they can."""
    if shutil.which("php") is None:
        return "php-cli is not installed"
    if not (WORDPRESS / "wp-settings.php").is_file():
        return f"WordPress is not installed at {WORDPRESS}"
    missing = [t for t in THEMES if not (WORDPRESS / "wp-content" / "themes" / t).is_dir()]
    if missing:
        return f"WordPress themes missing: {', '.join(missing)}"
    modules = subprocess.run(["php", "-m"], capture_output=True, text=True, check=False).stdout
    for module in ("mysqli", "xml"):
        if module not in modules.split():
            return f"PHP module {module} is missing (php-mysql / php-xml)"
    return mariadb.unavailable_reason()


def remove_stale_workdirs() -> list[Path]:
    """Remove the docroots of test processes that died before cleaning up after themselves."""
    removed = []
    for path in Path(tempfile.gettempdir()).glob(f"{WORKDIR_PREFIX}*-*"):
        pid = path.name.removeprefix(WORKDIR_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not mariadb.process_alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _png() -> bytes:
    """A 2×2 grey PNG: the image the posts' figures point at."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (2).to_bytes(4, "big") * 2 + bytes((8, 0, 0, 0, 0))
    pixels = zlib.compress(b"\x00\x80\x80" * 2)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _config(database: str, home: str, rest: str) -> str:
    salts = "".join(
        f"define('{name}', '{secrets.token_hex(32)}');\n"
        for name in (
            "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
            "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT",
        )
    )  # fmt: skip
    return f"""<?php
// One realwp test site (written by testing/realwp/site.py).
define('DB_NAME', '{database}');
define('DB_USER', '{mariadb.USER}');
define('DB_PASSWORD', '');
define('DB_HOST', '{mariadb.HOST}:{mariadb.PORT}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_HOME', '{home}');
define('WP_SITEURL', '{home}');
define('WP_CONTENT_DIR', __DIR__ . '/wp-content');
define('WP_CONTENT_URL', '{home}/wp-content');
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('WP_DEBUG', false);
define('REALWP_REST_MODE', '{rest}');
{salts}$table_prefix = 'wp_';
if (!defined('ABSPATH')) {{
    define('ABSPATH', __DIR__ . '/');
}}
require_once ABSPATH . 'wp-settings.php';
"""


class ServerExited(RuntimeError):
    pass


class WordPressSite:
    """``with WordPressSite(Variant(...)) as site: site.base_url, site.truth``."""

    def __init__(self, variant: Variant, workdir: Path | None = None, seed: int = 10) -> None:
        self.variant = variant
        self.seed = seed
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._own_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-"))
        self.docroot = self.workdir / "docroot"
        self.database: str | None = None
        self.server: subprocess.Popen | None = None
        self.truth: GroundTruth | None = None
        self.timings: dict[str, float] = {}

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> WordPressSite:
        started = time.monotonic()
        try:
            self.database = mariadb.new_database()
            self._build_docroot()
            spec = self.workdir / "spec.json"
            spec.write_text(
                json.dumps(site_spec(self.variant.theme, self.variant.permalink_structure,
                                     self.seed), ensure_ascii=False),
                encoding="utf-8",
            )  # fmt: skip
            self._serve()
            self.php("fill.php", str(spec))
            self.timings["fill"] = time.monotonic() - started
            self.truth = GroundTruth.from_json(self.php("truth.php"))
            self.timings["start"] = time.monotonic() - started
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Kill the server (all its workers), drop the database, remove the docroot."""
        if self.server is not None:
            _kill_group(self.server)
            self.server = None
            atexit.unregister(self.stop)
        if self.database is not None:
            mariadb.drop_database(self.database)
            self.database = None
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> WordPressSite:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- parts -------------------------------------------------------------------------------

    def php(self, script: str, *args: str, timeout: float = 120) -> str:
        """Run one of the harness's PHP scripts against this site; its standard output."""
        command = _php(
            "display_errors=stderr",
            "memory_limit=512M",
            "opcache.enable_cli=1",
            "opcache.file_cache_only=1",
            f"opcache.file_cache={_opcache_dir()}",
        )
        command += [str(PHP_DIR / script), str(self.docroot), self.base_url, *args]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{script} failed ({result.returncode}): {result.stderr[-3000:]}"
                f"{result.stdout[-2000:]}"
            )
        return result.stdout

    def _build_docroot(self) -> None:
        self.docroot.mkdir(parents=True)
        for entry in WORDPRESS.iterdir():
            if entry.name not in OWN_FILES:
                (self.docroot / entry.name).symlink_to(entry)
        for name in ("index.php", "router.php"):
            shutil.copyfile(PHP_DIR / name, self.docroot / name)  # __DIR__ must be the docroot
        content = self.docroot / "wp-content"
        for sub in ("themes", "plugins", "mu-plugins"):
            (content / sub).mkdir(parents=True)
        for theme in THEMES:
            (content / "themes" / theme).symlink_to(WORDPRESS / "wp-content" / "themes" / theme)
        (content / "mu-plugins" / "realwp.php").symlink_to(PHP_DIR / "realwp-mu-plugin.php")
        image = self.docroot / IMAGE_PATH.lstrip("/")
        image.parent.mkdir(parents=True)
        image.write_bytes(_png())

    def _serve(self, attempts: int = 3) -> None:
        """Start the server on a free port, and write the config for it: the home URL holds
        the port. Another process may take a port between our probe and PHP's bind: retry."""
        for attempt in range(attempts):
            if attempt:
                self.port = free_port()
                self.base_url = f"http://127.0.0.1:{self.port}"
            config = _config(self.database or "", self.base_url, self.variant.rest)
            (self.docroot / "wp-config.php").write_text(config, encoding="utf-8")
            self._start_server()
            try:
                self._wait_until_serving()
                return
            except ServerExited:
                if attempt == attempts - 1:
                    raise

    def _start_server(self) -> None:
        log = (self.workdir / "server.log").open("ab")
        env = {**os.environ, "PHP_CLI_SERVER_WORKERS": str(SERVER_WORKERS)}
        command = _php(
            "display_errors=0",
            "log_errors=1",
            "memory_limit=256M",
            f"opcache.file_cache={_opcache_dir()}",
        )
        command += ["-S", f"127.0.0.1:{self.port}", "-t", str(self.docroot)]
        command.append(str(self.docroot / "router.php"))
        self.server = subprocess.Popen(
            ["sh", "-c", WATCHDOG, "realwp-server", str(os.getpid()), *command],
            cwd=self.docroot,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # its own process group: stop() kills every worker
        )
        log.close()
        atexit.register(self.stop)  # a test run that ends early leaves no server behind

    def _wait_until_serving(self, timeout: float = 20) -> None:
        """Until the server answers for a static file (WordPress needs its database first)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.server is None or self.server.poll() is not None:
                self.server = None
                raise ServerExited(f"PHP server exited: {self.server_log()[-2000:]}")
            try:
                with urllib.request.urlopen(self.base_url + IMAGE_PATH, timeout=5) as response:
                    if response.status == 200:
                        return
            except urllib.error.HTTPError as exc:
                raise RuntimeError(f"{IMAGE_PATH} answered {exc.code}") from exc
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"no answer from {self.base_url} within {timeout}s")
            time.sleep(0.05)

    def server_log(self) -> str:
        path = self.workdir / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _php(*settings: str) -> list[str]:
    """The php command with these ini settings (``name=value``)."""
    return ["php", *(part for setting in settings for part in ("-d", setting))]


def _opcache_dir() -> Path:
    OPCACHE_DIR.mkdir(mode=0o700, exist_ok=True)
    return OPCACHE_DIR


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=5)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):  # workers that outlived their parent
        os.killpg(process.pid, signal.SIGKILL)
