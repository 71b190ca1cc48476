"""The dashboard's rules agree with the sandbox's, which follow the API reference."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from bookings import rules
from bookings.models import Booking, PhoneChatMethod
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
    session_at: datetime | None
    accept_by: datetime | None

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


# --- Expiry -----------------------------------------------------------------------------------


def test_a_request_expires_when_its_accept_by_or_its_session_time_comes():
    assert not rules.is_expired(pending(), NOW)
    assert rules.is_expired(pending(accept_by=NOW), NOW)
    assert rules.is_expired(pending(session_at=NOW), NOW)
    assert not rules.is_expired(pending(accept_by=NOW + timedelta(seconds=1)), NOW)


def test_a_request_with_no_time_set_does_not_expire():
    assert not rules.is_expired(pending(accept_by=None, session_at=None), NOW)
    assert rules.answer_deadline(pending(accept_by=None, session_at=None)) is None
    assert rules.is_expired(pending(accept_by=None, session_at=NOW), NOW)


def test_the_answer_deadline_is_the_sooner_of_accept_by_and_the_session():
    assert rules.answer_deadline(pending()) == NOW + timedelta(hours=2)
    soon = NOW + timedelta(minutes=5)
    assert rules.answer_deadline(pending(session_at=soon)) == soon


def test_only_a_pending_received_booking_is_a_request_and_can_expire():
    assert rules.is_request(pending())
    for other in (
        pending(direction="made", accept_by=NOW),
        pending(status="Accepted", accept_by=NOW),
    ):
        assert not rules.is_request(other)
        assert not rules.is_expired(other, NOW)


def test_the_database_filters_split_requests_exactly_as_is_expired_does(account):
    from tests.factories import BookingFactory

    moments = (None, NOW - timedelta(minutes=1), NOW, NOW + timedelta(minutes=1))
    for accept_by in moments:
        for session_at in moments:
            for direction, status in (("received", "Pending"), ("made", "Pending")):
                BookingFactory(
                    account=account,
                    direction=direction,
                    status=status,
                    accept_by=accept_by,
                    session_at=session_at,
                )
    BookingFactory(account=account, status="Accepted", accept_by=NOW, session_at=NOW)
    every = list(Booking.objects.all())
    expired = {b.pk for b in every if rules.is_expired(b, NOW)}
    still_open = {b.pk for b in every if rules.is_request(b) and not rules.is_expired(b, NOW)}
    assert set(pks(rules.expired_requests(NOW))) == expired
    assert set(pks(rules.open_requests(NOW))) == still_open
    assert expired
    assert still_open


def pks(where) -> list[int]:
    return list(Booking.objects.filter(where).values_list("pk", flat=True))


# --- Contact details ---------------------------------------------------------------------------


@dataclass
class Contact:
    service: str = "phonechat"
    method: int | None = 1
    method_text: str = "You call the client"
    phone_number: str = "447700900123"
    skype_name: str = "night.owl.77"


def test_those_who_may_act_see_the_contact_details_whole():
    assert rules.contact_for(Contact(), can_act=True) == (
        "You call the client · 447700900123 · night.owl.77"
    )


def test_a_viewer_sees_the_contact_details_masked():
    shown = rules.contact_for(Contact(), can_act=False)
    assert shown == "You call the client · ••••••••••23 · ••••••••••77"


def test_a_mask_keeps_the_last_two_characters_and_hides_the_length_of_short_values():
    assert rules.mask("447700900123") == "••••••••••23"
    assert rules.mask("abc") == "••••bc"
    assert rules.mask("") == ""


def test_there_is_no_contact_line_without_a_phonechat_method():
    assert rules.contact_for(Contact(service="webcam"), can_act=True) == ""
    assert rules.contact_for(Contact(method=None), can_act=True) == ""
    no_details = Contact(method=3, method_text="Skype", phone_number="", skype_name="")
    assert rules.contact_for(no_details, can_act=False) == "Skype"


# --- PhoneChat methods -------------------------------------------------------------------------


def test_each_phonechat_method_reads_in_the_words_of_the_list_it_is_on():
    def words(method, direction):
        return Booking(service="phonechat", method=method, direction=direction).method_text

    assert words(PhoneChatMethod.PERFORMER_CALLS, "received") == "You call the client"
    assert words(PhoneChatMethod.PERFORMER_CALLS, "made") == "You are called"
    assert words(PhoneChatMethod.CLIENT_CALLS, "received") == "The client calls you"
    assert words(PhoneChatMethod.CLIENT_CALLS, "made") == "You call"
    assert words(PhoneChatMethod.SKYPE, "received") == "Skype"
    assert words(4, "received") == ""
    assert words(None, "received") == ""
