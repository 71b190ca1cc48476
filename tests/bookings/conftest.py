import pytest

from bookings.sync import sync_account
from tests.conftest import connect


@pytest.fixture
def performer(sandbox, sandbox_users, owner):
    """A performer's account, connected and synced, with the sandbox's request log empty.
    A test module that needs it otherwise defines its own."""
    account = connect(sandbox, user=owner, sandbox_user=sandbox_users["ScarlettRose"])
    sync_account(account=account)
    sandbox.clear_requests()
    return account
