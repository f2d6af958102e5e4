"""Chaos mode of the sample site, over real HTTP: each fault on its URL, and its ground truth.

Why: crawler tests that rely on chaos mode trust that every fault happens exactly as
chaos_truth() says, and that nothing else changes; a fault that silently stopped firing would
make retry and rejection code look correct without being exercised. Only the standard library
talks to the servers (lxml, a project dependency, double-checks the damaged markup).
"""

from __future__ import annotations

import html
import http.client
import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from testing.samplesite import SampleSite, SampleSiteServer, chaos, ground_truth, make_server
from testing.samplesite.chaos import FAULTS, POST_FAULTS, REASONS, chaos_plan, chaos_truth
from testing.samplesite.content import CATEGORY_BY_SLUG
from testing.samplesite.faces import Face, face_ground_truth, multipage, plain_path

ROOT = Path(__file__).resolve().parent.parent
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
HOST = "chaos.test:8000"  # sent to both servers, so their absolute URLs agree byte for byte
MIB = 1024 * 1024


# --- helpers ----------------------------------------------------------------------------------


def request(
    base: str,
    path: str,
    *,
    method: str = "GET",
    timeout: float = 10.0,
    host: str | None = HOST,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request on a fresh connection, no redirects followed: (status, headers, body)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(method, path, headers={"Host": host} if host else {})
        response = conn.getresponse()
        return response.status, response.msg, response.read()
    finally:
        conn.close()


def undirty(fragment: str) -> str:
    """Inverse of testing.samplesite.dirty for an HTML fragment (as in test_samplesite.py)."""
    text = html.unescape(re.sub(r"<[^>]+>", "", fragment))
    text = text.translate({ord(z): None for z in ZERO_WIDTH}).replace("\xa0", " ")
    text = " ".join(text.split())
    text = re.sub("\u0ecd([\u0ec8-\u0ecb])\u0eb2", "\\1\u0eb3", text)
    text = text.replace("\u0ecd\u0eb2", "\u0eb3")
    return re.sub("([\u0ec8-\u0ecb])([\u0eb1\u0eb4-\u0eb7\u0ebb\u0ecd\u0ebc])", "\\2\\1", text)


def entry_html(page: str, *, run_scripts: bool = False) -> str:
    """The lsr theme's .entry-content up to the share buttons; scripts dropped unless asked."""
    if not run_scripts:
        page = re.sub(r"<script\b.*?</script>|<noscript\b.*?</noscript>", "", page, flags=re.S)
    return page.split('<div class="entry-content">', 1)[1].split('<div class="sharedaddy', 1)[0]


def post_text(page: str, *, run_scripts: bool = False) -> str:
    """The clean text of an lsr post page, as the ground truth states it."""
    found = (
        undirty(p)
        for p in re.findall(r"<p>(.*?)</p>", entry_html(page, run_scripts=run_scripts), re.S)
    )
    return "\n\n".join(p for p in found if p)


def truth_text(site: SampleSite, post_id: int) -> str:
    return next(p["text"] for p in ground_truth(site)["posts"] if p["post_id"] == post_id)


def main_html(page: str) -> str:
    return page.split("<main", 1)[1].split("</main>", 1)[0]


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> SampleSite:
    return SampleSite(posts=120, seed=1)


@pytest.fixture(scope="module")
def plan(site: SampleSite) -> chaos.ChaosPlan:
    return chaos_plan(site, 1)


@pytest.fixture(scope="module")
def normal(site: SampleSite) -> Iterator[SampleSiteServer]:
    """A server without chaos: the reference bytes of every page."""
    with make_server(site) as srv:
        yield srv


@pytest.fixture
def server(site: SampleSite) -> Iterator[SampleSiteServer]:
    """A fresh chaos server per test, so "the first N requests" faults fire in every test."""
    with make_server(site, chaos=True) as srv:
        yield srv


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shorter sleeps: timeouts of 0.8 s (clients give up after 0.3 s), slow pages of 0.3 s."""
    monkeypatch.setattr(chaos, "CHAOS_TIMEOUT", 0.8)
    monkeypatch.setattr(chaos, "CHAOS_SLOW", 0.3)


def reference(normal: SampleSiteServer, path: str) -> bytes:
    status, _, body = request(normal.base_url, path)
    assert status == 200, (path, status)
    return body


# --- placement and ground truth -----------------------------------------------------------------


def test_every_fault_once_on_its_own_ordinary_post(site: SampleSite, plan: chaos.ChaosPlan) -> None:
    assert len(FAULTS) == len(set(FAULTS)) == 21  # the 20 of the brief, 874 counted twice
    assert set(POST_FAULTS) | {"pagination_trap", "binary_at_post_url"} == set(FAULTS)
    ids = list(plan.posts.values())
    assert len(ids) == len(set(ids)) == len(POST_FAULTS)
    traps = {site.seed_post_id, site.dateless_id, site.repost_id, site.original_id}
    traps.add(multipage(site)[0])
    traps |= {i for copy, source, _ in site.near_duplicates for i in (copy, source)}
    traps |= {i for _, members in site.boilerplate for i in members}
    for post_id in ids:
        post = site.by_id[post_id]
        assert post_id not in traps
        assert post.repost_of is None and post.near_duplicate_of is None and post.frame is None
    assert plan.binary_id not in site.by_id and plan.binary_id != site.dead_id
    assert site.posts[0].id < plan.binary_id < site.posts[-1].id
    assert plan.last_page == 12 and plan.path("pagination_trap") == "/page/13/"


def test_chaos_truth_is_consistent(site: SampleSite, plan: chaos.ChaosPlan) -> None:
    truth = chaos_truth(site, 1)
    json.dumps(truth)  # plain JSON data
    assert [f["fault"] for f in truth["faults"]] == list(FAULTS)
    by_fault = {f["fault"]: f for f in truth["faults"]}
    assert len(by_fault) == 21
    for fault, entry in by_fault.items():
        assert entry["path"] == plan.path(fault)
        assert entry["retrievable"] == (fault not in REASONS)
        assert entry.get("reason") == REASONS.get(fault)
    assert REASONS == {
        "timeout_always": "TimeoutError",
        "error_500_always": "HTTP 500",
        "huge_page": "page larger than 16 MB",
        "redirect_loop": "redirect loop",
        "redirect_offsite": "redirect off-site",
        "binary_at_post_url": "not HTML (application/octet-stream)",
        "empty_body": "missing text",
    }
    assert truth["unretrievable"] == [
        {"path": f["path"], "fault": f["fault"], "reason": f["reason"]}
        for f in truth["faults"]
        if not f["retrievable"]
    ]
    assert by_fault["binary_at_post_url"]["linked_from_paths"] == [
        "/",
        f"/category/{plan.binary_category}/",
    ]
    lost = {plan.posts[f] for f in REASONS if f in plan.posts}
    assert len(lost) == 6  # the binary URL is not a post: nothing is lost with it
    expected = [p for p in ground_truth(site)["posts"] if p["post_id"] not in lost]
    assert truth["posts"] == expected
    assert len(truth["posts"]) == len(ground_truth(site)["posts"]) - 6


def test_placement_is_deterministic_per_chaos_seed(site: SampleSite) -> None:
    again = SampleSite(posts=120, seed=1)
    assert chaos_plan(again, 1) == chaos_plan(site, 1)
    assert chaos_truth(again, 1) == chaos_truth(site, 1)
    other = chaos_plan(site, 2)
    assert other.posts != chaos_plan(site, 1).posts
    assert chaos_truth(site, 2)["faults"] != chaos_truth(site, 1)["faults"]
    for posts, seed in ((40, 1), (40, 7), (41, 3), (400, 2)):  # small sites have room too
        small = SampleSite(posts=posts, seed=seed)
        assert len(set(chaos_plan(small, 5).posts.values())) == len(POST_FAULTS)


def test_plain_face_truth_uses_plain_paths(site: SampleSite) -> None:
    pretty, plain = chaos_truth(site, 1), chaos_truth(site, 1, Face(permalinks="plain"))
    assert [f["path"] for f in plain["faults"]] == [plain_path(f["path"]) for f in pretty["faults"]]
    assert plain["faults"][16]["path"] == "/?paged=13"
    lost = {int(u["path"].split("=")[1]) for u in plain["unretrievable"]}
    face_posts = face_ground_truth(site, Face(permalinks="plain"))["posts"]
    assert plain["posts"] == [p for p in face_posts if p["post_id"] not in lost]


def test_defaults_beat_the_crawler_limits() -> None:
    assert chaos.CHAOS_TIMEOUT == 4 and chaos.CHAOS_TIMEOUT > 2  # DOWNLOAD_TIMEOUT in tests
    assert chaos.CHAOS_SLOW < 2
    assert chaos.HUGE_SIZE > 16 * MIB  # DOWNLOAD_MAXSIZE


# --- non-chaos servers and unfaulted pages ------------------------------------------------------


def test_chaos_is_off_by_default(
    site: SampleSite, plan: chaos.ChaosPlan, normal: SampleSiteServer
) -> None:
    assert normal.chaos is None and normal.chaos_truth() is None
    base = normal.base_url
    for fault in POST_FAULTS:
        status, headers, _ = request(base, plan.path(fault))
        assert status == 200 and headers["Content-Type"] == "text/html; charset=UTF-8", fault
    assert request(base, "/page/13/")[0] == 404
    assert request(base, f"/{plan.binary_id}/")[0] == 404
    assert f"/{plan.binary_id}/" not in request(base, "/")[2].decode()


def test_unfaulted_pages_are_byte_identical(
    site: SampleSite, plan: chaos.ChaosPlan, normal: SampleSiteServer, server: SampleSiteServer
) -> None:
    faulted = set(plan.posts.values())
    paths = [p.path for p in site.posts if p.id not in faulted]
    paths += ["/page/2/", "/page/11/", "/feed/", "/wp-sitemap.xml", "/wp-sitemap-posts-post-1.xml"]
    paths += ["/wp-json/wp/v2/posts?per_page=100", "/robots.txt", "/tag/asean/", "/author/admin/"]
    paths += [f"/{site.dead_id}/", f"/{multipage(site)[0]}/2/", "/no/such/page/"]
    paths += [
        f"/category/{c}/" for c in ("news", "economy", "culture") if c != plan.binary_category
    ]
    for path in paths:
        assert request(server.base_url, path)[::2] == request(normal.base_url, path)[::2], path
    assert server.ground_truth() == normal.ground_truth()
    assert server.chaos_truth() == chaos_truth(site, 1)


# --- HTTP-level faults ----------------------------------------------------------------------------


@pytest.mark.usefixtures("quick")
def test_timeout_once(
    plan: chaos.ChaosPlan, normal: SampleSiteServer, server: SampleSiteServer
) -> None:
    path = plan.path("timeout_once")
    with pytest.raises(TimeoutError):
        request(server.base_url, path, timeout=0.3)
    start = time.monotonic()
    status, _, body = request(server.base_url, path, timeout=0.3)
    assert (status, body) == (200, reference(normal, path))
    assert time.monotonic() - start < 0.3
    assert server.chaos is not None and server.chaos.requests("timeout_once") == 2


@pytest.mark.usefixtures("quick")
def test_timeout_always(plan: chaos.ChaosPlan, server: SampleSiteServer) -> None:
    for _ in range(3):
        with pytest.raises(TimeoutError):
            request(server.base_url, plan.path("timeout_always"), timeout=0.3)
    status, _, _ = request(server.base_url, plan.path("timeout_always"), timeout=2)
    assert status == 200  # a patient client gets the page: the fault is the delay


def test_timeout_with_real_delay_outlasts_a_two_second_timeout(
    plan: chaos.ChaosPlan, server: SampleSiteServer
) -> None:
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        request(server.base_url, plan.path("timeout_once"), timeout=2)
    assert time.monotonic() - start >= 2
    assert request(server.base_url, plan.path("timeout_once"), timeout=2)[0] == 200


@pytest.mark.usefixtures("quick")
def test_slow_page_trickles(
    plan: chaos.ChaosPlan, normal: SampleSiteServer, server: SampleSiteServer
) -> None:
    path = plan.path("slow")
    parts = urlsplit(server.base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    start = time.monotonic()
    conn.request("GET", path, headers={"Host": HOST})
    response = conn.getresponse()
    headers_at = time.monotonic() - start
    body = response.read()
    total = time.monotonic() - start
    conn.close()
    assert response.status == 200 and body == reference(normal, path)
    assert int(response.headers["Content-Length"]) == len(body)
    assert headers_at < 0.2 <= total < 1.5  # headers at once, the body over CHAOS_SLOW


def test_burst_503_with_retry_after(
    plan: chaos.ChaosPlan, normal: SampleSiteServer, server: SampleSiteServer
) -> None:
    path = plan.path("burst_503_retry_after")
    answers = [request(server.base_url, path) for _ in range(4)]
    assert [a[0] for a in answers] == [503, 503, 200, 200]
    assert [a[1]["Retry-After"] for a in answers] == ["1", "1", None, None]
    assert answers[2][2] == reference(normal, path)
    with make_server(SampleSite(posts=120, seed=1), chaos=True) as fresh:  # counters per server
        assert request(fresh.base_url, path)[0] == 503


def test_burst_502_without_retry_after(plan: chaos.ChaosPlan, server: SampleSiteServer) -> None:
    path = plan.path("burst_502")
    answers = [request(server.base_url, path) for _ in range(3)]
    assert [a[0] for a in answers] == [502, 502, 200]
    assert all(a[1]["Retry-After"] is None for a in answers)
    assert b"Bad Gateway" in answers[0][2]


def test_error_500_always(plan: chaos.ChaosPlan, server: SampleSiteServer) -> None:
    path = plan.path("error_500_always")
    assert [request(server.base_url, path)[0] for _ in range(5)] == [500] * 5
    assert server.request_log == [("GET", path, 500)] * 5


def test_reset_once(
    plan: chaos.ChaosPlan, normal: SampleSiteServer, server: SampleSiteServer
) -> None:
    path = plan.path("reset_once")
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
        with pytest.raises(ConnectionResetError):  # an RST, not even a status line
            while sock.recv(65536):
                pass
    assert request(server.base_url, path)[::2] == request(normal.base_url, path)[::2]
    assert server.request_log == [("GET", path, 0), ("GET", path, 200)]


def test_truncated_once(
    plan: chaos.ChaosPlan, normal: SampleSiteServer, server: SampleSiteServer
) -> None:
    path = plan.path("truncated_once")
    full = reference(normal, path)
    parts = urlsplit(server.base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    conn.request("GET", path, headers={"Host": HOST})
    response = conn.getresponse()
    assert response.status == 200 and int(response.headers["Content-Length"]) == len(full)
    with pytest.raises(http.client.IncompleteRead) as err:
        response.read()
    conn.close()
    assert err.value.partial == full[: len(full) // 2]
    assert request(server.base_url, path)[2] == full


def test_huge_page(
    plan: chaos.ChaosPlan, normal: SampleSiteServer, server: SampleSiteServer
) -> None:
    path = plan.path("huge_page")
    page = reference(normal, path)
    status, headers, empty = request(server.base_url, path, method="HEAD")
    length = int(headers["Content-Length"])
    assert status == 200 and empty == b""
    assert length == len(page) + chaos.HUGE_SIZE > 16 * MIB
    status, headers, body = request(server.base_url, path, timeout=30)
    assert status == 200 and len(body) == length
    before, after = chaos.split_for_padding(page)
    assert body.startswith(before + b"<!-- chaos padding") and body.endswith(b" -->" + after)


def test_redirect_loop(plan: chaos.ChaosPlan, server: SampleSiteServer) -> None:
    path = plan.path("redirect_loop")
    target = path
    for _ in range(6):
        status, headers, _ = request(server.base_url, target)
        assert status == 301
        location = headers["Location"]
        assert location.startswith(f"http://{HOST}{path}")
        target = location.removeprefix(f"http://{HOST}")
        assert target in (path, f"{path}?loop=1")
    with pytest.raises(urllib.error.HTTPError, match="infinite loop"):
        urllib.request.urlopen(server.base_url + path, timeout=5)


def test_redirect_offsite(plan: chaos.ChaosPlan, server: SampleSiteServer) -> None:
    path = plan.path("redirect_offsite")
    status, headers, _ = request(server.base_url, path)
    assert status == 302
    assert headers["Location"] == f"http://offsite.invalid{path}"


def test_pagination_trap_never_ends(site: SampleSite, server: SampleSiteServer) -> None:
    base = server.base_url
    target: str | None = "/"
    listed: list[int] = []
    empty_pages = 0
    for number in range(1, 20):
        assert target is not None
        status, _, body = request(base, target)
        if status == 503:  # the site's own transient trap on /page/3/
            status, _, body = request(base, target)
        assert status == 200, target
        page = body.decode()
        found = [int(i) for i in re.findall(r'<article id="post-(\d+)"', main_html(page))]
        listed += found
        if number > 12:
            assert found == []
            empty_pages += 1
        nxt = re.search(r'<a class="next page-numbers" href="([^"]+)"', page)
        assert nxt is not None, f"page {number} has no next link"
        target = html.unescape(nxt[1]).removeprefix(f"http://{HOST}")
        assert target == f"/page/{number + 1}/"
    assert listed == [p.id for p in site.newest]  # every post listed once, before the trap
    assert empty_pages == 7
    status, _, body = request(base, "/page/100000/")
    assert status == 200 and 'href="http://chaos.test:8000/page/100001/"' in body.decode()


def test_binary_at_a_post_url(
    site: SampleSite, plan: chaos.ChaosPlan, server: SampleSiteServer
) -> None:
    base, url = server.base_url, f"http://{HOST}/{plan.binary_id}/"
    home = request(base, "/")[2].decode()
    widget = home.split('id="recent-posts-2"', 1)[1].split("</section>", 1)[0]
    assert f'<li><a href="{url}">' in widget
    listing = main_html(request(base, f"/category/{plan.binary_category}/")[2].decode())
    entry = re.search(r'<article id="post-(\d+)".*?</article>', listing, re.S)
    assert entry is not None and int(entry[1]) == plan.binary_id and url in entry[0]
    status, headers, body = request(base, f"/{plan.binary_id}/")
    assert status == 200 and headers["Content-Type"] == "application/octet-stream"
    assert body.startswith(b"%PDF-1.4\n") and len(body) > 40_000
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert request(base, f"/{plan.binary_id}/")[2] == body  # the same file every time


# --- content faults -------------------------------------------------------------------------------


def test_malformed_html_keeps_the_post(
    site: SampleSite, plan: chaos.ChaosPlan, normal: SampleSiteServer, server: SampleSiteServer
) -> None:
    path = plan.path("malformed_html")
    page = request(server.base_url, path)[2].decode()
    assert page.count("<html") == 2 and page.count("<body") == 2
    assert page.count("</article>") == page.count("<article") + 1
    sidebar = page.split("<aside", 1)[1].split("</aside>", 1)[0]
    assert "<html><head>" in sidebar and "</aside>\n</article>" in page
    assert post_text(page) == truth_text(site, plan.posts["malformed_html"])
    _same_article_under_lxml(reference(normal, path).decode(), page)


def test_duplicate_ids(
    site: SampleSite, plan: chaos.ChaosPlan, normal: SampleSiteServer, server: SampleSiteServer
) -> None:
    post_id = plan.posts["duplicate_ids"]
    page = request(server.base_url, f"/{post_id}/")[2].decode()
    assert page.count(f'id="post-{post_id}"') >= 3 and page.count('id="content"') >= 2
    assert page.index(f'id="post-{post_id}"') < page.index("<article")  # one comes first
    assert post_text(page) == truth_text(site, post_id)
    _same_article_under_lxml(reference(normal, f"/{post_id}/").decode(), page)


def test_script_injected_text_is_not_post_text(
    site: SampleSite, plan: chaos.ChaosPlan, server: SampleSiteServer
) -> None:
    post_id = plan.posts["script_injected"]
    page = request(server.base_url, f"/{post_id}/")[2].decode()
    content = entry_html(page, run_scripts=True)
    assert f"document.write('<p>{chaos.INJECTED_TEXT}</p>')" in content
    assert f'<noscript><p class="ad">{chaos.NOSCRIPT_AD}</p></noscript>' in content
    assert post_text(page) == truth_text(site, post_id)
    assert chaos.INJECTED_TEXT in post_text(page, run_scripts=True)  # the trap is real


def test_empty_body(site: SampleSite, plan: chaos.ChaosPlan, server: SampleSiteServer) -> None:
    post_id = plan.posts["empty_body"]
    page = request(server.base_url, f"/{post_id}/")[2].decode()
    assert "<p" not in entry_html(page) and post_text(page) == ""
    assert '<h1 class="entry-title">' in page and 'class="entry-date published"' in page


def _same_article_under_lxml(clean: str, damaged: str) -> None:
    """The first post article reads the same in the damaged page as in the clean one."""
    lxml_html = pytest.importorskip("lxml.html")

    def article(page: str) -> tuple[str, str]:
        root = lxml_html.fromstring(page)
        found = root.xpath("//article[starts-with(@id, 'post-')]")[0]
        body = found.xpath(".//div[contains(@class, 'entry-content')]")[0]
        return found.get("id"), found.text_content() + body.text_content()

    assert article(damaged) == article(clean)


# --- encodings ----------------------------------------------------------------------------------


def test_wrong_charset_header(
    plan: chaos.ChaosPlan, normal: SampleSiteServer, server: SampleSiteServer
) -> None:
    path = plan.path("wrong_charset")
    _, headers, body = request(server.base_url, path)
    assert headers["Content-Type"] == "text/html; charset=ISO-8859-1"
    assert b"<meta charset" not in body
    assert body == reference(normal, path).replace(b'<meta charset="UTF-8">\n', b"")
    assert "ກ" in body.decode("utf-8")


def test_bom_without_declared_charset(
    plan: chaos.ChaosPlan, normal: SampleSiteServer, server: SampleSiteServer
) -> None:
    path = plan.path("bom")
    _, headers, body = request(server.base_url, path)
    assert headers["Content-Type"] == "text/html"
    assert body.startswith(b"\xef\xbb\xbf<!DOCTYPE html>") and b"<meta charset" not in body
    assert body[3:] == reference(normal, path).replace(b'<meta charset="UTF-8">\n', b"")


def test_windows_874_with_entities(
    site: SampleSite, plan: chaos.ChaosPlan, server: SampleSiteServer
) -> None:
    post_id = plan.posts["windows_874_entities"]
    _, headers, body = request(server.base_url, f"/{post_id}/")
    assert headers["Content-Type"] == "text/html; charset=windows-874"
    page = body.decode("cp874")  # strictly: every byte is valid windows-874
    assert '<meta charset="windows-874">' in page
    assert not re.search("[\u0e80-\u0eff]", page)  # no Lao letter survives the code page
    assert "&#3737;" in page or "&#3749;" in page  # Lao as numeric character references
    assert post_text(page) == truth_text(site, post_id)
    title = re.search(r'<h1 class="entry-title">(.*?)</h1>', page, re.S)
    assert title and undirty(title[1]) == site.by_id[post_id].title


def test_windows_874_keeps_json_ld_readable(site: SampleSite, plan: chaos.ChaosPlan) -> None:
    post_id = plan.posts["windows_874_entities"]
    with make_server(site, theme="newsbox", chaos=True) as srv:
        _, headers, body = request(srv.base_url, f"/{post_id}/")
    assert headers["Content-Type"] == "text/html; charset=windows-874"
    page = body.decode("cp874")
    block = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', page, re.S)
    assert block is not None and "\\u0e" in block[1]
    graph = json.loads(block[1])
    article = next(n for n in graph["@graph"] if n["@type"] in ("Article", "NewsArticle"))
    assert article["headline"] == site.by_id[post_id].title


def test_mojibake_874(
    site: SampleSite, plan: chaos.ChaosPlan, normal: SampleSiteServer, server: SampleSiteServer
) -> None:
    post_id = plan.posts["mojibake_874"]
    _, headers, body = request(server.base_url, f"/{post_id}/")
    assert headers["Content-Type"] == "text/html; charset=windows-874"
    expected = reference(normal, f"/{post_id}/").replace(
        b'<meta charset="UTF-8">', b'<meta charset="windows-874">'
    )
    assert body == expected  # UTF-8 bytes under a windows-874 label
    trusting = body.decode("cp874", errors="replace")
    assert re.search("[\u0e01-\u0e5b]", trusting) and not re.search("[\u0e80-\u0eff]", trusting)
    assert post_text(body.decode("utf-8")) == truth_text(site, post_id)


# --- other faces ------------------------------------------------------------------------------


def test_plain_permalinks(site: SampleSite, plan: chaos.ChaosPlan) -> None:
    with make_server(site, permalinks="plain", chaos=True) as srv:
        base = srv.base_url
        assert request(base, f"/?p={plan.posts['error_500_always']}")[0] == 500
        loop = f"/?p={plan.posts['redirect_loop']}"
        status, headers, _ = request(base, loop)
        assert status == 301 and headers["Location"] == f"http://{HOST}{loop}&loop=1"
        status, headers, _ = request(base, f"{loop}&loop=1")
        assert status == 301 and headers["Location"] == f"http://{HOST}{loop}"
        status, headers, body = request(base, f"/?p={plan.binary_id}")
        assert (status, headers["Content-Type"]) == (200, "application/octet-stream")
        status, _, body = request(base, "/?paged=13")
        assert (
            status == 200
            and 'class="next page-numbers" href="http://chaos.test:8000/?paged=14"' in body.decode()
        )
        last = request(base, "/?paged=12")[2].decode()
        assert 'href="http://chaos.test:8000/?paged=13"' in last
        cat = CATEGORY_BY_SLUG[plan.binary_category].id
        assert f"/?p={plan.binary_id}" in request(base, f"/?cat={cat}")[2].decode()
        assert srv.chaos_truth() == chaos_truth(site, 1, Face(permalinks="plain"))


def test_newsbox_trap_and_binary_listing(site: SampleSite, plan: chaos.ChaosPlan) -> None:
    with make_server(site, theme="newsbox", chaos=True) as srv:
        base = srv.base_url
        last = request(base, "/page/12/")[2].decode()
        assert re.search(r'class="next page-numbers" href="[^"]*/page/13/"', last)
        status, _, body = request(base, "/page/14/")
        page = body.decode()
        assert status == 200 and "<article" not in main_html(page)
        assert re.search(r'class="next page-numbers" href="[^"]*/page/15/"', page)
        home = request(base, "/")[2].decode()
        sidebar = home.split("<aside", 1)[1]
        assert f"/{plan.binary_id}/" in sidebar.split("</ol>", 1)[0]
        listing = main_html(request(base, f"/category/{plan.binary_category}/")[2].decode())
        assert f'<article id="post-{plan.binary_id}"' in listing


# --- the command line -------------------------------------------------------------------------


def test_main_serves_chaos_and_writes_its_truth(tmp_path: Path) -> None:
    out = tmp_path / "truth.json"
    args = ["--port", "0", "--posts", "40", "--seed", "3", "--chaos", "--chaos-seed", "2"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "testing.samplesite", *args, "--ground-truth", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        site = SampleSite(posts=40, seed=3)
        data = json.loads(out.read_text(encoding="utf-8"))
        assert data["chaos"] == chaos_truth(site, 2)
        assert {k: v for k, v in data.items() if k != "chaos"} == face_ground_truth(site, Face())
        assert request(url, chaos_plan(site, 2).path("error_500_always"), host=None)[0] == 500
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert err == ""


def test_main_refuses_a_chaos_seed_without_chaos() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "testing.samplesite", "--port", "0", "--chaos-seed", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2 and "--chaos-seed needs --chaos" in done.stderr
