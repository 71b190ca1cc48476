"""The earnings pages: of every account the user may see, of one account, of one agency.
Each reads the local copy only, in as many queries whatever the number of bookings."""

import math
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_safe

from bookings import earnings
from bookings.templatetags.bookings_tags import credits as credits_text
from dashboard.models import Account, Agency, StaffMember


def _account_for_viewer(request: HttpRequest, pk: int) -> Account:
    """The account, if the user may see it; any other is the same 404, so ids reveal nothing."""
    return get_object_or_404(Account.objects.visible_to(request.user), pk=pk)


def _agencies_of(user) -> QuerySet[Agency]:
    """The agencies the user owns or is staff of: those whose earnings page they may open."""
    staff = StaffMember.objects.filter(agency=OuterRef("pk"), user=user)
    return Agency.objects.filter(Q(owner=user) | Q(Exists(staff))).order_by("name", "pk")


def _agency_for_member(request: HttpRequest, pk: int) -> Agency:
    """The agency, if the user owns it or is one of its staff, else a 404."""
    return get_object_or_404(_agencies_of(request.user), pk=pk)


@login_required
@require_safe
def earnings_all(request: HttpRequest) -> HttpResponse:
    accounts = list(Account.objects.visible_to(request.user))
    return _page(request, accounts=accounts, subject="all accounts", current="all")


@login_required
@require_safe
def earnings_account(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_for_viewer(request, pk)
    return _page(request, accounts=[account], subject=account.nickname, current=f"account-{pk}")


@login_required
@require_safe
def earnings_agency(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _agency_for_member(request, pk)
    # Staff see the agency's accounts they hold a grant on, not the others.
    accounts = list(Account.objects.visible_to(request.user).filter(agency=agency))
    return _page(request, accounts=accounts, subject=agency.name, current=f"agency-{pk}")


def _page(
    request: HttpRequest, *, accounts: list[Account], subject: str, current: str
) -> HttpResponse:
    zone = timezone.get_current_timezone()
    weeks = earnings.weekly_earnings(accounts=accounts, zone=zone)
    since = earnings.local_midnight(weeks[0].start, zone)
    return render(
        request,
        "bookings/earnings.html",
        {
            "subject": subject,
            "current": current,
            "accounts": accounts,
            "choices": _choices(request.user),
            "weeks": weeks,
            "totals": earnings.totals(weeks),
            "chart": bar_chart(weeks),
            "first_day": weeks[0].start,
            "last_day": weeks[-1].start + timedelta(days=6),
            "zone_name": timezone.get_current_timezone_name(),
            "counter_offers": earnings.counter_offers(accounts=accounts, since=since),
        },
    )


@dataclass(frozen=True)
class Choice:
    key: str
    label: str
    url: str


def _choices(user) -> list[Choice]:
    """The pages the chooser links to: all accounts, each account, each agency."""
    choices = [Choice("all", "All accounts", reverse("bookings:earnings"))]
    choices += [
        Choice(f"account-{a.pk}", a.nickname, reverse("bookings:earnings_account", args=[a.pk]))
        for a in Account.objects.visible_to(user).only("pk", "nickname")
    ]
    choices += [
        Choice(f"agency-{a.pk}", a.name, reverse("bookings:earnings_agency", args=[a.pk]))
        for a in _agencies_of(user).only("pk", "name")
    ]
    return choices


# The chart: horizontal bars, one per week, so that the week labels read across on a phone.
# Each bar is as long as the credits offered; within it, from the left, the credits confirmed,
# accepted and lost, and the rest (still awaiting an answer) left as the bar's outline.
# Units are the SVG's viewBox; the page scales it to its width.
WIDTH = 400
LABEL_WIDTH = 64  # the week labels, left of the bars
RIGHT_MARGIN = 8
TOP = 30  # the axis heading above the bars
ROW = 26
BAR = 18
AXIS = 48  # the ticks and the axis label below the bars
PLOT = WIDTH - LABEL_WIDTH - RIGHT_MARGIN
SEGMENTS = ("confirmed", "accepted", "lost")


@dataclass(frozen=True)
class Segment:
    figure: str  # the CSS class names it: bar-confirmed, bar-accepted, bar-lost
    x: float
    width: float


@dataclass(frozen=True)
class Bar:
    label: str
    y: float  # the bar's top
    text_y: float  # the label's baseline, centred on the bar
    width: float  # the credits offered
    segments: list[Segment]
    height: int = BAR


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    anchor: str = "middle"  # the last one ends at its line, so that a long number fits


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    bars: list[Bar]
    ticks: list[Tick]
    week_label_x: int  # where the week labels end
    tick_label_y: int
    axis_label_x: float
    axis_label_y: int


def bar_chart(weeks: list[earnings.Week]) -> Chart:
    """Where everything goes, in viewBox units, so that the template only writes it out."""
    largest = max((w.offered for w in weeks), default=Decimal(0))
    step = _tick_step(largest)
    scale_max = step * max(1, math.ceil(largest / step))
    plot_bottom = TOP + ROW * len(weeks)

    def x_of(amount: Decimal) -> float:
        return round(float(amount) / float(scale_max) * PLOT, 2)

    bars = []
    for index, week in enumerate(weeks):
        top = TOP + index * ROW + (ROW - BAR) / 2
        left: float = LABEL_WIDTH
        segments = []
        for figure in SEGMENTS:
            length = x_of(getattr(week, figure))
            if length > 0:
                segments.append(Segment(figure=figure, x=left, width=length))
                left = round(left + length, 2)
        bars.append(
            Bar(
                label=date_format(week.start, "j M"),
                y=top,
                text_y=top + BAR / 2 + 5,
                width=x_of(week.offered),
                segments=segments,
            )
        )
    last = int(scale_max / step)
    ticks = [
        Tick(
            x=round(LABEL_WIDTH + x_of(step * n), 2),
            label=_tick_label(step * n),
            anchor="end" if n == last else "middle",
        )
        for n in range(last + 1)
    ]
    return Chart(
        width=WIDTH,
        height=plot_bottom + AXIS,
        plot_left=LABEL_WIDTH,
        plot_right=LABEL_WIDTH + PLOT,
        plot_top=TOP,
        plot_bottom=plot_bottom,
        bars=bars,
        ticks=ticks,
        week_label_x=LABEL_WIDTH - 6,
        tick_label_y=plot_bottom + 18,
        axis_label_x=LABEL_WIDTH + PLOT / 2,
        axis_label_y=plot_bottom + AXIS - 6,
    )


def _tick_label(amount: Decimal) -> str:
    """Short, so that five fit a phone's width: 500, 7500, 20k, 1.5M (the table is exact)."""
    for size, suffix in ((Decimal(1_000_000), "M"), (Decimal(1_000), "k")):
        if amount >= 10 * size or (suffix == "M" and amount >= size):
            return f"{credits_text(amount / size)}{suffix}"
    return credits_text(amount)


def _tick_step(largest: Decimal) -> Decimal:
    """A round step (1, 2 or 5 times a power of ten) that gives at most four ticks past 0."""
    if largest <= 0:
        return Decimal(1)
    power = Decimal(10) ** math.floor(math.log10(float(largest) / 4))
    for factor in (1, 2, 5, 10):
        step = power * factor
        if largest / step <= 4:
            return step
    return power * 10
