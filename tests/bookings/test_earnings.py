"""The earnings selectors: each booking in the week of its session (Monday to Sunday in the
viewer's zone), each status to its figure, expired requests lost, counter-offers from the audit
log, only the accounts given, and one query whatever the number of bookings."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bookings import earnings, rules
from bookings.models import Booking, Direction, Service, Status
from dashboard.models import AuditEntry
from tests.factories import AccountFactory, AuditEntryFactory, BookingFactory

LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
UTC = ZoneInfo("UTC")
# A Wednesday: its week began on Monday 10 March 2025.
NOW = datetime(2025, 3, 12, 12, 0, tzinfo=LONDON)
THIS_MONDAY = NOW.date() - timedelta(days=2)


def received(account, *, session_at, credits="10", status=Status.CONFIRMED, **fields) -> Booking:
    values = {
        "accept_by": session_at - timedelta(hours=1),
        "created_at": session_at - timedelta(days=1),
    }
    return BookingFactory(
        account=account,
        session_at=session_at,
        credits=Decimal(credits),
        status=status,
        **{**values, **fields},
    )


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LONDON)


def week_of(weeks: list[earnings.Week], monday) -> earnings.Week:
    return next(w for w in weeks if w.start == monday)


def figures(week: earnings.Week) -> dict[str, Decimal]:
    return {
        "offered": week.offered,
        "accepted": week.accepted,
        "confirmed": week.confirmed,
        "lost": week.lost,
        "awaiting": week.awaiting,
    }


@pytest.fixture
def account(db):
    return AccountFactory()


def test_the_window_is_this_week_and_the_eleven_before_each_from_monday(account):
    weeks = earnings.weekly_earnings(accounts=[account], now=NOW, zone=LONDON)
    assert [w.start for w in weeks] == [THIS_MONDAY - timedelta(weeks=n) for n in range(11, -1, -1)]
    assert all(w.start.weekday() == 0 for w in weeks)
    assert all(figures(w) == dict.fromkeys(figures(w), Decimal(0)) for w in weeks)


def test_each_booking_counts_in_the_week_of_its_session_and_only_inside_the_window(account):
    first_monday = THIS_MONDAY - timedelta(weeks=11)
    received(account, session_at=at(first_monday, 0), credits="1")  # the window's first moment
    received(account, session_at=at(first_monday) - timedelta(days=1), credits="100")  # before
    received(account, session_at=at(THIS_MONDAY + timedelta(days=6), 23), credits="2")  # Sunday
    received(account, session_at=at(THIS_MONDAY + timedelta(days=7), 0), credits="200")  # after
    # Created long before: the session's week is what counts.
    received(
        account,
        session_at=at(THIS_MONDAY - timedelta(weeks=3)),
        created_at=at(first_monday - timedelta(weeks=5)),
        credits="3",
    )

    weeks = earnings.weekly_earnings(accounts=[account], now=NOW, zone=LONDON)

    offered = {w.start: w.offered for w in weeks if w.offered}
    assert offered == {
        first_monday: Decimal(1),
        THIS_MONDAY - timedelta(weeks=3): Decimal(3),
        THIS_MONDAY: Decimal(2),
    }


def test_each_status_goes_to_its_own_figure_and_the_figures_add_up(account):
    later = NOW + timedelta(days=2)  # Friday of this week
    received(account, session_at=later, credits="1", status=Status.ACCEPTED)
    received(account, session_at=later, credits="2", status=Status.CONFIRMED)
    received(account, session_at=later, credits="4", status=Status.REJECTED)
    received(account, session_at=later, credits="8", status=Status.CANCELLED)
    received(
        account,
        session_at=later,
        accept_by=NOW + timedelta(hours=1),
        credits="16",
        status=Status.PENDING,
    )

    week = week_of(earnings.weekly_earnings(accounts=[account], now=NOW, zone=LONDON), THIS_MONDAY)

    assert figures(week) == {
        "offered": Decimal(31),
        "accepted": Decimal(1),
        "confirmed": Decimal(2),
        "lost": Decimal(12),
        "awaiting": Decimal(16),
    }
    assert week.offered == week.accepted + week.confirmed + week.lost + week.awaiting


@pytest.mark.parametrize(
    ("accept_by", "session_at"),
    [
        (NOW - timedelta(minutes=1), NOW + timedelta(days=1)),  # the time to accept ran out
        (NOW + timedelta(hours=1), NOW - timedelta(hours=1)),  # the session began unanswered
        (NOW, NOW + timedelta(days=1)),  # "in the future" is > now: at the deadline, too late
    ],
)
def test_a_pending_request_whose_time_to_answer_ran_out_is_lost(account, accept_by, session_at):
    received(account, session_at=session_at, accept_by=accept_by, status=Status.PENDING)
    week = week_of(earnings.weekly_earnings(accounts=[account], now=NOW, zone=LONDON), THIS_MONDAY)
    assert (week.lost, week.awaiting) == (Decimal(10), Decimal(0))


def test_the_same_request_awaits_an_answer_until_its_deadline(account):
    received(
        account,
        session_at=NOW + timedelta(days=1),
        accept_by=NOW + timedelta(hours=1),
        status=Status.PENDING,
    )
    before = week_of(
        earnings.weekly_earnings(accounts=[account], now=NOW, zone=LONDON), THIS_MONDAY
    )
    after = week_of(
        earnings.weekly_earnings(accounts=[account], now=NOW + timedelta(hours=2), zone=LONDON),
        THIS_MONDAY,
    )
    assert (before.awaiting, before.lost) == (Decimal(10), Decimal(0))
    assert (after.awaiting, after.lost) == (Decimal(0), Decimal(10))


def test_a_request_is_lost_or_awaited_exactly_as_the_inbox_has_it_expired_or_open(account):
    """Earnings count by the inbox's own rule (rules.is_expired): a request with no accept-by
    awaits an answer until its session, as it stays in the inbox's open requests."""
    cases = [
        (NOW + timedelta(hours=1), NOW + timedelta(hours=2)),
        (NOW - timedelta(hours=1), NOW + timedelta(hours=2)),
        (None, NOW + timedelta(hours=2)),
        (None, NOW - timedelta(minutes=1)),
        (NOW + timedelta(hours=1), NOW - timedelta(hours=2)),
    ]
    for credits, (accept_by, session_at) in enumerate(cases, start=1):
        received(
            account,
            session_at=session_at,
            accept_by=accept_by,
            status=Status.PENDING,
            credits=str(10**credits),
        )
    week = week_of(earnings.weekly_earnings(accounts=[account], now=NOW, zone=LONDON), THIS_MONDAY)
    requests = Booking.objects.filter(account=account)
    assert week.lost == sum(b.credits for b in requests if rules.is_expired(b, NOW))
    assert week.awaiting == sum(b.credits for b in requests if not rules.is_expired(b, NOW))
    assert week.awaiting == Decimal(10 + 1000)


def test_weeks_begin_at_monday_midnight_in_the_viewers_zone(account):
    # Sunday 23:30 and Monday 00:30 in Tokyo: one hour apart, in two Tokyo weeks, but both on
    # Sunday in UTC.
    sunday_night = datetime(2025, 3, 9, 23, 30, tzinfo=TOKYO)
    monday_early = datetime(2025, 3, 10, 0, 30, tzinfo=TOKYO)
    received(account, session_at=sunday_night, credits="1")
    received(account, session_at=monday_early, credits="2")

    in_tokyo = earnings.weekly_earnings(accounts=[account], now=NOW, zone=TOKYO)
    in_utc = earnings.weekly_earnings(accounts=[account], now=NOW, zone=UTC)

    assert {w.start: w.offered for w in in_tokyo if w.offered} == {
        THIS_MONDAY - timedelta(weeks=1): Decimal(1),
        THIS_MONDAY: Decimal(2),
    }
    assert {w.start: w.offered for w in in_utc if w.offered} == {
        THIS_MONDAY - timedelta(weeks=1): Decimal(3)
    }


def test_a_week_that_begins_the_day_after_the_clock_change_starts_at_local_midnight(account):
    # The clocks went forward on Sunday 30 March 2025: Monday 00:30 in London is Sunday 23:30
    # in UTC, and belongs to the week of 31 March.
    now = datetime(2025, 4, 2, 12, 0, tzinfo=LONDON)
    received(account, session_at=datetime(2025, 3, 31, 0, 30, tzinfo=LONDON), credits="5")
    received(account, session_at=datetime(2025, 3, 30, 23, 30, tzinfo=LONDON), credits="7")

    weeks = earnings.weekly_earnings(accounts=[account], now=now, zone=LONDON)

    assert {w.start: w.offered for w in weeks if w.offered} == {
        date(2025, 3, 24): Decimal(7),
        date(2025, 3, 31): Decimal(5),
    }


def test_only_received_bookings_of_the_given_accounts_count_and_deleted_ones_still_do(account):
    session = NOW + timedelta(days=1)
    received(account, session_at=session, credits="1")
    received(account, session_at=session, credits="2", gone_at=NOW - timedelta(days=1))
    received(account, session_at=session, credits="40", direction=Direction.MADE)
    received(AccountFactory(), session_at=session, credits="100")
    BookingFactory(account=account, session_at=None, credits=Decimal(300))
    received(account, session_at=session, credits="4", service=Service.PHONECHAT)

    week = week_of(earnings.weekly_earnings(accounts=[account], now=NOW, zone=LONDON), THIS_MONDAY)

    assert week.offered == week.confirmed == Decimal(7)


def test_credits_are_summed_exactly_as_decimals(account):
    for amount in ("0.1000", "0.2000", "10.1250"):
        received(account, session_at=NOW + timedelta(days=1), credits=amount)
    week = week_of(earnings.weekly_earnings(accounts=[account], now=NOW, zone=LONDON), THIS_MONDAY)
    assert week.offered == Decimal("10.425")
    assert isinstance(week.offered, Decimal)


def test_totals_add_up_the_weeks():
    weeks = [
        earnings.Week(start=THIS_MONDAY, offered=Decimal(3), confirmed=Decimal(2)),
        earnings.Week(start=THIS_MONDAY, offered=Decimal("1.5"), lost=Decimal("1.5")),
    ]
    assert earnings.totals(weeks) == earnings.Totals(
        offered=Decimal("4.5"),
        accepted=Decimal(0),
        confirmed=Decimal(2),
        lost=Decimal("1.5"),
        awaiting=Decimal(0),
    )


def test_the_weeks_cost_one_query_whatever_the_number_of_bookings_accounts_and_weeks(
    db, django_assert_max_num_queries
):
    accounts = [AccountFactory() for _ in range(3)]
    for n in range(60):
        received(
            accounts[n % 3],
            session_at=NOW - timedelta(days=n),
            status=list(Status)[n % len(Status)],
        )
    with django_assert_max_num_queries(1):
        weeks = earnings.weekly_earnings(accounts=accounts, now=NOW, zone=LONDON)
    with django_assert_max_num_queries(1):
        year = earnings.weekly_earnings(accounts=accounts, now=NOW, zone=LONDON, weeks=52)
    assert sum(w.offered for w in weeks) == Decimal(10 * 60)
    assert len(year) == 52


def accept_entry(account, *, offered: str | None, asked: str, **fields) -> AuditEntry:
    inputs = {"credits": asked} | ({"offered": offered} if offered is not None else {})
    return AuditEntryFactory(
        account=account,
        action="accept",
        inputs=inputs,
        status_before="Pending",
        status_after="Accepted",
        **fields,
    )


def test_a_counter_offer_is_listed_with_the_credits_offered_and_agreed(account):
    entry = accept_entry(
        account, offered="10.0000", asked="12.5", target="Webcam received booking 7 with Bo"
    )

    [offer] = earnings.counter_offers(accounts=[account], since=NOW - timedelta(weeks=12))

    assert offer == earnings.CounterOffer(
        at=entry.at,
        account_id=account.pk,
        account_nickname=account.nickname,
        booking="Webcam received booking 7 with Bo",
        offered=Decimal(10),
        agreed=Decimal("12.5"),
    )


def test_only_accepts_done_for_other_credits_of_the_given_accounts_since_then_are_listed(
    account, django_assert_max_num_queries
):
    since = NOW - timedelta(weeks=12)
    accept_entry(account, offered="10", asked="15", target="Listed", at=NOW)
    accept_entry(account, offered="10", asked="10.0000", target="Same credits", at=NOW)
    accept_entry(account, offered=None, asked="15", target="Offer not recorded", at=NOW)
    accept_entry(account, offered="ten", asked="15", target="Offer unreadable", at=NOW)
    accept_entry(account, offered="10", asked="15", target="Refused", outcome="refused", at=NOW)
    accept_entry(account, offered="10", asked="15", target="Before", at=since - timedelta(1))
    accept_entry(AccountFactory(), offered="10", asked="15", target="Someone else's", at=NOW)
    AuditEntryFactory(account=account, action="reject", inputs={"offered": "1", "credits": "2"})

    with django_assert_max_num_queries(1):
        offers = earnings.counter_offers(accounts=[account], since=since)

    assert [o.booking for o in offers] == ["Listed"]


def test_counter_offers_come_newest_first(account):
    accept_entry(account, offered="10", asked="11", target="Older", at=NOW - timedelta(days=2))
    accept_entry(account, offered="10", asked="12", target="Newer", at=NOW - timedelta(days=1))
    offers = earnings.counter_offers(accounts=[account], since=NOW - timedelta(weeks=12))
    assert [o.booking for o in offers] == ["Newer", "Older"]
