"""`python -m sandbox`: serve the sandbox by hand, for development only.

It refuses to start unless DEBUG is truthy (or --allow-without-debug is given), and it never
listens beyond loopback.
"""

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from sandbox.seed import SEEDS
from sandbox.server import SandboxServer, is_loopback

TRUTHY = frozenset({"1", "true", "yes", "on"})


def debug_enabled(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    return environ.get("DEBUG", "").strip().lower() in TRUTHY


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description="A stand-in AdultWork.com API and sign-in pages on loopback, for development.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="a loopback address (default 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=8100, help="0 picks a free port (default 8100)")
    parser.add_argument("--seed", choices=SEEDS, default="demo", help="demo data or users only")
    parser.add_argument("--time-zone", default="Europe/London", help="zone of the API's times")
    parser.add_argument(
        "--allow-without-debug",
        action="store_true",
        help="start even though DEBUG is not set (the sandbox is never for production)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    options = parser.parse_args(argv)
    if not (debug_enabled() or options.allow_without_debug):
        parser.exit(
            2,
            "The sandbox only runs in development: set DEBUG=1 (or pass --allow-without-debug).\n",
        )
    if not is_loopback(options.host):
        parser.exit(2, f"The sandbox only listens on loopback; {options.host!r} is not.\n")
    try:
        server = SandboxServer(
            options.host, options.port, time_zone=options.time_zone, seed=options.seed
        ).start()
    except OSError as error:
        parser.exit(2, f"Cannot listen on {options.host}:{options.port}: {error}\n")
    except (ValueError, LookupError) as error:
        parser.exit(2, f"{error}\n")
    print(f"AdultWork sandbox serving at {server.url} (seed {options.seed}, {options.time_zone})")
    print(f"Sign in at {server.url}/OAuth/Authorize; control API at {server.url}/_sandbox/")
    sys.stdout.flush()
    _serve_until_stopped(server)
    return 0


def _serve_until_stopped(server: SandboxServer) -> None:
    stopped = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
