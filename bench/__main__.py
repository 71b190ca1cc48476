"""python -m bench: every benchmark on a throwaway database, then the table; exit 1 on a miss.

`python -m bench sync scale` runs only the sections named (pages, live, sync, steady, scale,
actions, browser), for working on one of them; `make bench` runs them all.

`browser` (bench/browser.py; alone: `python -m bench.browser`, `make bench-browser`) shares
nothing with the others but the table: it seeds a database of its own and measures the site in
chromium, served by gunicorn in the production profile.
"""

import os
import shutil
import sys
import tempfile
import time

SECTIONS = ("pages", "live", "sync", "steady", "scale", "actions", "browser")


def main() -> int:
    chosen = sys.argv[1:] or list(SECTIONS)
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        print(
            f"Unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}."
        )
        return 2
    workdir = tempfile.mkdtemp(prefix="aw-bench-")
    sqlite_path = os.path.join(workdir, "bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "dashboard.settings_test"
    os.environ["DEBUG"] = "false"  # no query log grows, except inside CaptureQueriesContext
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{sqlite_path}")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    try:
        import django

        django.setup()
        return run(sqlite_path, set(chosen))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(sqlite_path: str, chosen: set[str]) -> int:
    from django.conf import settings
    from django.db import connection

    from bench import actions, initial_sync, live_poll, pages, scale, steady_state
    from bench.database import empty_bookings, throwaway_database
    from bench.remote import sandbox_process
    from bench.report import load_average, machine_facts, print_table, progress

    assert not settings.DEBUG  # nosec B101  # a set-up guard of a dev tool, not a security check
    started = time.perf_counter()
    figures = {}
    with throwaway_database(sqlite_path):
        facts = machine_facts()
        if chosen & {"sync", "steady", "scale"}:
            with sandbox_process() as control:
                if "sync" in chosen:
                    progress("Initial sync ...")
                    figures["sync"] = initial_sync.run(control)
                if "steady" in chosen:
                    progress("Steady state ...")
                    figures["steady"] = steady_state.run(control)
                if "scale" in chosen:
                    progress("Scale ...")
                    figures["scale"] = scale.run(control)
        if "actions" in chosen:
            progress("Actions ...")
            figures["actions"] = actions.run()
            empty_bookings()
        if "pages" in chosen:
            progress("List pages ...")
            figures["pages"] = pages.run()
            empty_bookings()
        if "live" in chosen:
            progress("Live poll ...")
            figures["live"] = live_poll.run()
    # Last and outside the shared database: its site, seeding and syncs are processes of their
    # own, and Playwright's event loop is better started once the ORM is done with.
    browser_sections = []
    if "browser" in chosen:
        from bench import browser

        progress("Browser: phone and desk layout, weight, Lighthouse, axe-core ...")
        browser_sections = browser.run()
    for name, value in facts:
        print(f"{name + ':':<10}{value}")
    print(f"{'Load:':<10}{load_average('at the end')}")
    print(f"{'Run:':<10}{time.perf_counter() - started:.0f} s\n")
    titles = {
        "pages": "list pages and inbox",
        "live": "an open page's unchanged poll",
        "sync": "initial sync",
        "steady": "steady state",
        "scale": (
            f"scale: {scale.ACCOUNTS} accounts, {scale.LATENCY * 1000:.0f} ms a call, "
            f"db_worker processes on {connection.vendor}"
        ),
        "actions": "actions",
    }
    sections = [(titles[name], figures[name]) for name in SECTIONS if name in figures]
    sections += browser_sections
    print_table(sections)
    missed = [f.name for _, group in sections for f in group if f.met is False]
    print(f"\n{len(missed)} target(s) missed." if missed else "\nEvery target met.")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
