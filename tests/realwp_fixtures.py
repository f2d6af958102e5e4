"""Fixtures for real WordPress sites (``testing.realwp``); ``tests/conftest.py`` imports them.

``realwp_site`` is module-scoped and parametrized indirectly with a ``Variant``, so a module
starts each site once and pytest tears it down (server killed, database dropped) before the
next. Without php, WordPress or MariaDB the tests skip on a developer machine and fail when
``CI=true``; ``make test`` installs them first.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from testing.realwp import Variant, WordPressSite, unavailable_reason
from testing.realwp.mariadb import drop_stale
from testing.realwp.site import remove_stale_workdirs


@pytest.fixture(scope="session")
def realwp_ready() -> None:
    """Real WordPress can run here (else skip, or fail under CI); old leftovers dropped."""
    reason = unavailable_reason()
    if reason:
        message = f"real WordPress unavailable: {reason} (make test installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    drop_stale()
    remove_stale_workdirs()


@pytest.fixture(scope="module")
def realwp_site(request, realwp_ready) -> Iterator[WordPressSite]:
    """A started site of ``request.param`` (a ``Variant``; default: the classic theme)."""
    variant = getattr(request, "param", None) or Variant()
    with WordPressSite(variant) as site:
        yield site
