"""``python -m testing.realwp [--theme T] [--permalinks P] [--rest R] [--truth FILE]``.

Serves one real WordPress test site on 127.0.0.1 until Ctrl-C, for a person to look at or
to crawl by hand (``scrapy crawl wordpress -a base_url=URL``); everything is removed after.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys

from testing.realwp import PERMALINKS, REST_MODES, THEMES, Variant, WordPressSite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m testing.realwp", description=__doc__)
    parser.add_argument("--theme", choices=THEMES, default="twentytwentyone")
    parser.add_argument("--permalinks", choices=tuple(PERMALINKS), default="postname")
    parser.add_argument("--rest", choices=REST_MODES, default="on")
    parser.add_argument("--truth", help="write the ground truth (JSON) to this file")
    args = parser.parse_args(argv)
    variant = Variant(args.theme, args.permalinks, args.rest)
    with WordPressSite(variant) as site:
        assert site.truth is not None
        if args.truth:
            with open(args.truth, "w", encoding="utf-8") as out:
                json.dump(dataclasses.asdict(site.truth), out, ensure_ascii=False, default=str)
        print(f"{variant.name}: {site.base_url}/ (ready in {site.timings['start']:.1f}s)")
        print(f"{len(site.truth.posts)} posts; server log {site.workdir / 'server.log'}")
        print("Ctrl-C stops it and drops its database.", flush=True)
        signal.sigwait({signal.SIGINT, signal.SIGTERM})  # blocked in __main__: no exception
    return 0


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    sys.exit(main())
