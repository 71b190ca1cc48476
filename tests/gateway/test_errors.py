"""gateway.errors: answers and broken calls into the errors a caller sees, without HTTP."""

import json
from datetime import UTC, datetime

import pytest
import requests
from urllib3.exceptions import (
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

from gateway import (
    AdultWorkError,
    Forbidden,
    NotFound,
    NotSent,
    RateLimited,
    ReconnectNeeded,
    Refused,
    TimedOut,
    TokenExpired,
    Unavailable,
    UnreadableAnswer,
    raise_for_response,
)
from gateway.errors import from_transport_error, parse_retry_after

URL = "https://api.example.test/v1/Webcam/AcceptReceivedBooking"


def answer(
    status: int,
    body: object = None,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    if isinstance(body, bytes):
        response._content = body
    else:
        response._content = b"" if body is None else json.dumps(body).encode()
    response.headers.update(headers or {})
    response.request = requests.Request(method, URL).prepare()
    response.url = URL
    return response


def raised_by(response: requests.Response, **options: object) -> AdultWorkError:
    with pytest.raises(AdultWorkError) as raised:
        raise_for_response(response, **options)
    return raised.value


@pytest.mark.parametrize("status", [200, 201, 204])
def test_a_success_raises_nothing(status: int) -> None:
    assert raise_for_response(answer(status, {"ok": True})) is None


def test_a_401_on_an_api_call_means_the_token_expired() -> None:
    error = raised_by(answer(401, {"Message": "Authorization has been denied."}))

    assert type(error) is TokenExpired
    assert (error.status, error.permanent) == (401, False)
    assert "expired" in error.message


@pytest.mark.parametrize(
    ("status", "code"), [(401, "refresh_token_has_expired"), (400, "invalid_grant")]
)
def test_a_dead_refresh_token_means_the_account_must_be_connected_again(
    status: int, code: str
) -> None:
    error = raised_by(answer(status, {"error": code}, method="POST"), token_endpoint=True)

    assert type(error) is ReconnectNeeded
    assert error.permanent
    assert "connect the account again" in error.message


def test_a_token_endpoint_refusing_the_app_itself_is_a_refusal_not_an_expired_token() -> None:
    error = raised_by(answer(401, {"error": "invalid_client"}, method="POST"), token_endpoint=True)

    assert type(error) is Refused
    assert error.message == "AdultWork refused this request (invalid_client)."


def test_a_refusal_shows_the_remotes_own_message() -> None:
    error = raised_by(answer(400, {"Message": "The booking must be Pending."}, method="POST"))

    assert type(error) is Refused
    assert (error.message, error.status, error.permanent) == (
        "The booking must be Pending.",
        400,
        True,
    )


def test_an_oauth_description_is_preferred_to_its_code() -> None:
    body = {"error": "invalid_request", "error_description": "The redirect_uri is wrong."}

    assert raised_by(answer(400, body), token_endpoint=True).message == "The redirect_uri is wrong."


def test_a_refusal_without_a_message_still_says_what_happened() -> None:
    assert raised_by(answer(409, b"")).message == "AdultWork refused this request (error 409)."


def test_a_404_is_not_found_and_a_kind_of_refusal() -> None:
    error = raised_by(answer(404, {"Message": "No booking with ID 9."}))

    assert type(error) is NotFound
    assert isinstance(error, Refused)
    assert error.message == "No booking with ID 9."
    assert raised_by(answer(404)).message == "AdultWork could not find this booking."


def test_a_403_is_forbidden_and_says_why_it_might_be() -> None:
    error = raised_by(answer(403))

    assert type(error) is Forbidden
    assert isinstance(error, Refused)
    assert "permission" in error.message


def test_a_429_is_rate_limited_with_the_seconds_to_wait() -> None:
    error = raised_by(answer(429, headers={"Retry-After": "120"}))

    assert type(error) is RateLimited
    assert (error.retry_after, error.permanent, error.status) == (120, False, 429)
    assert "too many requests" in error.message


def test_a_429_without_retry_after_has_no_wait() -> None:
    error = raised_by(answer(429))

    assert isinstance(error, RateLimited)
    assert error.retry_after is None


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)

    assert parse_retry_after("30", now=now) == 30
    assert parse_retry_after(" 0 ", now=now) == 0
    assert parse_retry_after("Thu, 01 Jan 2026 12:01:30 GMT", now=now) == 90
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0  # already past
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after("-5", now=now) is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
def test_a_server_fault_is_unavailable_and_worth_trying_again(status: int) -> None:
    error = raised_by(answer(status, b"<html><body>Oops</body></html>"))

    assert type(error) is Unavailable
    assert (error.status, error.permanent) == (status, False)
    assert f"error {status}" in error.message
    assert "Try again" in error.message


def test_a_server_fault_on_a_post_says_the_outcome_is_unknown() -> None:
    error = raised_by(answer(500, method="POST"))

    assert "may or may not have done" in error.message


def test_a_leftover_redirect_is_an_unreadable_answer() -> None:
    assert type(raised_by(answer(302))) is UnreadableAnswer


def test_a_token_the_remote_echoes_back_is_hidden() -> None:
    body = {"Message": "Token tok-SECRET-123 is not valid for this booking."}

    error = raised_by(answer(400, body), redact=("tok-SECRET-123",))

    assert "tok-SECRET-123" not in error.message
    assert "tok-SECRET-123" not in repr(error)
    assert error.message == "Token [hidden] is not valid for this booking."


def test_a_very_long_remote_message_is_cut_short() -> None:
    error = raised_by(answer(400, {"Message": "No. " * 500}))

    assert len(error.message) <= 300


# What each error says and whether trying again can help, when it is raised without a message
# of the remote's: the performer reads exactly this.
WITHOUT_ARGUMENTS = [
    (AdultWorkError, "Something went wrong while talking to AdultWork.", False),
    (TokenExpired, "The connection to AdultWork has expired or was revoked.", False),
    (
        ReconnectNeeded,
        "AdultWork no longer accepts this account's connection: please connect the account again.",
        True,
    ),
    (Refused, "AdultWork refused this request.", True),
    (NotFound, "AdultWork could not find this booking.", True),
    (
        Forbidden,
        "AdultWork does not allow this: the connection may lack a permission, "
        "or you may not manage this group.",
        True,
    ),
    (
        RateLimited,
        "AdultWork is receiving too many requests from this app: try again shortly.",
        False,
    ),
    (Unavailable, "AdultWork cannot be reached right now: try again in a few minutes.", False),
    (TimedOut, "AdultWork did not answer in time: try again in a few minutes.", False),
    (NotSent, "AdultWork is too slow to answer right now, so nothing was sent.", False),
    (UnreadableAnswer, "AdultWork sent an answer this app cannot read.", False),
]


@pytest.mark.parametrize(
    ("cls", "message", "permanent"),
    WITHOUT_ARGUMENTS,
    ids=[c.__name__ for c, *_ in WITHOUT_ARGUMENTS],
)
def test_an_error_raised_without_arguments_says_its_own_sentence_and_whether_to_retry(
    cls: type[AdultWorkError], message: str, permanent: bool
) -> None:
    error = cls()

    assert (error.message, str(error), error.permanent, error.status) == (
        message,
        message,
        permanent,
        None,
    )


def test_every_error_of_the_gateway_is_in_the_table_above() -> None:
    import gateway

    exported = {
        value
        for value in vars(gateway).values()
        if isinstance(value, type) and issubclass(value, AdultWorkError)
    }
    assert exported == {cls for cls, *_ in WITHOUT_ARGUMENTS}


def test_a_message_and_status_given_are_kept_and_permanence_can_be_overridden() -> None:
    error = Unavailable("AdultWork is down for maintenance.", status=503, permanent=True)

    assert (error.message, str(error), error.status, error.permanent) == (
        "AdultWork is down for maintenance.",
        "AdultWork is down for maintenance.",
        503,
        True,
    )
    assert RateLimited(retry_after=5).retry_after == 5


# --- calls that got no answer -----------------------------------------------------------------


def read_timeout() -> ReadTimeoutError:
    return ReadTimeoutError(None, URL, "Read timed out.")  # type: ignore[arg-type]


def refused() -> NewConnectionError:
    return NewConnectionError(None, "Connection refused")  # type: ignore[arg-type]


def test_a_post_that_timed_out_says_its_outcome_is_unknown() -> None:
    error = from_transport_error(requests.ReadTimeout(read_timeout()), method="POST")

    assert type(error) is TimedOut
    assert "did not answer in time" in error.message
    assert "may or may not have done" in error.message


def test_a_get_whose_read_retries_ran_out_is_still_a_timeout() -> None:
    # requests reports this as a ConnectionError, hiding the timeout inside MaxRetryError.
    wrapped = requests.ConnectionError(MaxRetryError(None, URL, read_timeout()))  # type: ignore[arg-type]

    error = from_transport_error(wrapped, method="GET")

    assert type(error) is TimedOut
    assert "may or may not" not in error.message


def test_a_refused_connection_is_unavailable_and_nothing_was_sent() -> None:
    wrapped = requests.ConnectionError(MaxRetryError(None, URL, refused()))  # type: ignore[arg-type]

    error = from_transport_error(wrapped, method="POST")

    assert type(error) is Unavailable
    assert "nothing was sent" in error.message


def test_a_connection_dropped_during_a_post_says_its_outcome_is_unknown() -> None:
    dropped = requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError()))

    error = from_transport_error(dropped, method="POST")

    assert type(error) is Unavailable
    assert "may or may not have done" in error.message


def test_a_wrong_address_for_adultwork_is_a_permanent_fault_and_nothing_was_sent() -> None:
    error = from_transport_error(requests.exceptions.MissingSchema("api.test"), method="POST")

    assert type(error) is Unavailable
    assert error.permanent
    assert "nothing was sent" in error.message
