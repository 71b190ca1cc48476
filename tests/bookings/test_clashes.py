"""The clash rule: which sessions of an account a request's session would overlap, one at a time
(session_clashes, for the accept dialog) or for a page of rows in one query (clashes_for)."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.models import Booking, Direction, Service, Status
from bookings.selectors import clashes_for, session_clashes, spans_overlap
from tests.factories import AccountFactory, BookingFactory

T = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T + timedelta(minutes=minutes)


def request(account, *, start: datetime = T, minutes: int = 30, **fields) -> Booking:
    """A pending request, as the accept dialog is opened on."""
    return BookingFactory(
        account=account, session_at=start, duration_minutes=minutes, status=Status.PENDING, **fields
    )


def session(account, *, start: datetime, minutes: int = 30, **fields) -> Booking:
    fields.setdefault("status", Status.CONFIRMED)
    return BookingFactory(account=account, session_at=start, duration_minutes=minutes, **fields)


# --- the arithmetic ---------------------------------------------------------------------------

# Starts and lengths in minutes, small enough that equal, touching and nested spans are common.
starts = st.integers(min_value=0, max_value=120)
lengths = st.integers(min_value=1, max_value=90)


@given(a_start=starts, a_length=lengths, b_start=starts, b_length=lengths)
def test_two_spans_overlap_exactly_when_some_minute_is_in_both(
    a_start, a_length, b_start, b_length
):
    a = (at(a_start), at(a_start + a_length))
    b = (at(b_start), at(b_start + b_length))
    shared = set(range(a_start, a_start + a_length)) & set(range(b_start, b_start + b_length))
    assert spans_overlap(a, b) is bool(shared)
    assert spans_overlap(b, a) is spans_overlap(a, b)


@given(start=starts, a_length=lengths, b_length=lengths)
def test_back_to_back_spans_never_overlap(start, a_length, b_length):
    first = (at(start - a_length), at(start))
    second = (at(start), at(start + b_length))
    assert not spans_overlap(first, second)
    assert not spans_overlap(second, first)


@given(start=starts, length=lengths, microseconds=st.integers(min_value=1, max_value=59_999_999))
def test_a_microsecond_shared_is_an_overlap(start, length, microseconds):
    first = (at(start), at(start + length))
    second_start = first[1] - timedelta(microseconds=microseconds)
    assert spans_overlap(first, (second_start, second_start + timedelta(minutes=1)))


# --- the rule, against the database -----------------------------------------------------------


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    asked=st.tuples(starts, lengths),
    others=st.lists(
        st.tuples(
            # Whole minutes mostly, so that edges meet; seconds now and then.
            st.integers(min_value=-100, max_value=220).map(float)
            | st.floats(min_value=-100, max_value=220, allow_nan=False).map(
                lambda m: round(m * 60) / 60
            ),
            st.integers(min_value=1, max_value=300),
        ),
        max_size=6,
    ),
)
def test_the_database_finds_exactly_the_sessions_the_arithmetic_says_overlap(
    account, asked, others
):
    """The query's windows (session_at + duration in SQL) never miss a session that overlaps,
    even one that began hours before, nor return one that only touches."""
    Booking.all_objects.filter(account=account).delete()
    booking = request(account, start=at(asked[0]), minutes=asked[1])
    span = (booking.session_at, booking.session_end)
    stored = [session(account, start=at(start), minutes=length) for start, length in others]
    expected = {s.pk for s in stored if spans_overlap(span, (s.session_at, s.session_end))}
    assert {s.pk for s in session_clashes(booking)} == expected


def test_a_confirmed_session_that_overlaps_the_request_is_named_with_its_account(
    account, django_assert_num_queries
):
    booking = request(account, start=at(0), minutes=30)
    confirmed = session(account, start=at(15), minutes=30, party_nickname="EarlyBird")
    with django_assert_num_queries(1):
        clashes = session_clashes(booking)
        assert clashes == [confirmed]
        assert clashes[0].account.nickname == account.nickname
        assert clashes[0].party_nickname == "EarlyBird"


def test_accepted_sessions_clash_and_pending_rejected_and_cancelled_ones_do_not(account):
    booking = request(account)
    for status in Status:
        session(account, start=T, status=status)
    clashing = [b.status for b in session_clashes(booking)]
    assert sorted(clashing) == [Status.ACCEPTED, Status.CONFIRMED]


def test_sessions_that_end_as_the_request_starts_or_start_as_it_ends_do_not_clash(account):
    booking = request(account, start=at(60), minutes=30)
    session(account, start=at(0), minutes=60)  # ends at 60
    session(account, start=at(90), minutes=45)  # starts at 90
    assert session_clashes(booking) == []
    inside = session(account, start=at(89), minutes=1)
    assert session_clashes(booking) == [inside]


@pytest.mark.parametrize(
    ("began", "minutes"),
    [(24 * 60, 24 * 60 + 1), (7 * 24 * 60 - 1, 7 * 24 * 60)],  # a day, and a week, before
)
def test_a_long_session_that_began_long_before_still_clashes(account, began, minutes):
    booking = request(account, start=at(0), minutes=15)
    marathon = session(account, start=at(-began), minutes=minutes)
    assert session_clashes(booking) == [marathon]


def test_webcam_and_phonechat_received_and_made_sessions_all_clash(account):
    booking = request(account, service=Service.WEBCAM)
    kinds = [(service, direction) for service in Service for direction in Direction]
    for service, direction in kinds:
        session(account, start=T, service=service, direction=direction)
    found = {(b.service, b.direction) for b in session_clashes(booking)}
    assert found == set(kinds)


def test_a_session_of_another_account_at_the_same_time_never_clashes(account, owner):
    booking = request(account)
    session(AccountFactory(owner=owner), start=T)
    session(AccountFactory(), start=T)
    assert session_clashes(booking) == []


def test_a_gone_session_no_longer_clashes(account, now):
    booking = request(account)
    deleted = session(account, start=T)
    assert session_clashes(booking) == [deleted]
    deleted.mark_gone(at=now)
    assert session_clashes(booking) == []


def test_a_session_never_clashes_with_itself(account):
    accepted = session(account, start=T, status=Status.ACCEPTED)
    assert session_clashes(accepted) == []
    twin = session(account, start=at(10))
    assert session_clashes(accepted) == [twin]


def test_a_booking_without_a_session_time_or_length_has_no_clash_and_costs_no_query(
    account, django_assert_num_queries
):
    session(account, start=T, minutes=600)
    undated = request(account, start=None)
    empty = request(account, minutes=0)
    with django_assert_num_queries(0):
        assert session_clashes(undated) == []
        assert session_clashes(empty) == []
        assert clashes_for([]) == {}


def test_clashes_are_listed_soonest_first(account):
    booking = request(account, start=at(0), minutes=120)
    later = session(account, start=at(60))
    sooner = session(account, start=at(10))
    assert session_clashes(booking) == [sooner, later]


def test_a_page_of_requests_is_answered_in_one_query_as_each_would_be_alone(
    account, owner, django_assert_num_queries
):
    other_account = AccountFactory(owner=owner)
    page = []
    for day in range(12):
        for acc in (account, other_account):
            start = at(day * 24 * 60 + 7 * day)
            page.append(request(acc, start=start, minutes=30))
            session(acc, start=start + timedelta(minutes=20 if day % 2 else 30))
            session(acc, start=start + timedelta(hours=5))  # between requests: no clash
    alone = {b.pk: session_clashes(b) for b in page}
    with django_assert_num_queries(1):
        together = clashes_for(page)
        names = {pk: [c.account.nickname for c in found] for pk, found in together.items()}
    assert together == alone
    assert sum(map(len, together.values())) == 12, "the odd days clash, the even ones touch"
    assert all(names[b.pk] in ([], [b.account.nickname]) for b in page)


def test_the_batch_answers_every_booking_it_was_given(account):
    undated = request(account, start=None)
    lonely = request(account, start=at(600))
    assert clashes_for([undated, lonely]) == {undated.pk: [], lonely.pk: []}


@pytest.mark.parametrize("minutes", [1, 59, 60 * 24 * 3])
def test_a_clash_ends_where_its_length_says(account, minutes):
    earlier = session(account, start=at(-minutes), minutes=minutes)
    assert earlier.session_end == T
    assert session_clashes(request(account, start=T)) == []
    assert session_clashes(request(account, start=at(-0.5))) == [earlier]
