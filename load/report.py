"""The figures of a load run against their targets, and the table that prints them.

Percentiles are by nearest rank over the requests that started inside a phase's timed window
(locust's own response time: from sending the request to the last byte of the answer).
"""

import math
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_PAGE_P99_MS = 250  # list pages, the inbox and their polls, AdultWork 200 ms slow
MAX_ACTION_OVERHEAD_P99_MS = 200  # an action's time minus AdultWork's own
MAX_DOWN_ACTION_P99_MS = 100  # an action once the circuit is open


@dataclass(frozen=True)
class Row:
    name: str
    times: Sequence[float] = ()  # milliseconds
    requests: int | None = None
    failures: int | None = None
    target: str = ""  # blank: shown for comparison only
    met: bool | None = None
    note: str = ""  # printed under the table, referred to by number
    show_times: bool = True


@dataclass
class Phases:
    """The requests of a run, by the phase in which each started."""

    samples: list[dict[str, Any]]
    marks: dict[str, float]
    by_phase: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        bounds = [
            ("ramp", 0.0, self.marks["main"]),
            ("main", self.marks["main"], self.marks["pause"]),
            ("pause", self.marks["pause"], self.marks["down"]),
            ("down warm-up", self.marks["down"], self.marks["down_timed"]),
            ("down", self.marks["down_timed"], self.marks["done"]),
        ]
        self.by_phase = {name: [] for name, _, _ in bounds} | {"after": []}
        for sample in self.samples:
            phase = next((n for n, start, end in bounds if start <= sample["start"] < end), "after")
            self.by_phase[phase].append(sample)

    def of(self, phase: str, kind: str | None = None) -> list[dict[str, Any]]:
        return [s for s in self.by_phase[phase] if kind is None or s["kind"] == kind]


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def figures(
    results: dict[str, Any],
    *,
    remote_ids: Callable[[list[int]], dict[int, tuple[str, int]]],
    settings: dict[str, Any],
) -> list[tuple[str, list[Row]]]:
    phases = Phases(results["samples"], results["marks"])
    return [
        (
            f"{settings['users']} people for {settings['seconds']} s, every AdultWork call "
            f"{settings['latency_ms']} ms late",
            main_rows(phases, results, remote_ids),
        ),
        ("AdultWork down: 503 on every call, actions only", down_rows(phases, results, settings)),
        ("before the timed run: sign-in and warm-up", ramp_rows(phases, results)),
    ]


def _timed(name: str, samples: list[dict[str, Any]], limit: float | None, **extra: Any) -> Row:
    times = [s["ms"] for s in samples]
    p99 = percentile(times, 0.99) if times else None
    return Row(
        name,
        times,
        requests=len(samples),
        failures=sum(s["failed"] for s in samples),
        target="" if limit is None else f"p99 < {limit:.0f} ms",
        met=None if limit is None else (p99 is not None and p99 < limit),
        **extra,
    )


def _failures(name: str, samples: list[dict[str, Any]], errors: Sequence[str] = ()) -> Row:
    failed = [s for s in samples if s["failed"]]
    note = ""
    if failed or errors:
        common = Counter(f"{s['kind']}: {s['error']}" for s in failed).most_common(5)
        note = "Failed: " + "; ".join(f"{count} x {what}" for what, count in common)
        if errors:
            note += f". Errors in the load's own code: {'; '.join(sorted(set(errors))[:3])}"
    return Row(
        name,
        requests=len(samples),
        failures=len(failed) + len(errors),
        target="0 failed",
        met=not failed and not errors,
        note=note,
        show_times=False,
    )


def main_rows(
    phases: Phases,
    results: dict[str, Any],
    remote_ids: Callable[[list[int]], dict[int, tuple[str, int]]],
) -> list[Row]:
    polls = phases.of("main", "poll")
    unchanged = sum(s["status"] == 304 for s in polls)
    actions = phases.of("main", "action")
    remote_time = _remote_time_per_booking(results["main_calls"])
    known = remote_ids([s["pk"] for s in actions if s.get("pk")])
    own = [remote_time.get(known.get(s.get("pk"), ("", 0)), 0.0) for s in actions]
    overheads = [s["ms"] - aw for s, aw in zip(actions, own, strict=True)]
    outcomes = Counter(s.get("toast", {}).get("level", "none") for s in actions)
    called = [aw for aw in own if aw]
    action_note = (
        "AdultWork's own time is the sandbox's, from its request log, for the calls made for "
        "each action's booking (the 200 ms latency included"
        + (
            f"; median {statistics.median(called):.0f} ms, p99 {percentile(called, 0.99):.0f} ms"
            if called
            else ""
        )
        + "), subtracted request by request. Outcomes: "
        + ", ".join(f"{count} {level}" for level, count in outcomes.most_common())
        + ". Every person answers only their own account's requests, each once."
    )
    return [
        _timed("inbox", phases.of("main", "inbox"), MAX_PAGE_P99_MS),
        _timed(
            "lists: filters, sorts, pages",
            phases.of("main", "lists"),
            MAX_PAGE_P99_MS,
            note="Whole pages (?status=, ?sort=, ?page=), and on an open list the filter "
            "form's htmx swap of #results, half the time.",
        ),
        _timed(
            "polls of the open page",
            polls,
            MAX_PAGE_P99_MS,
            note=f"{unchanged} of {len(polls)} answered 304 (nothing changed since the ETag).",
        ),
        _timed("actions: accept, reject", actions, None),
        Row(
            "actions minus AdultWork's own time",
            overheads,
            requests=len(overheads),
            target=f"p99 < {MAX_ACTION_OVERHEAD_P99_MS} ms",
            met=bool(overheads) and percentile(overheads, 0.99) < MAX_ACTION_OVERHEAD_P99_MS,
            note=action_note,
        ),
        _failures("every request", phases.of("main"), results["user_errors"]),
    ]


def _remote_time_per_booking(calls: list[dict[str, Any]]) -> dict[tuple[str, int], float]:
    """The sandbox's own time per (service, BookingID), over the calls that named one."""
    spent: dict[tuple[str, int], float] = Counter()
    for call in calls:
        path = (call["path"] or "").lower()
        service = next((s for s in ("webcam", "phonechat") if path.startswith(f"/v1/{s}/")), None)
        if service and call["booking_id"] is not None and call["duration_ms"] is not None:
            spent[(service, call["booking_id"])] += call["duration_ms"]
    return spent


def down_rows(phases: Phases, results: dict[str, Any], settings: dict[str, Any]) -> list[Row]:
    timed = phases.of("down", "action")
    warm_up = phases.of("down warm-up", "action")
    fast = sum("nothing was sent" in s.get("toast", {}).get("message", "").lower() for s in timed)
    reached = len(results["down_calls"])
    reset = settings["circuit_reset_seconds"]
    note = (
        f"Timed from {settings['down_warmup_seconds']} s after AdultWork went down, for "
        f"{settings['down_seconds']} s: the warm-up ({len(warm_up)} actions) lets each of the "
        f"{settings['workers']} gunicorn processes meet the {settings['circuit_failures']} "
        "failures that open its circuit"
        + (
            ", and the timed window ends before "
            f"ADULTWORK_CIRCUIT_RESET_SECONDS ({reset} s) lets a trial call through. "
            if settings["down_warmup_seconds"] + settings["down_seconds"] < reset
            else f"; ADULTWORK_CIRCUIT_RESET_SECONDS is {reset} s, so trial calls fall in it. "
        )
        + f"{fast} of {len(timed)} timed actions were answered at once with "
        f"“nothing was sent”, and {reached} API calls reached AdultWork while timed"
        + (
            ": every circuit stayed open."
            if reached == 0
            else ": not every circuit was open throughout."
        )
    )
    return [
        _timed("actions, circuit open", timed, MAX_DOWN_ACTION_P99_MS, note=note),
        _timed("actions in the warm-up, as the circuits opened", warm_up, None),
        _failures(
            "every request, warm-up included",
            phases.of("down warm-up") + phases.of("down") + phases.of("pause"),
        ),
    ]


def ramp_rows(phases: Phases, results: dict[str, Any]) -> list[Row]:
    signed_in, refused = results["signed_in"], results["sign_in_failed"]
    return [
        _timed(
            "sign-in: form, then post",
            phases.of("ramp", "sign-in"),
            None,
            note=f"{signed_in} people signed in, {refused} could not. Every password is hashed "
            "with the production hasher, so sign-ins are slow by design; the timed run starts "
            "after the last of them and a few seconds of warm-up.",
        ),
        _timed("static files, once a person", phases.of("ramp", "static"), None),
        _failures("every request", phases.of("ramp") + phases.of("after")),
    ]


def print_table(sections: Sequence[tuple[str, Sequence[Row]]], *, file=sys.stdout) -> None:
    """One aligned table, as bench.report prints its own; a section starts with its title."""
    header = ("kind", "requests", "failed", "p50 ms", "p95 ms", "p99 ms", "target", "met")
    notes = [row.note for _, rows in sections for row in rows if row.note]
    rows = [_cells(row, notes) for _, section in sections for row in section]
    widths = [max(len(cells[i]) for cells in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        name, *numbers, target, met = cells
        padded = [name.ljust(widths[0])]
        padded += [cell.rjust(width) for cell, width in zip(numbers, widths[1:6], strict=True)]
        padded += [target.ljust(widths[6]), met.ljust(widths[7])]
        return "  ".join(padded).rstrip()

    print(line(header), file=file)
    print("  ".join("-" * width for width in widths), file=file)
    for title, section in sections:
        print(f"[{title}]", file=file)
        for row in section:
            print(line(_cells(row, notes)), file=file)
    for number, note in enumerate(notes, start=1):
        print(f"[{number}] {note}", file=file)


def _cells(row: Row, notes: list[str]) -> tuple[str, ...]:
    name = f"{row.name} [{notes.index(row.note) + 1}]" if row.note else row.name
    times = ["", "", ""]
    if row.show_times and row.times:
        times = [_ms(percentile(row.times, q)) for q in (0.50, 0.95, 0.99)]
    elif row.show_times:
        times = ["-", "-", "-"]
    return (
        name,
        "" if row.requests is None else f"{row.requests:,}",
        "" if row.failures is None else str(row.failures),
        *times,
        row.target,
        {True: "yes", False: "NO", None: ""}[row.met],
    )


def _ms(value: float) -> str:
    return f"{value:.1f}" if abs(value) < 10 else f"{value:.0f}"
