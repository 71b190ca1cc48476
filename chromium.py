"""Debian's chromium as this project launches it: the browser tests (tests/browser/conftest.py)
and the browser bench (bench/browser.py) both drive it, so its path and flags are said once,
here, in a module that belongs to neither and imports nothing of ours (a bench that imported
the tests, or tests that imported the bench, would tie each to the other)."""

import os

CHROMIUM = "/usr/bin/chromium"
# Root in a container needs --no-sandbox; the rest keeps chromium from calling home in the
# background, which would blur timings and the sandbox's request log.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_installed() -> bool:
    return os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)
