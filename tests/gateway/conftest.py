"""The sandbox, a stand-in AdultWork on loopback, for the gateway's tests over real HTTP.

These fixtures need nothing of Django, so the gateway's tests also run with `-p no:django`.
"""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from gateway import AdultWorkApi
from sandbox.control import SandboxControl
from sandbox.server import SandboxServer

# The sandbox's clock is frozen here, so the demo bookings (placed relative to now) and the
# rules that compare with now give the same answers on every run.
NOW = datetime(2026, 6, 10, 11, 0, tzinfo=UTC)

PERFORMER = 1001  # ScarlettRose: receives bookings, member of the Velvet Rooms group
CLIENT = 2001  # JosepheneBlogs: makes bookings, 500 credits
MANAGER = 1000  # VelvetRoomsDesk: manages the Velvet Rooms group
OUTSIDER = 1004  # IvyBlaze: a performer in no group


@pytest.fixture(scope="session")
def gateway_sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(port=0).start()
    yield server
    server.stop()


@pytest.fixture
def base_url(gateway_sandbox: SandboxServer) -> str:
    return gateway_sandbox.url


@pytest.fixture
def control(base_url: str) -> SandboxControl:
    """The sandbox freshly seeded with the demo data at NOW: no faults, an empty request log."""
    control = SandboxControl(base_url)
    control.reset(seed="demo", now=NOW)
    return control


@pytest.fixture
def connect(control: SandboxControl, base_url: str) -> Iterator:
    """connect(user_id, **options): an AdultWorkApi connected as that sandbox user."""
    opened: list[AdultWorkApi] = []

    def connect(user_id: int, **options: object) -> AdultWorkApi:
        token = control.issue_token(user_id=user_id)["access_token"]
        options.setdefault("timeout", 2.0)
        api = AdultWorkApi(base_url=base_url, access_token=token, **options)
        opened.append(api)
        return api

    yield connect
    for api in opened:
        api.close()


@pytest.fixture
def performer(connect) -> AdultWorkApi:
    return connect(PERFORMER)


@pytest.fixture
def booker(connect) -> AdultWorkApi:
    """Connected as a client, the side that makes bookings."""
    return connect(CLIENT)
