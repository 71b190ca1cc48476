"""A figure against its target, the table that prints them, and the machine they ran on."""

import os
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import django
from django.db import connection


@dataclass(frozen=True)
class Figure:
    name: str
    value: str
    unit: str = ""
    target: str = ""  # blank: shown for comparison only
    met: bool | None = None  # None when there is no target
    note: str = ""  # printed under the table, referred to by number


def machine_facts() -> list[tuple[str, str]]:
    return [
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
        ("Database", database_description()),
        ("CPUs", str(os.cpu_count())),
        ("Speed", cpu_speed()),
        ("Platform", f"{platform.system()} {platform.machine()}"),
        ("Load", load_average("at the start")),
    ]


def cpu_speed() -> str:
    """The absolute figures (milliseconds an action takes, say) scale with the machine: this
    fixed piece of pure Python says how fast this one is, so that runs on two machines, or on
    one machine on two days, can be compared. The best of five, as other work only slows it."""
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        sum(i * i for i in range(1_000_000))
        timings.append(time.perf_counter() - started)
    return f"{min(timings) * 1000:.0f} ms for a fixed loop of a million squares (best of 5)"


def load_average(moment: str) -> str:
    """Other work on the machine slows every figure; this says how much there was."""
    one, five, _ = os.getloadavg()
    busy = ": busier than its CPUs, so timings are slowed" if one >= (os.cpu_count() or 1) else ""
    return f"{one:.1f} over the last minute, {five:.1f} over five ({moment}){busy}"


def database_description() -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (file {connection.settings_dict['NAME']})"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (version,) = cursor.fetchone()
    name = connection.settings_dict["NAME"]
    return f"{connection.vendor} {version.split(' on ')[0]} (database {name})"


def print_table(sections: Sequence[tuple[str, Sequence[Figure]]], *, file=sys.stdout) -> None:
    """One aligned table; each section starts with its title in brackets."""
    header = ("figure", "value", "unit", "target", "met")
    notes = [figure.note for _, figures in sections for figure in figures if figure.note]
    rows = [_cells(figure, notes) for _, figures in sections for figure in figures]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        name, value, *rest = cells
        padded = [name.ljust(widths[0]), value.rjust(widths[1])]
        padded += [cell.ljust(width) for cell, width in zip(rest, widths[2:], strict=True)]
        return "  ".join(padded).rstrip()

    print(line(header), file=file)
    print("  ".join("-" * width for width in widths), file=file)
    for title, figures in sections:
        print(f"[{title}]", file=file)
        for figure in figures:
            print(line(_cells(figure, notes)), file=file)
    for number, note in enumerate(notes, start=1):
        print(f"[{number}] {note}", file=file)


def _cells(figure: Figure, notes: list[str]) -> tuple[str, str, str, str, str]:
    name = f"{figure.name} [{notes.index(figure.note) + 1}]" if figure.note else figure.name
    met = {True: "yes", False: "NO", None: ""}[figure.met]
    return (name, figure.value, figure.unit, figure.target, met)


def progress(message: str) -> None:
    """What the run is doing, on stderr, so the table on stdout stays clean."""
    print(message, file=sys.stderr, flush=True)
