"""Fixtures shared by every test: the sandbox over real HTTP, and the people of an access test
(the owner of an account, staff granted on it, and an outsider)."""

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from bookings.management.commands.seed_demo import identity_of, sandbox_tokens
from dashboard.adultwork import circuit, connect_account
from dashboard.models import Account, Grant

if TYPE_CHECKING:
    from sandbox.control import SandboxControl
    from sandbox.server import SandboxServer
from tests.factories import AccountFactory, GrantFactory, UserFactory


@pytest.fixture(autouse=True)
def adultwork_circuit_closed() -> Iterator[None]:
    """Each test starts with a closed circuit and no failures counted: the circuit breaker
    lives as long as the process, which runs every test."""
    circuit.cache_clear()
    yield
    circuit.cache_clear()


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator["SandboxServer"]:
    from sandbox.server import SandboxServer

    server = SandboxServer(port=0).start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server: "SandboxServer", settings) -> "SandboxControl":
    """A freshly seeded sandbox, with the project's settings pointing at it."""
    from sandbox.control import SandboxControl

    control = SandboxControl(sandbox_server.url)
    control.reset(seed="demo")
    settings.ADULTWORK_API_URL = sandbox_server.url
    settings.ADULTWORK_AUTH_URL = sandbox_server.url
    return control


@pytest.fixture
def sandbox_users(sandbox: "SandboxControl") -> dict[str, dict]:
    return {user["Nickname"]: user for user in sandbox.users()}


def connect(sandbox: "SandboxControl", *, user, sandbox_user: dict, **token_options) -> Account:
    """An account connected with tokens the sandbox issued, as Unified Login would."""
    return connect_account(
        owner=user,
        identity=identity_of(sandbox_user),
        tokens=sandbox_tokens(sandbox, sandbox_user, **token_options),
    )


@pytest.fixture
def owner(db):
    return UserFactory(username="owner")


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


@pytest.fixture
def account(db, owner) -> Account:
    """An account whose bookings live only in the local copy."""
    return AccountFactory(owner=owner, nickname="ScarlettLocal")


@pytest.fixture
def staff(db, account):
    """A member of agency staff granted the operator role on `account`."""
    user = UserFactory(username="staff")
    GrantFactory(user=user, account=account, role=Grant.Role.OPERATOR)
    return user


@pytest.fixture
def now():
    return timezone.now()
