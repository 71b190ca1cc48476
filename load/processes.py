"""The processes a load run starts: the sandbox, gunicorn and the swarm. Each runs in a session
of its own, so a Ctrl-C reaches only `python -m load`, which then stops them in order (SIGTERM to
the process group, SIGKILL if it outstays its welcome) and drops the database."""

import os
import re
import signal
import socket
import subprocess  # nosec B404  # starts our own sandbox, site and swarm, see the calls
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import requests

BASE_DIR = Path(__file__).resolve().parent.parent


@contextmanager
def running(
    command: Sequence[str], *, log: Path, env: dict[str, str] | None = None, stop_seconds: float
) -> Iterator[subprocess.Popen]:
    """The command running (output to `log`), stopped on the way out whatever happens."""
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603  # nosec B603  # fixed argv of our modules, no shell
            list(command),
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        stop(process, seconds=stop_seconds)


def stop(process: subprocess.Popen, *, seconds: float) -> None:
    """SIGTERM to the process and its children (its own process group), then SIGKILL if it has
    not ended within `seconds`."""
    if process.poll() is not None:
        return
    _signal_group(process, signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGKILL)
        process.wait(timeout=10)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    # The group of the session the process leads (start_new_session): it and its children.
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


@contextmanager
def sandbox(log: Path) -> Iterator[str]:
    """The sandbox in a process of its own, as AdultWork is, with no bookings yet; yields its
    address."""
    command = [sys.executable, "-m", "sandbox", "--port", "0", "--seed", "empty"]
    command.append("--allow-without-debug")  # the sandbox is the stand-in, never the site
    with running(command, log=log, stop_seconds=10) as process:
        url = _wait_for_line(log, process, re.compile(r"serving at (http://\S+)"))
        yield url


def _wait_for_line(log: Path, process: subprocess.Popen, pattern: re.Pattern) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if match := pattern.search(log.read_text(errors="replace")):
            return match.group(1)
        if process.poll() is not None:
            raise RuntimeError(f"the sandbox stopped at start:\n{tail(log)}")
        time.sleep(0.05)
    raise RuntimeError(f"the sandbox did not start within 30 s:\n{tail(log)}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def site(*, port: int, env: dict[str, str], log: Path, control_socket: Path) -> Iterator[str]:
    """gunicorn with gunicorn.conf.py, as the Procfile runs it, on loopback; yields its address
    once it answers."""
    command = [sys.executable, "-m", "gunicorn", "dashboard.wsgi", "-c", "gunicorn.conf.py"]
    # The Procfile's $PORT would bind every interface; the run stays on loopback. Its control
    # socket is its own, not the one in ~/.gunicorn that another gunicorn here may be using.
    command += ["--bind", f"127.0.0.1:{port}", "--control-socket", str(control_socket)]
    # Its graceful timeout is ACTION_BUDGET_SECONDS + 10; nothing is in flight by then.
    with running(command, log=log, env=env, stop_seconds=45) as process:
        url = f"http://127.0.0.1:{port}"
        _wait_until_serving(url, process, log)
        yield url


def _wait_until_serving(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start:\n{tail(log)}")
        try:
            answer = requests.get(
                f"{url}/sign-in/", headers={"X-Forwarded-Proto": "https"}, timeout=5
            )
        except requests.ConnectionError:
            time.sleep(0.1)
            continue
        if answer.status_code != 200:
            raise RuntimeError(f"the sign-in page answered {answer.status_code}:\n{tail(log)}")
        return
    raise RuntimeError(f"gunicorn did not answer within 60 s:\n{tail(log)}")


def swarm(*, plan: Path, results: Path, log: Path) -> int:
    """Run load.swarm (locust, headless) to its end; its progress lines are shown as they come.
    Its exit status."""
    command = [sys.executable, "-m", "load.swarm", str(plan), str(results)]
    with running(command, log=log, stop_seconds=10) as process:
        shown = 0
        while True:
            finished = process.poll() is not None
            text = log.read_text(errors="replace")
            # Whole lines only, until the end: a line may be half written.
            lines = (text if finished else text[: text.rfind("\n") + 1]).splitlines()
            for line in lines[shown:]:
                print(line, file=sys.stderr, flush=True)
            shown = len(lines)
            if finished:
                return process.returncode
            time.sleep(0.25)


def tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
