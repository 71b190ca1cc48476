"""python -m bench: every benchmark on a throwaway database, then the table; exit 1 on a miss."""

import os
import shutil
import sys
import tempfile
import time


def main() -> int:
    workdir = tempfile.mkdtemp(prefix="aw-bench-")
    sqlite_path = os.path.join(workdir, "bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "dashboard.settings_test"
    os.environ["DEBUG"] = "false"  # no query log grows, except inside CaptureQueriesContext
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{sqlite_path}")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    try:
        import django

        django.setup()
        return run(sqlite_path)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(sqlite_path: str) -> int:
    from django.conf import settings

    from bench import actions, initial_sync, pages
    from bench.database import empty_bookings, throwaway_database
    from bench.report import load_average, machine_facts, print_table, progress

    assert not settings.DEBUG
    started = time.perf_counter()
    with throwaway_database(sqlite_path):
        facts = machine_facts()
        progress("Initial sync ...")
        sync_figures = initial_sync.run()
        empty_bookings()
        progress("Actions ...")
        action_figures = actions.run()
        empty_bookings()
        progress("List pages ...")
        page_figures = pages.run()
    for name, value in facts:
        print(f"{name + ':':<10}{value}")
    print(f"{'Load:':<10}{load_average('at the end')}")
    print(f"{'Run:':<10}{time.perf_counter() - started:.0f} s\n")
    sections = [
        ("list pages and inbox", page_figures),
        ("initial sync", sync_figures),
        ("actions", action_figures),
    ]
    print_table(sections)
    missed = [f.name for _, figures in sections for f in figures if f.met is False]
    print(f"\n{len(missed)} target(s) missed." if missed else "\nEvery target met.")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
