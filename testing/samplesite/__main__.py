"""Serve the sample site until interrupted:
python -m testing.samplesite --port P [--posts N] [--seed S]
[--theme lsr|newsbox] [--permalinks pretty|plain] [--rest on|off|rest_route]
[--rest-fault none|users_blocked|embed_ignored]
[--chaos [--chaos-seed S]].

Why a first stdout line with the base URL: callers (end-to-end tests) start this in a
subprocess, read one line, and know the server is listening and the ground truth is written.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from types import FrameType

from testing.samplesite.chaos import chaos_truth
from testing.samplesite.content import SampleSite
from testing.samplesite.faces import (
    PERMALINKS,
    REST_FAULTS,
    REST_MODES,
    THEMES,
    Face,
    face_ground_truth,
    write_face_ground_truth,
)
from testing.samplesite.server import SampleSiteServer


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _write_chaos_ground_truth(site: SampleSite, face: Face, chaos_seed: int, path: str) -> None:
    """The face's ground truth plus "chaos": chaos_truth(), in write_face_ground_truth's format."""
    data = face_ground_truth(site, face)
    data["chaos"] = chaos_truth(site, chaos_seed, face)
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, build the site, write the ground truth if asked, then serve."""
    parser = argparse.ArgumentParser(prog="python -m testing.samplesite", description=__doc__)
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--posts", type=int, default=120, help="number of posts (>= 40)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated content")
    parser.add_argument("--epoch", type=int, default=1, help="1, or 2: later, with changes")
    parser.add_argument("--theme", choices=THEMES, default="lsr", help="theme (default: lsr)")
    parser.add_argument(
        "--permalinks", choices=PERMALINKS, default="pretty", help="permalinks (default: pretty)"
    )
    parser.add_argument(
        "--rest", choices=REST_MODES, default="on", help="REST API exposure (default: on)"
    )
    parser.add_argument(
        "--rest-fault",
        choices=REST_FAULTS,
        default="none",
        help="what a plugin or cache does to a working API (default: none)",
    )
    parser.add_argument(
        "--ground-truth",
        metavar="FILE",
        help="write the ground truth JSON here (paths in this face's permalink shape; with "
        '--chaos, the chaos ground truth under "chaos")',
    )
    parser.add_argument(
        "--chaos",
        action="store_true",
        help="serve the faults of chaos mode (testing.samplesite.chaos)",
    )
    parser.add_argument(
        "--chaos-seed", type=int, metavar="S", help="where chaos mode puts its faults (default: 1)"
    )
    args = parser.parse_args(argv)
    if args.chaos_seed is not None and not args.chaos:
        parser.error("--chaos-seed needs --chaos")
    chaos_seed = 1 if args.chaos_seed is None else args.chaos_seed
    try:
        site = SampleSite(posts=args.posts, seed=args.seed, epoch=args.epoch)
    except ValueError as err:
        parser.error(str(err))
    face = Face(args.theme, args.permalinks, args.rest, args.rest_fault)
    if args.ground_truth and not Path(args.ground_truth).parent.is_dir():
        missing = Path(args.ground_truth).parent
        parser.exit(2, f"{parser.prog}: error: --ground-truth: no directory {missing}\n")
    try:
        server = SampleSiteServer(site, args.port, face, chaos=args.chaos, chaos_seed=chaos_seed)
    except OSError as err:
        parser.exit(1, f"{parser.prog}: error: cannot listen on 127.0.0.1:{args.port}: {err}\n")
    try:
        try:
            if args.ground_truth and args.chaos:
                _write_chaos_ground_truth(site, face, chaos_seed, args.ground_truth)
            elif args.ground_truth:
                write_face_ground_truth(site, face, args.ground_truth)
        except OSError as err:  # one line, as laocorpus says it (exit 74, EX_IOERR)
            reason = err.strerror or str(err)
            parser.exit(74, f"{parser.prog}: error: cannot write {args.ground_truth}: {reason}\n")
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
