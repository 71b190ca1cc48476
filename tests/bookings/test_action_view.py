"""Actions through the view, against the sandbox over real HTTP."""

import html
import json
import re
import threading
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookings import rules
from bookings.models import Booking
from bookings.rules import Action, allowed_actions
from bookings.sync import sync_account
from dashboard.models import AuditEntry, Grant
from tests.conftest import connect
from tests.factories import GrantFactory, UserFactory

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/bookings/"}


@pytest.fixture
def operator(db, performer):
    user = UserFactory(username="operator")
    GrantFactory(user=user, account=performer, role=Grant.Role.OPERATOR)
    return user


@pytest.fixture
def viewer(db, performer):
    user = UserFactory(username="viewer")
    GrantFactory(user=user, account=performer, role=Grant.Role.VIEWER)
    return user


def bookable(account, action: str, service: str, direction: str, **filters) -> Booking:
    """A booking of the demo data on which the rules allow `action`."""
    now = timezone.now()
    for booking in Booking.objects.filter(
        account=account, service=service, direction=direction, **filters
    ).order_by("pk"):
        if action in allowed_actions(booking, now):
            return booking
    raise LookupError(f"the demo data has no {service} {direction} booking to {action}")


def act(client, booking, action, data=None, *, htmx=True):
    return client.post(
        reverse("bookings:action", args=[booking.pk, action]),
        data or {},
        headers=HTMX if htmx else {},
    )


def posts(sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if r["method"] == "POST" and r["path"].startswith("/v1/")]


def details_reads(sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if r["path"].endswith("BookingDetails")]


def toast(response) -> dict:
    return json.loads(response.headers["HX-Trigger"])["toast"]


def sheet_error(response) -> str:
    """The error an action's form came back with, into the sheet it was sent from."""
    assert response.headers["HX-Retarget"] == "#sheet"
    assert "HX-Trigger" not in response.headers  # said in the sheet, not again in a toast
    [error] = re.findall(r'<p class="form-error" role="alert"[^>]*>([^<]*)</p>', response.text)
    return html.unescape(error)


# --- each action, done ------------------------------------------------------------------


def test_accept_with_credits_swaps_the_row_toasts_and_audits(client, owner, performer, sandbox):
    booking = bookable(performer, "accept", "webcam", "received")
    offered = booking.credits
    client.force_login(owner)
    response = act(client, booking, "accept", {"credits": "12.5"})
    assert response.status_code == 200
    assert f'id="booking-{booking.pk}"' in response.text
    assert "Accepted" in response.text
    assert toast(response) == {
        "level": "success",
        "message": f"Webcam booking with {booking.party_nickname} accepted.",
    }
    booking.refresh_from_db()
    assert booking.status == "Accepted"
    assert booking.credits == Decimal("12.5")
    [call] = posts(sandbox)
    assert call["path"] == "/v1/Webcam/AcceptReceivedBooking"
    assert Decimal(str(call["body"]["Credits"])) == Decimal("12.5")
    entry = AuditEntry.objects.get()
    assert (entry.username, entry.account, entry.action) == ("owner", performer, "accept")
    assert (entry.status_before, entry.status_after, entry.outcome) == (
        "Pending",
        "Accepted",
        "done",
    )
    assert entry.inputs == {"credits": "12.5", "offered": format(offered.normalize(), "f")}


def test_without_javascript_an_action_redirects_back_with_a_message(client, owner, performer):
    booking = bookable(performer, "reject", "webcam", "received")
    client.force_login(owner)
    response = act(
        client, booking, "reject", {"reason": "Fully booked", "next": "/bookings/"}, htmx=False
    )
    assert response.status_code == 302
    assert response.url == "/bookings/"
    page = client.get(response.url)
    assert "rejected" in page.text
    booking.refresh_from_db()
    assert booking.status == "Rejected"
    assert booking.rejected_reason == "Fully booked"


def test_an_unsafe_next_address_is_ignored(client, owner, performer):
    booking = bookable(performer, "reject", "webcam", "received")
    client.force_login(owner)
    response = act(
        client, booking, "reject", {"reason": "No", "next": "https://evil.example/"}, htmx=False
    )
    assert response.url == reverse("bookings:list", args=["webcam", "received"])


@pytest.mark.parametrize(
    ("action", "service", "direction", "data", "status_after"),
    [
        ("reject", "webcam", "received", {"reason": "Away that day"}, "Rejected"),
        ("cancel", "webcam", "received", {"reason": "Ill, sorry"}, "Cancelled"),
        ("confirm", "webcam", "made", {}, "Confirmed"),
        ("cancel", "webcam", "made", {"reason": "Plans changed"}, "Cancelled"),
        ("accept", "phonechat", "received", {"credits": "8"}, "Accepted"),
        ("reinvite", "phonechat", "received", {}, "Rejected"),
        ("reinvite", "phonechat", "received", {"reason": "Missed it, book again?"}, "Rejected"),
        ("cancel", "phonechat", "made", {"reason": "Something came up"}, "Cancelled"),
    ],
)
def test_each_action_updates_the_local_copy_from_the_answer(
    client, owner, performer, sandbox, action, service, direction, data, status_after
):
    booking = bookable(performer, action, service, direction)
    client.force_login(owner)
    response = act(client, booking, action, data)
    said = {"reinvite": "re-invited", "cancel": "cancelled"}.get(action, f"{action}ed")
    service_name = {"webcam": "Webcam", "phonechat": "PhoneChat"}[service]
    assert toast(response) == {
        "level": "success",
        "message": f"{service_name} booking with {booking.party_nickname} {said}.",
    }
    booking.refresh_from_db()
    assert booking.status == status_after
    assert len(posts(sandbox)) == 1


@pytest.mark.parametrize("service", ["webcam", "phonechat"])
def test_reschedule_adds_the_new_booking_it_creates(client, owner, performer, sandbox, service):
    booking = bookable(performer, "reschedule", service, "made")
    before = Booking.objects.count()
    client.force_login(owner)
    response = act(client, booking, "reschedule")
    assert Booking.objects.count() == before + 1
    created = Booking.objects.order_by("-pk").first()
    at = timezone.localtime(created.session_at).strftime("%H:%M")
    assert toast(response) == {
        "level": "success",
        "message": f"A new booking was made for {at}: "
        f"make sure {booking.party_nickname} is online.",
    }
    assert created.status == "Pending"
    assert 'hx-swap-oob="afterbegin:#booking-list"' in response.text
    assert f'id="booking-{created.pk}"' in response.text


def test_delete_removes_a_finished_booking(client, owner, performer, sandbox):
    booking = bookable(performer, "delete", "webcam", "received")
    client.force_login(owner)
    response = act(client, booking, "delete")
    assert toast(response) == {"level": "success", "message": "Booking deleted."}
    assert not Booking.objects.filter(pk=booking.pk).exists()
    assert f'<tr id="booking-{booking.pk}" hx-swap-oob="delete">' in response.text
    [call] = posts(sandbox)
    assert call["body"] == {"BookingIDs": str(booking.remote_id)}


def test_deleting_several_reports_each_and_makes_one_call_per_list(
    client, owner, performer, sandbox
):
    now = timezone.now()
    finished = [
        b
        for b in Booking.objects.filter(account=performer, service="webcam", direction="received")
        if "delete" in allowed_actions(b, now)
    ][:2]
    still_open = bookable(performer, "accept", "webcam", "received")
    client.force_login(owner)
    response = client.post(
        reverse("bookings:delete"),
        {"booking": [b.pk for b in [*finished, still_open]]},
        headers=HTMX,
    )
    assert toast(response)["level"] == "error"
    assert toast(response)["message"].startswith("2 of 3 bookings deleted.")
    for booking in finished:
        assert f'<tr id="booking-{booking.pk}" hx-swap-oob="delete">' in response.text
    assert Booking.objects.filter(pk=still_open.pk).exists()
    assert len(posts(sandbox)) == 1
    assert AuditEntry.objects.filter(action="delete").count() == 3


def test_deleting_someone_elses_booking_among_yours_refuses_the_lot(
    client, owner, outsider, performer, sandbox
):
    from tests.factories import BookingFactory

    theirs = BookingFactory(account__owner=outsider, status="Cancelled")
    mine = bookable(performer, "delete", "webcam", "received")
    client.force_login(owner)
    response = client.post(reverse("bookings:delete"), {"booking": [mine.pk, theirs.pk]})
    assert response.status_code == 404
    assert posts(sandbox) == []


# --- bad input: refused by the form, no remote call -------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter the credits"),
        ({"credits": "-1"}, "cannot be negative"),
        ({"credits": "ten"}, "as a number"),
        ({"credits": "1.23456"}, "at most 4 decimal places"),
        ({"credits": "99999999"}, "more credits than any booking"),
    ],
)
def test_bad_credits_are_refused_before_any_remote_call(
    client, owner, performer, sandbox, data, message
):
    booking = bookable(performer, "accept", "webcam", "received")
    client.force_login(owner)
    response = act(client, booking, "accept", data)
    assert response.status_code == 200
    assert message in sheet_error(response)
    # What was typed comes back, for the performer to mend.
    typed = data.get("credits", "")
    assert f'name="credits" value="{typed}"' in response.text or not typed
    assert posts(sandbox) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [({}, "Give a reason"), ({"reason": "   "}, "Give a reason"), ({"reason": "x" * 501}, "500")],
)
def test_reject_requires_a_reason_of_at_most_500_characters(
    client, owner, performer, sandbox, data, message
):
    booking = bookable(performer, "reject", "webcam", "received")
    client.force_login(owner)
    response = act(client, booking, "reject", data)
    assert message in sheet_error(response)
    assert posts(sandbox) == []


def test_a_reason_sent_back_with_an_error_keeps_its_text_and_the_ticked_box(
    client, owner, performer, sandbox
):
    booking = bookable(performer, "reject", "webcam", "received")
    client.force_login(owner)
    response = act(client, booking, "reject", {"reason": "x" * 501, "save_template": "on"})
    assert "500 characters" in sheet_error(response)
    form = response.text
    # The error stands by its field, which names it, and what was sent is still there.
    assert '<p class="form-error" role="alert" id="sheet-reason_error">' in form
    assert 'aria-describedby="sheet-reason_error"' in form
    assert 'aria-invalid="true"' in form
    assert f">\n{'x' * 501}</textarea>" in form
    assert re.search(r'<input type="checkbox" name="save_template"[^>]* checked', form)
    assert posts(sandbox) == []


def test_a_saved_reason_is_sent_in_one_tap_and_can_be_saved(client, owner, performer, sandbox):
    first = bookable(performer, "reject", "webcam", "received")
    client.force_login(owner)
    act(client, first, "reject", {"reason": "Fully booked this week", "save_template": "on"})
    second = bookable(performer, "reject", "webcam", "received")
    sheet = client.get(reverse("bookings:action", args=[second.pk, "reject"]), headers=HTMX)
    assert 'name="template_reason" value="Fully booked this week"' in sheet.text
    act(client, second, "reject", {"template_reason": "Fully booked this week", "reason": ""})
    second.refresh_from_db()
    assert second.rejected_reason == "Fully booked this week"


def test_an_action_that_does_not_apply_to_the_booking_makes_no_remote_call(
    client, owner, performer, sandbox
):
    made = Booking.objects.filter(account=performer, direction="made").first()
    client.force_login(owner)
    response = act(client, made, "accept", {"credits": "10"})
    assert toast(response)["level"] == "error"
    assert "not something AdultWork offers" in toast(response)["message"]
    assert posts(sandbox) == []


# --- the remote refuses or fails: a clear answer, never a 500 ----------------------------


def test_a_remote_refusal_shows_its_message_and_rereads_the_row(client, owner, performer, sandbox):
    booking = bookable(performer, "accept", "webcam", "received")
    sandbox.add_fault(
        path="/v1/Webcam/AcceptReceivedBooking",
        kind="status",
        status=400,
        message="You cannot accept bookings while your profile is hidden.",
    )
    client.force_login(owner)
    response = act(client, booking, "accept", {"credits": "10"})
    assert response.status_code == 200
    assert toast(response) == {
        "level": "error",
        "message": "AdultWork refused: You cannot accept bookings while your profile is hidden.",
    }
    assert len(details_reads(sandbox)) == 1
    assert AuditEntry.objects.get().outcome == "refused"


def test_a_booking_changed_behind_our_back_says_what_it_is_now(client, owner, performer, sandbox):
    booking = bookable(performer, "accept", "webcam", "received")
    sandbox.patch_booking(service="webcam", booking_id=booking.remote_id, Status="Cancelled")
    client.force_login(owner)
    response = act(client, booking, "accept", {"credits": "10"})
    assert "changed on AdultWork: it is now cancelled" in toast(response)["message"]
    booking.refresh_from_db()
    assert booking.status == "Cancelled"
    assert "Cancelled" in response.text


def test_a_timeout_leaves_the_outcome_unknown_rereads_and_never_repeats(
    client, owner, performer, sandbox, settings
):
    settings.ADULTWORK_TIMEOUT = 0.5
    booking = bookable(performer, "accept", "webcam", "received")
    sandbox.add_fault(path="/v1/Webcam/AcceptReceivedBooking", kind="timeout", delay=3)
    client.force_login(owner)
    response = act(client, booking, "accept", {"credits": "10"})
    assert toast(response)["level"] == "warning"
    assert "nothing seems to have changed" in toast(response)["message"]
    assert len(posts(sandbox)) == 1
    assert len(details_reads(sandbox)) == 1
    assert AuditEntry.objects.get().outcome == "unknown"


def test_a_401_refreshes_the_token_once_and_goes_through(client, owner, performer, sandbox):
    booking = bookable(performer, "reject", "webcam", "received")
    sandbox.add_fault(path="/v1/Webcam/RejectReceivedBooking", kind="status", status=401)
    client.force_login(owner)
    response = act(client, booking, "reject", {"reason": "No thanks"})
    assert toast(response)["level"] == "success"
    assert len(posts(sandbox)) == 2
    assert [r for r in sandbox.requests() if r["path"] == "/OAuth/token"]


def test_a_second_401_asks_to_reconnect_the_account(client, owner, performer, sandbox):
    booking = bookable(performer, "reject", "webcam", "received")
    sandbox.add_fault(
        path="/v1/Webcam/RejectReceivedBooking", kind="status", status=401, times=None
    )
    client.force_login(owner)
    response = act(client, booking, "reject", {"reason": "No thanks"})
    assert "reconnect this account" in toast(response)["message"]
    performer.refresh_from_db()
    assert performer.reconnect_needed


def test_a_rate_limit_says_when_to_try_again(client, owner, performer, sandbox):
    booking = bookable(performer, "reject", "webcam", "received")
    sandbox.add_fault(path="/v1/Webcam/RejectReceivedBooking", kind="ratelimit", retry_after=30)
    client.force_login(owner)
    response = act(client, booking, "reject", {"reason": "No thanks"})
    assert "try again in 30 seconds" in toast(response)["message"]


@pytest.mark.parametrize("status", [500, 502, 503])
def test_the_remote_being_down_is_explained_and_the_row_reread(
    client, owner, performer, sandbox, status
):
    booking = bookable(performer, "reject", "webcam", "received")
    sandbox.add_fault(path="/v1/Webcam/RejectReceivedBooking", kind="status", status=status)
    client.force_login(owner)
    response = act(client, booking, "reject", {"reason": "No thanks"})
    assert response.status_code == 200
    # Sent, unanswered and re-read: unchanged, so the performer is told it seems not done.
    assert toast(response) == {
        "level": "warning",
        "message": "AdultWork did not confirm the reject, and the booking still reads pending: "
        "nothing seems to have changed. Try again if you still want to.",
    }
    assert len(posts(sandbox)) == 1
    assert len(details_reads(sandbox)) == 1


@pytest.mark.parametrize("kind", ["xml", "html", "drop"])
def test_an_unreadable_or_dropped_answer_is_never_a_500(client, owner, performer, sandbox, kind):
    booking = bookable(performer, "reject", "webcam", "received")
    sandbox.add_fault(path="/v1/Webcam/RejectReceivedBooking", kind=kind)
    client.force_login(owner)
    response = act(client, booking, "reject", {"reason": "No thanks"})
    assert response.status_code == 200
    assert toast(response)["level"] in {"warning", "error"}


def test_a_booking_gone_from_adultwork_leaves_the_list(client, owner, performer, sandbox):
    booking = bookable(performer, "reject", "webcam", "received")
    sandbox.add_fault(path="/v1/Webcam/RejectReceivedBooking", kind="status", status=404)
    sandbox.add_fault(path="/v1/Webcam/ReceivedBookingDetails", kind="status", status=404)
    client.force_login(owner)
    response = act(client, booking, "reject", {"reason": "No thanks"})
    assert "no longer on AdultWork" in toast(response)["message"]
    assert not Booking.objects.filter(pk=booking.pk).exists()


# --- who may act, and how ----------------------------------------------------------------


def test_owner_and_granted_operator_may_act_while_viewer_outsider_and_anonymous_may_not(
    client, owner, operator, viewer, outsider, performer, sandbox
):
    booking = bookable(performer, "reject", "webcam", "received")
    for user in (viewer, outsider):
        client.force_login(user)
        assert act(client, booking, "reject", {"reason": "x"}).status_code == 404
    client.logout()
    response = act(client, booking, "reject", {"reason": "x"}, htmx=False)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert posts(sandbox) == []
    client.force_login(operator)
    assert toast(act(client, booking, "reject", {"reason": "x"}))["level"] == "success"
    entry = AuditEntry.objects.get()
    assert (entry.username, entry.account_nickname) == ("operator", "ScarlettRose")


def test_buttons_appear_only_for_those_who_may_act(client, owner, operator, viewer, performer):
    url = reverse("bookings:list", args=["webcam", "received"])
    booking = bookable(performer, "reject", "webcam", "received")
    reject = reverse("bookings:action", args=[booking.pk, "reject"])
    for user in (owner, operator):
        client.force_login(user)
        assert f'href="{reject}"' in client.get(url).text
    client.force_login(viewer)
    page = client.get(url).text
    assert f'id="booking-{booking.pk}"' in page
    assert f'href="{reject}"' not in page


def test_the_row_and_the_sheet_word_an_action_as_the_rules_label_it(
    client, owner, performer, monkeypatch
):
    monkeypatch.setitem(rules.ACTION_LABELS, Action.REJECT, "Decline")
    monkeypatch.setitem(rules.SUBMIT_LABELS, Action.REJECT, "Send the refusal")
    monkeypatch.setitem(rules.ACTION_LABELS, Action.DELETE, "Remove")
    monkeypatch.setitem(rules.SUBMIT_LABELS, Action.DELETE, "Remove them")
    booking = bookable(performer, "reject", "webcam", "received")
    client.force_login(owner)
    page = client.get(reverse("bookings:list", args=["webcam", "received"])).text
    assert ">Decline</a>" in page
    assert ">Remove selected</button>" in page  # the bulk delete
    assert ">Remove them</button>" in page
    sheet = client.get(reverse("bookings:action", args=[booking.pk, "reject"]), headers=HTMX)
    assert f"Decline the booking with {booking.party_nickname}</h2>" in sheet.text
    assert ">Send the refusal</button>" in sheet.text
    assert "Reject" not in sheet.text


def test_an_action_url_shows_its_form_to_those_who_may_act_and_sends_nothing(
    client, owner, operator, viewer, outsider, performer, sandbox
):
    booking = bookable(performer, "reject", "webcam", "received")
    url = reverse("bookings:action", args=[booking.pk, "reject"])
    for user in (owner, operator):
        client.force_login(user)
        sheet = client.get(url, headers=HTMX)
        assert f'hx-post="{url}"' in sheet.text
        assert "<html" not in sheet.text  # the sheet's content only
        page = client.get(url)  # a page of its own, for a browser without JavaScript
        assert f'<form method="post" action="{url}"' in page.text
        assert "<html" in page.text
    for user in (viewer, outsider):
        client.force_login(user)
        assert client.get(url).status_code == 404
    assert posts(sandbox) == []


def test_a_post_without_the_csrf_token_is_forbidden_and_sends_nothing(owner, performer, sandbox):
    booking = bookable(performer, "reject", "webcam", "received")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    response = act(strict, booking, "reject", {"reason": "x"})
    assert response.status_code == 403
    assert posts(sandbox) == []


def test_an_unknown_action_is_not_found(client, owner, performer):
    booking = Booking.objects.filter(account=performer).first()
    client.force_login(owner)
    assert client.post(f"/bookings/{booking.pk}/drop/").status_code == 404


# --- double submission -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_accepts_make_exactly_one_remote_call(sandbox, sandbox_users):
    owner = UserFactory(username="racer")
    account = connect(sandbox, user=owner, sandbox_user=sandbox_users["ScarlettRose"])
    sync_account(account=account)
    booking = bookable(account, "accept", "webcam", "received")
    sandbox.clear_requests()
    # Hold the first call at AdultWork long enough for the second to arrive meanwhile.
    sandbox.add_fault(path="/v1/Webcam/AcceptReceivedBooking", kind="latency", delay=0.5)
    start = threading.Barrier(2)
    answers = []

    def tap():
        client = Client()
        client.force_login(owner)
        start.wait()
        answers.append(toast(act(client, booking, "accept", {"credits": "10"})))

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(posts(sandbox)) == 1
    assert sorted(a["level"] for a in answers) == ["error", "success"]


def test_without_javascript_a_form_with_an_error_comes_back_as_a_page_with_what_was_typed(
    client, owner, performer, sandbox
):
    booking = bookable(performer, "accept", "webcam", "received")
    client.force_login(owner)
    response = act(client, booking, "accept", {"credits": "1.23456"}, htmx=False)
    assert response.status_code == 200
    assert "<html" in response.text
    assert "Credits have at most 4 decimal places." in response.text
    assert 'value="1.23456"' in response.text
    assert posts(sandbox) == []


def test_a_form_the_rules_refuse_already_says_why_and_offers_nothing_to_send(
    client, owner, performer, sandbox
):
    made = Booking.objects.filter(account=performer, direction="made").first()
    client.force_login(owner)
    sheet = client.get(reverse("bookings:action", args=[made.pk, "accept"]), headers=HTMX)
    assert "not something AdultWork offers" in sheet.text
    assert 'type="submit"' not in sheet.text
