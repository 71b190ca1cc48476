"""The sandbox clock and how the API writes and reads times."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sandbox.clock import Clock, format_datetime, format_for_people, parse_datetime

LONDON = ZoneInfo("Europe/London")


def test_times_are_written_naive_and_no_longer_than_needed():
    assert format_datetime(datetime(2018, 1, 1, 11, 0, tzinfo=UTC), LONDON) == "2018-01-01T11:00"
    assert format_datetime(datetime(2018, 1, 22, 18, 24, 11, tzinfo=UTC), LONDON) == (
        "2018-01-22T18:24:11"
    )
    assert format_datetime(datetime(2018, 1, 20, 12, 34, 56, 789000, tzinfo=UTC), LONDON) == (
        "2018-01-20T12:34:56.789"
    )
    assert format_datetime(None, LONDON) is None


def test_times_are_local_to_the_sandbox_zone_on_both_sides_of_a_clock_change():
    before = datetime(2026, 3, 29, 0, 59, tzinfo=UTC)
    after = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert format_datetime(before, LONDON) == "2026-03-29T00:59"
    assert format_datetime(after, LONDON) == "2026-03-29T02:00"
    autumn = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert format_datetime(autumn, LONDON) == "2026-10-25T01:30"
    assert format_datetime(autumn + timedelta(hours=1), LONDON) == "2026-10-25T01:30"


def test_people_read_times_the_uk_way():
    assert format_for_people(datetime(2018, 1, 22, tzinfo=UTC), LONDON) == "22/01/2018 00:00"


def test_a_time_without_an_offset_is_read_as_local():
    assert parse_datetime("2026-07-01T13:00", LONDON) == datetime(2026, 7, 1, 12, tzinfo=UTC)
    assert parse_datetime("2026-07-01 13:00", LONDON) == datetime(2026, 7, 1, 12, tzinfo=UTC)
    assert parse_datetime("2026-07-01T13:00+00:00", LONDON) == datetime(2026, 7, 1, 13, tzinfo=UTC)


def test_the_clock_freezes_moves_on_and_returns_to_real_time():
    clock = Clock()
    assert not clock.is_fixed
    moment = datetime(2026, 3, 10, 9, 30, 0, 123456, tzinfo=UTC)
    clock.set(now=moment)
    assert clock.now() == moment.replace(microsecond=123000)
    clock.set(advance_seconds=60)
    assert clock.now() == datetime(2026, 3, 10, 9, 31, 0, 123000, tzinfo=UTC)
    clock.set()
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
    clock.set(advance_seconds=3600)
    assert clock.now() - datetime.now(UTC) > timedelta(minutes=59)


def test_a_naive_moment_given_to_the_clock_is_taken_as_utc():
    clock = Clock()
    clock.set(now=datetime(2026, 7, 1, 12, 0))
    assert clock.now() == datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
