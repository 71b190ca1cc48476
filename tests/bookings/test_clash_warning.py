"""The accept dialog's clash warning (templates/bookings/clash.html#warning): it names each
session the request would overlap, in the viewer's time zone, as an alert."""

import re
from datetime import UTC, datetime

from django.template.loader import render_to_string
from django.utils import timezone

from bookings.models import Service, Status
from bookings.selectors import session_clashes
from tests.factories import BookingFactory

SUMMER = datetime(2026, 7, 1, 13, 0, tzinfo=UTC)  # 14:00 in London, 15:00 in Paris


def warning(clashes, **context) -> str:
    return render_to_string("bookings/clash.html#warning", {"clashes": clashes, **context})


def words(html: str) -> str:
    """The text a reader gets, tags and runs of white space gone."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_warning_names_member_service_time_and_account_in_the_viewers_zone(
    account, django_assert_num_queries
):
    BookingFactory(
        account=account,
        status=Status.CONFIRMED,
        service=Service.PHONECHAT,
        session_at=SUMMER,
        duration_minutes=45,
        party_nickname="NightOwl",
    )
    asked = BookingFactory(account=account, session_at=SUMMER, duration_minutes=30)
    clashes = session_clashes(asked)
    with django_assert_num_queries(0), timezone.override("Europe/Paris"):
        html = warning(clashes, clash_id="dlg-1-accept-clash")
    assert re.search(r'<div [^>]*role="alert" id="dlg-1-accept-clash"', html)
    text = words(html)
    assert "This session overlaps a session already booked:" in text
    assert "PhoneChat with NightOwl on ScarlettLocal, Wed 1 Jul, 15:00" in text
    assert "15:45 Europe/Paris (confirmed)" in text
    assert re.findall(r'<time datetime="([^"]+)"', html) == [
        "2026-07-01T15:00:00+02:00",
        "2026-07-01T15:45:00+02:00",
    ]


def test_several_clashes_are_each_named_and_counted(account):
    for name in ("First", "Second"):
        BookingFactory(
            account=account, status=Status.ACCEPTED, session_at=SUMMER, party_nickname=name
        )
    html = warning(session_clashes(BookingFactory(account=account, session_at=SUMMER)))
    items = [words(item) for item in re.findall(r"<li>(.*?)</li>", html, re.DOTALL)]
    assert "This session overlaps 2 sessions already booked:" in words(html)
    assert [item.split(" on ")[0] for item in items] == ["Webcam with First", "Webcam with Second"]
    assert items[0].endswith("(accepted)")


def test_no_clash_renders_nothing():
    assert warning([]).strip() == ""
    assert render_to_string("bookings/clash.html#warning", {}).strip() == ""
