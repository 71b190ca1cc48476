"""The sandbox the sync benchmarks talk to: in a process of its own, as AdultWork is, and the
few things they ask of it (people, connected accounts, latency, the count of API calls)."""

import re
import subprocess  # nosec B404  # runs our own sandbox, see the call
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from django.contrib.auth import get_user_model
from django.test import override_settings

from bookings.management.commands.seed_demo import identity_of, sandbox_tokens
from dashboard.adultwork import connect_account
from dashboard.models import Account

# The test settings turn retries off; a benchmark times what production does, where a GET
# whose connection broke is tried again (a loaded machine makes the sandbox drop one rarely).
PRODUCTION_RETRIES = {"ADULTWORK_GET_RETRIES": 2}


@contextmanager
def sandbox_process() -> Iterator[Any]:
    """A SandboxControl of a sandbox in another process, with the settings pointing at it.

    In a process of its own, as AdultWork is: in ours, the sandbox's JSON work would compete
    with the sync's for one interpreter lock, which no real deployment suffers."""
    from sandbox.control import SandboxControl

    process = subprocess.Popen(  # nosec B603  # fixed argv of sys.executable, no shell
        [sys.executable, "-m", "sandbox", "--port", "0", "--allow-without-debug"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        first_line = process.stdout.readline()
        match = re.search(r"serving at (http://\S+)", first_line)
        if match is None:
            raise RuntimeError(f"the sandbox did not start: {first_line!r}")
        url = match.group(1)
        with override_settings(ADULTWORK_API_URL=url, ADULTWORK_AUTH_URL=url, **PRODUCTION_RETRIES):
            yield SandboxControl(url)
    finally:
        process.terminate()
        process.wait(timeout=10)


def performers(control) -> list[dict]:
    return [u for u in control.users() if u.get("Role", "performer") == "performer"]


def add_performer(control, nickname: str) -> dict:
    """One more performer, outside any group (POST /_sandbox/users)."""
    answer = requests.post(
        f"{control.base_url}/_sandbox/users", json={"nickname": nickname}, timeout=10
    )
    if answer.status_code != 200:
        raise RuntimeError(f"the sandbox refused the user {nickname}: {answer.text}")
    return answer.json()


def connect(control, remote: dict, *, owner=None) -> Account:
    """The sandbox user connected in the dashboard with tokens the sandbox issued, as the
    tests' `connect` and the demo command do."""
    if owner is None:
        owner = get_user_model().objects.create_user(f"bench-{remote['Nickname'].lower()}")
    return connect_account(
        owner=owner, identity=identity_of(remote), tokens=sandbox_tokens(control, remote)
    )


def api_paths() -> list[str]:
    """Every path of the API (not the Unified Login pages, not the control API)."""
    from sandbox.api import ROUTES

    return sorted(ROUTES)


def add_latency(control, seconds: float) -> None:
    """Every API call waits `seconds` before it is answered, as a distant server would."""
    for path in api_paths():
        control.add_fault(path=path, kind="latency", delay=seconds, times=None)


def api_calls(control) -> list[dict]:
    """The API and Unified Login requests the sandbox received since its log was last cleared."""
    return control.requests()
