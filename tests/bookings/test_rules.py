"""The dashboard's rules agree with the sandbox's, which follow the API reference."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from bookings import rules
from bookings.rules import Action
from sandbox import rules as remote_rules
from sandbox.models import Direction as RemoteDirection
from sandbox.models import Service as RemoteService
from sandbox.models import Status as RemoteStatus

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
STATUSES = ["Pending", "Accepted", "Rejected", "Confirmed", "Cancelled"]


@dataclass
class Facts:
    service: str
    direction: str
    status: str
    session_at: datetime
    accept_by: datetime

    # The sandbox's names for the same facts.
    @property
    def session_date(self) -> datetime:
        return self.session_at

    credits = Decimal("10")


# Offsets around now, with exact equality well represented: the edges are where rules differ.
offsets = st.one_of(
    st.sampled_from([0, -1, 1, -60, 60]),
    st.integers(min_value=-3 * 86400, max_value=3 * 86400),
).map(lambda seconds: NOW + timedelta(seconds=seconds))

bookings = st.builds(
    Facts,
    service=st.sampled_from(["webcam", "phonechat"]),
    direction=st.sampled_from(["received", "made"]),
    status=st.sampled_from(STATUSES),
    session_at=offsets,
    accept_by=offsets,
)


def sandbox_allows(action: Action, booking: Facts) -> bool:
    rule = remote_rules.ACTION_RULES[
        (RemoteService(booking.service), RemoteDirection(booking.direction), str(action))
    ]
    remote_booking = Facts(**{**booking.__dict__, "status": RemoteStatus(booking.status)})
    # Balances are the one thing the dashboard cannot see: treat the client as able to pay.
    return rule(remote_booking, NOW, balance=None) is None


@given(booking=bookings)
def test_the_dashboard_allows_an_action_exactly_when_the_sandbox_accepts_it(booking):
    for action in rules.RULES[(booking.service, booking.direction)]:
        ours = rules.refusal(action, booking, NOW) is None
        assert ours == sandbox_allows(action, booking), (action, booking)


def test_every_documented_action_has_a_rule_on_its_list():
    offered = {
        (service, direction, str(action))
        for (service, direction), actions in rules.RULES.items()
        for action in actions
    }
    assert offered == {
        ("webcam", "received", "accept"),
        ("webcam", "received", "reject"),
        ("webcam", "received", "cancel"),
        ("webcam", "received", "delete"),
        ("webcam", "made", "confirm"),
        ("webcam", "made", "cancel"),
        ("webcam", "made", "reschedule"),
        ("webcam", "made", "delete"),
        ("phonechat", "received", "accept"),
        ("phonechat", "received", "reinvite"),
        ("phonechat", "received", "delete"),
        ("phonechat", "made", "cancel"),
        ("phonechat", "made", "reschedule"),
        ("phonechat", "made", "delete"),
    }


def pending(**changes) -> Facts:
    values = {
        "service": "webcam",
        "direction": "received",
        "status": "Pending",
        "session_at": NOW + timedelta(hours=5),
        "accept_by": NOW + timedelta(hours=2),
    }
    return Facts(**{**values, **changes})


def test_accept_needs_the_deadline_and_the_session_still_ahead():
    assert rules.refusal(Action.ACCEPT, pending(), NOW) is None
    assert "run out" in rules.refusal(Action.ACCEPT, pending(accept_by=NOW), NOW)
    assert "passed" in rules.refusal(Action.ACCEPT, pending(session_at=NOW), NOW)


def test_reinvite_is_only_for_an_expired_phonechat_request():
    expired = pending(service="phonechat", session_at=NOW)
    assert rules.refusal(Action.REINVITE, expired, NOW) is None
    assert "still to come" in rules.refusal(Action.REINVITE, pending(service="phonechat"), NOW)


def test_an_action_the_list_does_not_offer_is_refused_in_words():
    assert "not something AdultWork offers" in rules.refusal(Action.CONFIRM, pending(), NOW)


def test_allowed_actions_list_the_buttons_in_order():
    assert rules.allowed_actions(pending(), NOW) == [Action.ACCEPT, Action.REJECT]
    finished = pending(status="Cancelled")
    assert rules.allowed_actions(finished, NOW) == [Action.DELETE]
