"""POST /_sandbox/users: more people than the seed has, until the next reset."""

from typing import Any

import pytest
import requests

from sandbox.control import SandboxControl


def add_user(control: SandboxControl, **body: Any) -> requests.Response:
    return requests.post(f"{control.base_url}/_sandbox/users", json=body, timeout=5)


def test_an_added_performer_can_be_given_bookings_and_signed_in_as(control, as_user):
    answer = add_user(control, nickname="BenchPerformer1")
    assert answer.status_code == 200, answer.text
    added = answer.json()
    assert added["Nickname"] == "BenchPerformer1"
    assert added["Role"] == "performer"
    assert added["GroupID"] is None
    assert added["Password"] == "benchperformer1"
    assert added in control.users()
    control.generate(user_id=added["UserID"], service="webcam", direction="received", count=3)
    envelope = as_user(added["UserID"]).get("/v1/Webcam/ReceivedBookings").json()
    assert len(envelope["WebcamBookings"]) == 3


def test_each_added_user_gets_a_new_id(control):
    for n in range(3):
        add_user(control, nickname=f"Extra{n}")
    users = control.users()
    assert len({user["UserID"] for user in users}) == len(users)


def test_a_client_can_be_added(control):
    assert add_user(control, nickname="ExtraClient", role="client").json()["Role"] == "client"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, "nickname"),
        ({"nickname": "x"}, "nickname"),
        ({"nickname": "ScarlettRose"}, "already"),
        ({"nickname": "NewOne", "role": "manager"}, "role"),
    ],
)
def test_bad_users_are_refused(control, body, error):
    answer = add_user(control, **body)
    assert answer.status_code == 400
    assert error in answer.json()["error"]


def test_a_reset_forgets_added_users(control):
    add_user(control, nickname="Temporary")
    control.reset()
    assert "Temporary" not in {user["Nickname"] for user in control.users()}
