"""`python -m load` (`make load`): the site under load, in the production profile, against its
targets; exit 1 on a miss.

1. The sandbox in a process of its own, standing in for AdultWork.
2. A throwaway PostgreSQL database next to DATABASE_URL's (else the local server as user
   postgres), migrated; `check --deploy --fail-level WARNING` must pass; collectstatic into a
   temporary directory.
3. Per simulated person, a sandbox performer with several pages of every list and 40 pending
   requests, a dashboard user connected to it, and a first sync.
4. Every API call of the sandbox made 200 ms late (a latency fault on each path).
5. gunicorn with gunicorn.conf.py (WEB_CONCURRENCY x GUNICORN_THREADS, defaults 3 x 8) and the
   production settings: DEBUG off, fresh secrets, HTTPS expected from the proxy (the simulated
   browsers send X-Forwarded-Proto: https), WhiteNoise serving the static files.
6. load.swarm: locust, headless, 50 people for 60 s, then AdultWork down (load/swarm.py).
7. The table; then everything is stopped and the database dropped, also on errors and Ctrl-C.

`python -m load --users 10 --seconds 20` makes a shorter run while working on it. Logs of the
sandbox, gunicorn and the swarm, and every timed request (results.json), are left in var/load/.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
LOGS = BASE_DIR / "var" / "load"
LATENCY_SECONDS = 0.2  # added to every AdultWork API call in the timed run
WARMUP_SECONDS = 5  # after the last sign-in, before the clock starts
DOWN_WARMUP_SECONDS = 5
DOWN_SECONDS = 20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m load", description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50, help="simulated people (default 50)")
    parser.add_argument("--seconds", type=int, default=60, help="the timed run (default 60)")
    parser.add_argument("--spawn-rate", type=float, default=10, help="people started a second")
    options = parser.parse_args(argv)
    # Ctrl-C (even when started in the background, where SIGINT comes ignored) and SIGTERM (a
    # CI timeout, say) stop everything and drop the database before the run ends.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    LOGS.mkdir(parents=True, exist_ok=True)
    for old in [*LOGS.glob("*.log"), *LOGS.glob("*.json")]:
        old.unlink()
    workdir = Path(tempfile.mkdtemp(prefix="aw-load-"))
    try:
        return run(options, workdir)
    except KeyboardInterrupt:
        print("\nInterrupted: everything stopped, the database dropped.", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def run(options: argparse.Namespace, workdir: Path) -> int:
    from load import database, processes

    started = time.perf_counter()
    print("Starting the sandbox and a throwaway database ...", file=sys.stderr, flush=True)
    with (
        processes.sandbox(LOGS / "sandbox.log") as sandbox_url,
        database.throwaway_database(database.server_url()) as database_url,
    ):
        port = processes.free_port()
        origin = f"https://127.0.0.1:{port}"
        env = production_environment(
            database_url=database_url,
            sandbox_url=sandbox_url,
            origin=origin,
            static_root=workdir / "static",
        )
        os.environ.update(env)
        os.environ["LOG_LEVEL"] = "WARNING"  # this process's own logging; gunicorn keeps INFO
        import django

        django.setup()
        try:
            return measure(options, env, workdir, sandbox_url, port, started)
        finally:
            from django.db import connections

            connections.close_all()


def production_environment(
    *, database_url: str, sandbox_url: str, origin: str, static_root: Path
) -> dict[str, str]:
    """The environment of a production deployment (README, "Running it for real"), pointed at
    the sandbox and the throwaway database, with secrets made for this run only."""
    from cryptography.fernet import Fernet

    env = {name: value for name, value in os.environ.items() if name != "PORT"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "load.settings",
            "LOAD_STATIC_ROOT": str(static_root),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": origin,
            "SITE_URL": origin,
            "DATABASE_URL": database_url,
            "ADULTWORK_API_URL": sandbox_url,
            "ADULTWORK_AUTH_URL": sandbox_url,
            "ADULTWORK_CLIENT_ID": "sandbox-client",
            "ADULTWORK_CLIENT_SECRET": "sandbox-secret",  # nosec B105  # the sandbox's own
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


# The one warning a deployment on the sandbox must give: AdultWork's addresses are on loopback.
SANDBOX_WARNING = "dashboard.W001"


def deployment_check() -> None:
    """`manage.py check --deploy --fail-level WARNING`, but for the sandbox's own warning."""
    from django.core import checks

    problems = [
        message
        for message in checks.run_checks(include_deployment_checks=True)
        if message.level >= checks.WARNING and message.id != SANDBOX_WARNING
    ]
    if problems:
        raise RuntimeError("check --deploy failed:\n" + "\n".join(map(str, problems)))


def measure(
    options: argparse.Namespace,
    env: dict[str, str],
    workdir: Path,
    sandbox_url: str,
    port: int,
    started: float,
) -> int:
    from django.conf import settings
    from django.core.management import call_command

    import sandbox.actions  # noqa: F401  # registers the action paths among the API's routes
    from bench.remote import add_latency, api_paths
    from bench.report import load_average, machine_facts, progress
    from load import processes, report
    from load.seed import remote_ids, seed
    from sandbox.control import SandboxControl

    facts = machine_facts()
    progress("Migrating, checking the production settings, collecting static files ...")
    call_command("migrate", verbosity=0)
    deployment_check()
    call_command("collectstatic", interactive=False, verbosity=0)
    progress(f"Seeding {options.users} people in the sandbox and the database ...")
    control = SandboxControl(sandbox_url, timeout=30)
    password = secrets.token_urlsafe(16)
    people = seed(control, people=options.users, password=password)
    add_latency(control, LATENCY_SECONDS)
    workers = int(env.get("WEB_CONCURRENCY", 3))
    threads = int(env.get("GUNICORN_THREADS", 8))
    plan = {
        "host": f"http://127.0.0.1:{port}",
        "origin": env["SITE_URL"],
        "sandbox": sandbox_url,
        "usernames": [person.username for person in people],
        "password": password,
        "users": options.users,
        "spawn_rate": options.spawn_rate,
        "seconds": options.seconds,
        "warmup_seconds": WARMUP_SECONDS,
        "latency_ms": round(LATENCY_SECONDS * 1000),
        "down_warmup_seconds": DOWN_WARMUP_SECONDS,
        "down_seconds": DOWN_SECONDS,
        "api_paths": api_paths(),
    }
    plan_file, results_file = workdir / "plan.json", workdir / "results.json"
    plan_file.write_text(json.dumps(plan))
    plan_file.chmod(0o600)
    progress(f"Starting gunicorn: {workers} processes x {threads} threads ...")
    site = processes.site(
        port=port, env=env, log=LOGS / "gunicorn.log", control_socket=workdir / "gunicorn.ctl"
    )
    with site:
        status = processes.swarm(plan=plan_file, results=results_file, log=LOGS / "swarm.log")
    if status != 0:
        raise RuntimeError(f"the swarm stopped with status {status}: see {LOGS / 'swarm.log'}")
    results = json.loads(results_file.read_text())
    shutil.copy(results_file, LOGS / "results.json")  # every timed request, for a closer look
    sections = report.figures(
        results,
        remote_ids=remote_ids,
        settings={
            **plan,
            "workers": workers,
            "circuit_failures": getattr(settings, "ADULTWORK_CIRCUIT_FAILURES", 5),
            "circuit_reset_seconds": getattr(settings, "ADULTWORK_CIRCUIT_RESET_SECONDS", 30),
        },
    )
    print()
    for name, value in facts:
        print(f"{name + ':':<10}{value}")
    print(f"{'Load:':<10}{load_average('at the end')}")
    print(
        f"{'Site:':<10}gunicorn gthread, {workers} processes x {threads} threads, production "
        f"settings (DEBUG off; check --deploy clean but for {SANDBOX_WARNING}, the sandbox)"
    )
    cpu = results["cpu"]
    if cpu["busy"] is not None:
        print(
            f"{'CPU:':<10}{cpu['busy']:.0%} of {os.cpu_count()} CPUs busy in the timed "
            f"{options.seconds} s (every process on the machine), locust's own share "
            f"{cpu['swarm_seconds'] / options.seconds:.0%} of one"
        )
    print(f"{'Run:':<10}{time.perf_counter() - started:.0f} s; logs in {LOGS}\n")
    report.print_table(sections)
    missed = [row.name for _, rows in sections for row in rows if row.met is False]
    print(f"\n{len(missed)} target(s) missed." if missed else "\nEvery target met.")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
