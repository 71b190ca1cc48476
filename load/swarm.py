"""`python -m load.swarm PLAN RESULTS`: locust as a library, headless (no web UI), through the
run's phases; writes every request it timed, when each phase began, and the sandbox's request
log of the timed windows to RESULTS (JSON). `python -m load` sets everything up and starts it.

    RAMP   every person signs in (the hasher's work: ~0.3 s of CPU each), fetches the static
           files once, then takes steps; WARMUP_SECONDS after the last sign-in, the clock starts
    MAIN   SECONDS of the mix, AdultWork 200 ms late on every call: the figures timed
    PAUSE  no new steps; the last requests come back
    DOWN   AdultWork answers every API call 503 (a fault on each path); actions only:
           DOWN_WARMUP_SECONDS for each gunicorn process to meet the failures that open its
           circuit, then DOWN_SECONDS timed, ending before ADULTWORK_CIRCUIT_RESET_SECONDS (30)
           would let a trial call through
"""

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Imports of anything that opens sockets (locust, requests, the sandbox's client) wait for
# main(): locust patches the standard library for gevent when it is imported, and must be first.


def main(argv: list[str]) -> int:
    import locust  # noqa: F401  # first: patches the standard library for gevent

    plan = json.loads(Path(argv[0]).read_text())
    results = run(plan)
    Path(argv[1]).write_text(json.dumps(results))
    return 0


def run(plan: dict[str, Any]) -> dict[str, Any]:
    import gevent
    from locust.env import Environment

    from load import locustfile
    from load.locustfile import DONE, DOWN, MAIN, PAUSE, TIMELINE
    from sandbox.control import SandboxControl

    locustfile.PLAN.update(plan)
    control = SandboxControl(plan["sandbox"], timeout=30)
    environment = Environment(user_classes=[locustfile.Person], host=plan["host"])
    samples: list[dict[str, Any]] = []
    user_errors: list[str] = []
    environment.events.request.add_listener(_recorder(samples))
    environment.events.user_error.add_listener(
        lambda user_instance, exception, tb, **kwargs: user_errors.append(repr(exception))
    )
    runner = environment.create_local_runner()
    marks: dict[str, float] = {}
    users = plan["users"]

    def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not happen within {seconds:.0f} s")
            gevent.sleep(0.1)

    def report() -> None:
        while True:
            gevent.sleep(15)
            failed = sum(s["failed"] for s in samples)
            say(f"  {TIMELINE.phase}: {len(samples):,} requests so far, {failed} failed")

    reporter = gevent.spawn(report)
    try:
        say(f"Signing in {users} people ({plan['spawn_rate']} a second) ...")
        runner.start(users, spawn_rate=plan["spawn_rate"])
        wait_for(
            lambda: TIMELINE.signed_in + TIMELINE.sign_in_failed >= users,
            60 + users * 2,
            "every sign-in",
        )
        say(f"  {TIMELINE.signed_in} signed in, {TIMELINE.sign_in_failed} could not")
        gevent.sleep(plan["warmup_seconds"])

        say(f"{users} people for {plan['seconds']} s, AdultWork {plan['latency_ms']} ms late ...")
        control.clear_requests()
        marks["main"] = time.time()
        TIMELINE.phase = MAIN
        cpu_before, own_before = machine_cpu(), time.process_time()
        gevent.sleep(plan["seconds"])
        marks["pause"] = time.time()
        cpu = cpu_share(cpu_before, machine_cpu(), own=time.process_time() - own_before)
        TIMELINE.phase = PAUSE
        wait_for(lambda: TIMELINE.in_flight == 0, 60, "the end of the last requests")
        main_calls = control.requests()

        say(
            f"AdultWork down (503 on every call): actions only, {plan['down_warmup_seconds']} s "
            f"to open the circuits, then {plan['down_seconds']} s timed ..."
        )
        control.clear_faults()
        for path in plan["api_paths"]:
            control.add_fault(
                path=path, kind="status", status=503, message="Service Unavailable", times=None
            )
        marks["down"] = time.time()
        TIMELINE.phase = DOWN
        gevent.sleep(plan["down_warmup_seconds"])
        control.clear_requests()
        marks["down_timed"] = time.time()
        gevent.sleep(plan["down_seconds"])
        marks["done"] = time.time()
        TIMELINE.phase = DONE
        wait_for(lambda: TIMELINE.in_flight == 0, 60, "the end of the last requests")
        down_calls = control.requests()
        control.clear_faults()
    finally:
        reporter.kill()
        runner.quit()
    return {
        "marks": marks,
        "samples": samples,
        "main_calls": [_call(entry) for entry in main_calls],
        "down_calls": [_call(entry) for entry in down_calls],
        "signed_in": TIMELINE.signed_in,
        "sign_in_failed": TIMELINE.sign_in_failed,
        "user_errors": user_errors,
        "cpu": cpu,
    }


def _recorder(samples: list[dict[str, Any]]) -> Callable[..., None]:
    from load.locustfile import toast_of

    def record(
        request_type: str,
        name: str,
        response_time: float,
        response_length: int,
        response: Any = None,
        context: dict | None = None,
        exception: BaseException | None = None,
        start_time: float | None = None,
        **kwargs: Any,
    ) -> None:
        sample = {
            "kind": name,
            "start": start_time,
            "ms": response_time,
            "status": getattr(response, "status_code", 0),
            "failed": exception is not None,
            "error": str(exception)[:200] if exception is not None else "",
            # The site's id of the request, as on its log lines and gunicorn's access log.
            "rid": getattr(response, "headers", {}).get("X-Request-ID", ""),
        }
        if name == "action":
            sample["pk"] = (context or {}).get("pk")
            sample["toast"] = (toast_of(response) if response is not None else None) or {}
        samples.append(sample)

    return record


def _call(entry: dict[str, Any]) -> dict[str, Any]:
    """What the analysis needs of an entry of the sandbox's request log."""
    body = entry.get("body") if isinstance(entry.get("body"), dict) else {}
    query = entry.get("query") or {}
    booking_id = body.get("BookingID") or query.get("BookingID") or query.get("bookingid")
    return {
        "method": entry.get("method"),
        "path": entry.get("path"),
        "booking_id": int(booking_id) if str(booking_id or "").isdigit() else None,
        "duration_ms": entry.get("duration_ms"),
        "status": entry.get("status"),
    }


def machine_cpu() -> tuple[int, int] | None:
    """(busy, total) clock ticks of every CPU since boot, from /proc/stat (Linux)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle, iowait
    return sum(fields[:8]) - idle, sum(fields[:8])


def cpu_share(
    before: tuple[int, int] | None, after: tuple[int, int] | None, *, own: float
) -> dict[str, float | None]:
    """How busy the machine's CPUs were over the window (0 to 1), and this process's seconds."""
    busy = None
    if before and after and after[1] > before[1]:
        busy = (after[0] - before[0]) / (after[1] - before[1])
    return {"busy": busy, "swarm_seconds": own}


def say(message: str) -> None:
    print(message, flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
