"""The earnings pages: of all the accounts a user sees, of one account, of one agency. Who may
open each, the numbers of the table, and a chart that screen readers and the CSP accept."""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings import earnings
from bookings.earnings_views import bar_chart
from bookings.models import Status
from dashboard.models import Agency, Grant, StaffMember
from tests.factories import (
    AccountFactory,
    AuditEntryFactory,
    BookingFactory,
    GrantFactory,
    UserFactory,
)

# The zone of a viewer whose browser has not said its own.
VIEWER = ZoneInfo(settings.DEFAULT_VIEWER_TIME_ZONE)


def account_url(account) -> str:
    return reverse("bookings:earnings_account", args=[account.pk])


def agency_url(agency) -> str:
    return reverse("bookings:earnings_agency", args=[agency.pk])


def this_monday() -> date:
    return earnings.week_starts(now=timezone.now(), zone=VIEWER)[-1]


def session(weeks_ago: int, *, hour: int = 12) -> datetime:
    """Tuesday of a week of the window, in the viewer's zone."""
    day = this_monday() - timedelta(weeks=weeks_ago) + timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=VIEWER)


def booked(account, *, weeks_ago: int, credits: str, status=Status.CONFIRMED, **fields):
    return BookingFactory(
        account=account,
        session_at=session(weeks_ago),
        accept_by=session(weeks_ago) - timedelta(hours=1),
        credits=Decimal(credits),
        status=status,
        **fields,
    )


class Table(HTMLParser):
    """The cells of the table with the given id, row by row, as text."""

    def __init__(self, html: str, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.rows = table_id, False, []
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table(response) -> list[list[str]]:
    return Table(response.text, "earnings-table").rows


def totals(response) -> list[str]:
    return table(response)[-1]


@pytest.fixture
def agency(db, owner, account):
    """An agency that runs `account`, with its owner; staff join in the tests."""
    boss = UserFactory(username="boss")
    agency = Agency.objects.create(name="Velvet Rooms", owner=boss)
    account.agency = agency
    account.save()
    return agency


def test_owner_and_granted_staff_open_an_accounts_page_and_an_outsider_gets_a_404(
    client, owner, staff, outsider, account
):
    booked(account, weeks_ago=1, credits="25")
    for user, status in ((owner, 200), (staff, 200), (outsider, 404)):
        client.force_login(user)
        response = client.get(account_url(account))
        assert response.status_code == status, user.username
        if status == 200:
            assert totals(response)[:2] == ["Total", "25"], user.username


def test_a_viewer_sees_an_accounts_earnings_too(client, account):
    viewer = UserFactory(username="viewer")
    GrantFactory(user=viewer, account=account, role=Grant.Role.VIEWER)
    booked(account, weeks_ago=1, credits="25")
    client.force_login(viewer)
    response = client.get(account_url(account))
    assert response.status_code == 200
    assert totals(response) == ["Total", "25", "0", "25", "0"]


def test_the_page_of_all_accounts_adds_up_the_accounts_the_user_sees_and_no_others(
    client, owner, staff, outsider, account
):
    second = AccountFactory(owner=owner, nickname="Second")
    booked(account, weeks_ago=0, credits="10")
    booked(second, weeks_ago=0, credits="5")
    booked(AccountFactory(owner=outsider), weeks_ago=0, credits="1000")
    url = reverse("bookings:earnings")
    for user, total in ((owner, "15"), (staff, "10"), (outsider, "1000")):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert totals(response)[1] == total, user.username


def test_the_table_has_a_row_per_week_with_each_figure_and_a_totals_row(client, owner, account):
    booked(account, weeks_ago=2, credits="10", status=Status.CONFIRMED)
    booked(account, weeks_ago=2, credits="7.5", status=Status.ACCEPTED)
    booked(account, weeks_ago=2, credits="3", status=Status.REJECTED)
    booked(account, weeks_ago=0, credits="4", status=Status.CANCELLED)
    client.force_login(owner)
    response = client.get(account_url(account))

    rows = table(response)
    assert rows[0] == ["Week of", "Offered", "Accepted", "Confirmed", "Lost"]
    weeks = rows[1:-1]
    assert len(weeks) == 12
    monday = this_monday()
    assert weeks[-3] == [f"{(monday - timedelta(weeks=2)):%-d %b}", "20.5", "7.5", "10", "3"]
    assert weeks[-1] == [f"{monday:%-d %b}", "4", "0", "0", "4"]
    assert [w[1] for w in weeks[:-3]] == ["0"] * 9
    assert rows[-1] == ["Total", "24.5", "7.5", "10", "7"]
    assert '<th scope="col">Offered</th>' in response.text
    assert re.search(r'<th scope="row"><time datetime="\d{4}-\d\d-\d\d">', response.text)
    assert re.search(r"<caption[^>]*>Credits per week</caption>", response.text)


def test_weeks_follow_the_viewers_time_zone(client, owner, account):
    """Monday 00:30 in Tokyo is still Sunday in London: a Tokyo viewer sees it in the later
    week."""
    monday = this_monday() - timedelta(weeks=2)
    monday_early = datetime.combine(monday, time(0, 30), tzinfo=ZoneInfo("Asia/Tokyo"))
    BookingFactory(account=account, session_at=monday_early, status=Status.CONFIRMED)
    client.force_login(owner)

    def offered_by_week() -> dict[str, str]:
        return {row[0]: row[1] for row in table(client.get(account_url(account)))[1:-1]}

    in_london = offered_by_week()
    client.cookies["tz"] = "Asia/Tokyo"
    in_tokyo = offered_by_week()

    earlier, later = f"{monday - timedelta(weeks=1):%-d %b}", f"{monday:%-d %b}"
    assert (in_london[earlier], in_london[later]) == ("10", "0")
    assert (in_tokyo[earlier], in_tokyo[later]) == ("0", "10")


def test_the_agency_page_is_for_its_owner_and_staff_and_shows_what_each_may_see(
    client, owner, outsider, account, agency
):
    other = AccountFactory(nickname="RunByTheAgencyToo", agency=agency)
    AccountFactory(owner=agency.owner, nickname="NotTheAgencys")
    booked(account, weeks_ago=1, credits="10")
    booked(other, weeks_ago=1, credits="20")
    granted, ungranted = UserFactory(username="granted"), UserFactory(username="ungranted")
    for user in (granted, ungranted):
        StaffMember.objects.create(agency=agency, user=user)
    GrantFactory(user=granted, account=other, role=Grant.Role.VIEWER)

    seen = {}
    for user in (agency.owner, granted, ungranted, owner, outsider):
        client.force_login(user)
        response = client.get(agency_url(agency))
        seen[user.username] = totals(response)[1] if response.status_code == 200 else 404

    assert seen == {
        "boss": "30",
        "granted": "20",  # staff see the agency's accounts they are granted, only
        "ungranted": "0",
        "owner": 404,  # a performer whose account the agency runs is not its staff
        "outsider": 404,
    }


def test_an_agency_of_someone_else_is_a_404_like_one_that_does_not_exist(client, outsider):
    theirs = Agency.objects.create(name="Theirs", owner=UserFactory(username="them"))
    client.force_login(outsider)
    assert client.get(agency_url(theirs)).status_code == 404
    assert client.get(reverse("bookings:earnings_agency", args=[theirs.pk + 99])).status_code == 404


def test_the_chooser_links_every_account_and_agency_and_marks_the_current_page(
    client, owner, account, agency
):
    second = AccountFactory(owner=owner, nickname="Second")
    StaffMember.objects.create(agency=agency, user=owner)
    client.force_login(owner)

    response = client.get(account_url(second))

    chooser = re.search(r'<nav class="earnings-chooser".*?</nav>', response.text, re.S).group()
    links = re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', chooser)
    assert links == [
        (reverse("bookings:earnings"), "", "All accounts"),
        (account_url(account), "", "ScarlettLocal"),
        (account_url(second), ' aria-current="page"', "Second"),
        (agency_url(agency), "", "Velvet Rooms"),
    ]


def test_the_chart_is_an_image_named_by_its_title_and_described(client, owner, account):
    booked(account, weeks_ago=1, credits="10")
    client.force_login(owner)
    text = client.get(account_url(account)).text

    svg = re.search(r"<svg viewBox=\"0 0 \d+ \d+\"[^>]*>.*?</svg>", text, re.S).group()
    opening = svg[: svg.index(">") + 1]
    assert 'role="img"' in opening
    labelled = re.search(r'aria-labelledby="([^"]+)"', opening).group(1)
    described = re.search(r'aria-describedby="([^"]+)"', opening).group(1)
    # The title first, as SVG wants it, then the description.
    inner = svg[len(opening) :].lstrip()
    assert inner.startswith(f'<title id="{labelled}">Credits per week, ScarlettLocal</title>')
    assert f'<desc id="{described}">' in svg
    assert "Credits per week" in re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1)
    # A bar per week with credits, labelled axes.
    assert svg.count('class="bar-offered"') == 1
    assert svg.count('class="bar-confirmed"') == 1
    assert ">Week of</text>" in svg
    assert ">Credits</text>" in svg


def test_the_page_has_no_style_attribute_nor_inline_script_as_the_csp_forbids(
    client, owner, account
):
    for status in Status:
        booked(account, weeks_ago=1, credits="10", status=status)
    client.force_login(owner)
    text = client.get(account_url(account)).text
    assert not re.search(r"\sstyle=", text)
    assert not re.search(r"<style", text)
    assert 'href="/static/css/earnings.css"' in text


def test_the_title_is_earnings(client, owner, account):
    client.force_login(owner)
    text = client.get(account_url(account)).text
    assert "<title>Earnings · AW Bookings</title>" in text


def test_counter_offers_are_listed_with_the_credits_offered_and_agreed(client, owner, account):
    AuditEntryFactory(
        account=account,
        action="accept",
        inputs={"credits": "12.5", "offered": "10.0000"},
        target="Webcam received booking 7 with Bo",
    )
    client.force_login(owner)
    text = client.get(account_url(account)).text
    row = re.search(r"<tr>\s*<td><time[^>]*>[^<]*</time></td>(.*?)</tr>", text, re.S).group(1)
    cells = [" ".join(c.split()) for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
    assert cells == ["Webcam received booking 7 with Bo", "10", "12.5"]


def test_without_counter_offers_the_page_says_so(client, owner, account):
    client.force_login(owner)
    text = client.get(account_url(account)).text
    assert "No request was accepted for other credits than offered" in text


def test_the_number_of_queries_does_not_grow_with_the_bookings(client, owner, account):
    client.force_login(owner)
    url = reverse("bookings:earnings")
    booked(account, weeks_ago=0, credits="1")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for n in range(40):
        booked(account, weeks_ago=n % 12, credits="1", status=list(Status)[n % len(Status)])
        AuditEntryFactory(account=account, action="accept", inputs={"credits": "2", "offered": "1"})
    assert count() == few


def test_anonymous_visitors_are_sent_to_sign_in(client, account):
    for url in (reverse("bookings:earnings"), account_url(account)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/sign-in/" in response["Location"]


def test_bars_are_as_long_as_the_credits_offered_split_by_figure():
    monday = this_monday()
    weeks = [
        earnings.Week(
            start=monday,
            offered=Decimal(100),
            confirmed=Decimal(50),
            accepted=Decimal(25),
            lost=Decimal(10),
            awaiting=Decimal(15),
        ),
        earnings.Week(start=monday, offered=Decimal(40), lost=Decimal(40)),
        earnings.Week(start=monday),
    ]
    chart = bar_chart(weeks)
    plot = chart.plot_right - chart.plot_left
    full, lost_only, empty = chart.bars

    assert [t.label for t in chart.ticks] == ["0", "50", "100"]
    assert full.width == pytest.approx(plot)
    assert [(s.figure, s.width) for s in full.segments] == [
        ("confirmed", pytest.approx(plot / 2)),
        ("accepted", pytest.approx(plot / 4)),
        ("lost", pytest.approx(plot / 10)),
    ]
    # Side by side from the axis; the rest of the bar (awaiting an answer) left empty.
    assert full.segments[0].x == chart.plot_left
    assert full.segments[1].x == pytest.approx(chart.plot_left + plot / 2)
    assert full.segments[2].x == pytest.approx(chart.plot_left + plot * 3 / 4)
    assert [(s.figure, s.width) for s in lost_only.segments] == [
        ("lost", pytest.approx(plot * 0.4))
    ]
    assert (empty.width, empty.segments) == (0, [])
    assert [b.y for b in chart.bars] == sorted(b.y for b in chart.bars)
    assert chart.plot_bottom <= chart.height


@pytest.mark.parametrize(
    ("largest", "ticks"),
    [
        ("0", ["0", "1"]),
        ("3", ["0", "1", "2", "3"]),
        ("7.5", ["0", "2", "4", "6", "8"]),
        ("1250", ["0", "500", "1000", "1500"]),
        ("7600", ["0", "2000", "4000", "6000", "8000"]),
        ("38000", ["0", "10k", "20k", "30k", "40k"]),
        ("0.3", ["0", "0.1", "0.2", "0.3"]),
    ],
)
def test_the_credits_axis_has_round_ticks_up_to_the_longest_bar(largest, ticks):
    chart = bar_chart([earnings.Week(start=this_monday(), offered=Decimal(largest))])
    assert [t.label for t in chart.ticks] == ticks
    assert chart.ticks[-1].x == chart.plot_right


def test_the_last_ticks_label_ends_at_its_line_so_that_a_long_number_stays_inside():
    chart = bar_chart([earnings.Week(start=this_monday(), offered=Decimal(1_999_999))])
    assert [t.label for t in chart.ticks] == ["0", "500k", "1M", "1.5M", "2M"]
    assert [t.anchor for t in chart.ticks] == ["middle"] * 4 + ["end"]
