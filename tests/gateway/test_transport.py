"""gateway.transport: the retry policy and the adapter's timeout, without a server."""

import time

import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError, ReadTimeoutError
from urllib3.response import HTTPResponse

from gateway import NotSent
from gateway.transport import Deadline, TimeoutHTTPAdapter, get_retry, new_session, send

URL = "/v1/Webcam/ReceivedBookings"


def refused() -> NewConnectionError:
    return NewConnectionError(None, "Connection refused")  # type: ignore[arg-type]


def test_a_get_is_retried_after_a_refused_connection_a_read_error_or_a_timeout() -> None:
    for error in (
        refused(),
        ProtocolError("Connection aborted."),
        ReadTimeoutError(None, URL, "Read timed out."),  # type: ignore[arg-type]
    ):
        assert get_retry(2).increment(method="GET", url=URL, error=error).total == 1


def test_a_post_is_not_retried_even_when_it_never_left() -> None:
    # urllib3 on its own retries connection errors for every method.
    with pytest.raises(MaxRetryError):
        get_retry(2).increment(method="POST", url=URL, error=refused())


@pytest.mark.parametrize(
    "error", [ProtocolError("Connection aborted."), ReadTimeoutError(None, URL, "timed out")]
)
def test_a_post_whose_answer_was_lost_gets_its_own_error_back(error: Exception) -> None:
    with pytest.raises(type(error)):
        get_retry(2).increment(method="POST", url=URL, error=error)


@pytest.mark.parametrize(("method", "status"), [("GET", 503), ("GET", 502), ("GET", 504)])
def test_a_get_is_retried_on_a_passing_server_fault(method: str, status: int) -> None:
    assert get_retry(2).is_retry(method, status, has_retry_after=False)


@pytest.mark.parametrize(
    ("method", "status", "retry_after"),
    [("POST", 503, False), ("GET", 500, False), ("GET", 429, True), ("GET", 413, True)],
)
def test_nothing_else_is_retried(method: str, status: int, retry_after: bool) -> None:
    assert not get_retry(2).is_retry(method, status, has_retry_after=retry_after)


def test_a_long_retry_after_on_a_503_does_not_put_the_caller_to_sleep() -> None:
    answer = HTTPResponse(status=503, headers={"Retry-After": "3600"})
    retry = get_retry(2).increment(method="GET", url=URL, response=answer)

    started = time.monotonic()
    retry.sleep(answer)

    assert time.monotonic() - started < 1


def test_every_request_gets_the_default_timeout_unless_it_names_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[object] = []

    def fake_send(self: HTTPAdapter, request: object, **kwargs: object) -> requests.Response:
        seen.append(kwargs["timeout"])
        return requests.Response()

    monkeypatch.setattr(HTTPAdapter, "send", fake_send)
    session = new_session(timeout=4.5, retries=1, user_agent="ua")
    adapter = session.get_adapter("https://api.adultwork.com/")
    request = requests.Request("GET", "https://api.adultwork.com/").prepare()

    adapter.send(request)
    adapter.send(request, timeout=None)
    adapter.send(request, timeout=1.0)

    assert isinstance(adapter, TimeoutHTTPAdapter)
    assert seen == [4.5, 4.5, 1.0]
    assert session.get_adapter("http://127.0.0.1/") is adapter


def test_the_session_asks_for_json_and_names_the_app() -> None:
    session = new_session(timeout=1, retries=0, user_agent="aw-bookings/2", headers={"X-A": "b"})

    assert session.headers["Accept"] == "application/json"
    assert session.headers["User-Agent"] == "aw-bookings/2"
    assert session.headers["X-A"] == "b"


def test_within_a_deadline_a_call_waits_at_most_the_time_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[object] = []

    def fake_send(self: HTTPAdapter, request: object, **kwargs: object) -> requests.Response:
        seen.append(kwargs["timeout"])
        response = requests.Response()
        response.status_code = 200
        return response

    monkeypatch.setattr(HTTPAdapter, "send", fake_send)
    session = new_session(timeout=10, retries=0, user_agent="ua")

    send(session, "GET", "https://api.adultwork.com/", deadline=Deadline(3))
    send(session, "GET", "https://api.adultwork.com/", deadline=Deadline(60))

    assert 2 < seen[0] <= 3
    assert seen[1] == 10


def test_a_call_with_too_little_time_left_is_not_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_send(self: HTTPAdapter, request: object, **kwargs: object) -> requests.Response:
        raise AssertionError("sent")

    monkeypatch.setattr(HTTPAdapter, "send", fake_send)
    session = new_session(timeout=10, retries=0, user_agent="ua")

    with pytest.raises(NotSent, match="nothing was sent"):
        send(session, "POST", "https://api.adultwork.com/", deadline=Deadline(0.1))
