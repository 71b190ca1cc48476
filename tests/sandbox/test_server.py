"""Serving: loopback only, a free port on request, and a stop that never waits for sleepers."""

import threading
import time
from datetime import UTC, datetime

import pytest
import requests

from sandbox.control import SandboxControl
from sandbox.server import SandboxServer, is_loopback


@pytest.mark.parametrize("host", ["0.0.0.0", "8.8.8.8", "::"])
def test_the_server_refuses_a_host_beyond_loopback(host):
    with pytest.raises(ValueError, match="loopback"):
        SandboxServer(host)


def test_loopback_names_are_recognised():
    assert is_loopback("127.0.0.1")
    assert is_loopback("localhost")
    assert is_loopback("::1")
    assert not is_loopback("example.invalid")


def test_port_zero_picks_a_free_port_and_stop_stops_serving():
    server = SandboxServer(port=0, seed="empty").start()
    assert server.url.startswith("http://127.0.0.1:")
    assert not server.url.endswith("/")
    assert requests.get(server.url + "/_sandbox/", timeout=5).json()["seed"] == "empty"
    server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "/_sandbox/", timeout=1)


def test_stop_is_not_held_up_by_a_request_asleep_in_a_timeout_fault():
    server = SandboxServer(port=0, seed="empty").start()
    control = SandboxControl(server.url)
    control.add_fault(path="/v1/account/verifyCredentials", kind="timeout", delay=30)
    gave_up = threading.Event()

    def call() -> None:
        try:
            requests.get(server.url + "/v1/account/verifyCredentials", timeout=0.2)
        except requests.Timeout:
            gave_up.set()

    caller = threading.Thread(target=call)
    caller.start()
    caller.join()
    assert gave_up.is_set()
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 2


def test_the_time_zone_decides_how_times_are_written():
    with SandboxServer(port=0, time_zone="America/New_York", seed="demo") as server:
        control = SandboxControl(server.url)
        control.reset(now=datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
        token = control.issue_token(user_id=1001)["access_token"]
        headers = {"Authorization": f"bearer {token}"}
        bookings = requests.get(
            server.url + "/v1/Webcam/MadeBookings", headers=headers, timeout=5
        ).json()["WebcamBookings"]
        answer = requests.post(
            server.url + "/v1/Webcam/RescheduleMadeBooking",
            json={"BookingID": bookings[0]["WebcamBookingID"]},
            headers=headers,
            timeout=5,
        )
        assert answer.json()["CreateDate"] == "2026-07-01T08:00"


def test_paths_outside_the_api_are_not_found(server):
    answer = requests.get(server.url + "/", timeout=5)
    assert answer.status_code == 404
    assert answer.json()["Message"]


def test_the_server_answers_requests_in_parallel(server, control):
    control.add_fault(path="/v1/account/verifyCredentials", kind="latency", delay=0.3)
    slow = threading.Thread(
        target=requests.get,
        args=(server.url + "/v1/account/verifyCredentials",),
        kwargs={"timeout": 5},
    )
    slow.start()
    started = time.monotonic()
    requests.get(server.url + "/_sandbox/", timeout=5)
    assert time.monotonic() - started < 0.25
    slow.join()
