"""Serve the sample site until interrupted: python -m samplesite --port P [--posts N] [--seed S].

Why a first stdout line with the base URL: callers (end-to-end tests) start this in a
subprocess, read one line, and know the server is listening and the ground truth is written.
"""

from __future__ import annotations

import argparse
import signal
import sys
from types import FrameType

from samplesite.content import SampleSite
from samplesite.groundtruth import write_ground_truth
from samplesite.server import make_server


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, build the site, write the ground truth if asked, then serve."""
    parser = argparse.ArgumentParser(prog="python -m samplesite", description=__doc__)
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--posts", type=int, default=120, help="number of posts (>= 40)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated content")
    parser.add_argument("--ground-truth", metavar="FILE", help="write the ground truth JSON here")
    args = parser.parse_args(argv)
    try:
        site = SampleSite(posts=args.posts, seed=args.seed)
    except ValueError as err:
        parser.error(str(err))
    server = make_server(site, args.port)
    try:
        if args.ground_truth:
            write_ground_truth(site, args.ground_truth)
        print(server.base_url, flush=True)
        signal.signal(signal.SIGTERM, _stop)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
