"""``laocorpus extract FILE [--url URL]``: what the crawler makes of one saved page.

It prints the post as the crawl would store it, as one JSON object with the export's fields,
after the clean and validate pipelines; ``rejected`` holds the reason when the crawl would
reject the page instead. Maintainers use it to see a page through the crawler's eyes; the
real-page benchmark runs the same function (:func:`crawler.extract.item.stored_item`).
"""

from __future__ import annotations

import gzip
import json
import sys
import zlib
from pathlib import Path

import click
from parsel import Selector


def read_page(source: str) -> str:
    """The page's HTML from a file (``.html``, ``.html.gz``) or ``-`` (standard input)."""
    if source == "-":
        raw = sys.stdin.buffer.read()
    else:
        path = Path(source)
        if not path.is_file():
            raise click.ClickException(f"no such file: {source}")
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise click.ClickException(f"cannot read {source}: {exc.strerror}") from None
    if raw[:2] == b"\x1f\x8b":  # gzip, whatever the file is called
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise click.ClickException(f"{source} is not readable gzip: {exc}") from None
    elif source.endswith(".gz"):
        raise click.ClickException(f"{source} is not readable gzip: no gzip header")
    return raw.decode("utf-8", errors="replace")


def canonical_link(html: str) -> str | None:
    href = Selector(text=html or "<html></html>").xpath("//link[@rel='canonical']/@href").get()
    return href.strip() if href and href.strip().startswith(("http://", "https://")) else None


@click.command("extract")
@click.argument("source", metavar="FILE")
@click.option(
    "--url",
    metavar="URL",
    help="The URL the page was fetched from (default: its canonical link).",
)
@click.option(
    "--timezone",
    metavar="ZONE",
    help="The site's zone for dates without an offset (IANA name or +07:00).",
)
def extract(source: str, url: str | None, timezone: str | None) -> None:
    """Print the post a saved page (.html, .html.gz, or - for stdin) gives, as JSON."""
    from crawler.extract.item import stored_item

    html = read_page(source)
    url = url or canonical_link(html)
    if not url:
        raise click.ClickException("the page has no canonical link: give --url URL")
    if not url.startswith(("http://", "https://")):
        raise click.ClickException(f"--url must be an http(s) URL, got {url!r}")
    item = stored_item(html, url, timezone=timezone)
    click.echo(json.dumps(item, ensure_ascii=False, indent=1))


COMMANDS = (extract,)
