"""A hostile-site HTTP server for tests (see ``tests.hostile.server``)."""

from tests.hostile.server import HostileServer, Route, Seen, gzip_bytes, gzip_zeros

__all__ = ["HostileServer", "Route", "Seen", "gzip_bytes", "gzip_zeros"]
