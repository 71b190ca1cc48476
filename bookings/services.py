"""Write operations on bookings: each action goes to AdultWork through the gateway, and the
local copy is updated from AdultWork's answer. Keyword-only, as the style guide asks."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import cast

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

import gateway
from bookings.earnings import OFFERED_KEY
from bookings.models import Booking, Direction, ReasonTemplate, Service
from bookings.rules import PAST_TENSE, Action, refusal
from bookings.sync import UPSERT_FIELDS, booking_fields, upsert_bookings
from dashboard.adultwork import RECONNECT, call_with_token, web_deadline
from dashboard.models import Account, AuditEntry

# A claim older than this belongs to a request that died; the booking is free again.
ACTION_CLAIM_SECONDS = 120

Outcome = AuditEntry.Outcome
BUSY = "This booking is already being updated: wait a moment and look again."


@dataclass
class ActionResult:
    """What happened, in words for the user, and the rows to show now."""

    outcome: Outcome
    message: str
    booking: Booking | None  # the booking as it stands now; None once it is gone
    created: Booking | None = None  # the new booking a reschedule makes
    removed: list[int] = field(default_factory=list)  # local ids no longer on AdultWork

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.DONE

    @property
    def level(self) -> str:
        return {Outcome.DONE: "success", Outcome.UNKNOWN: "warning"}.get(self.outcome, "error")


def booking_act(
    *,
    booking: Booking,
    user,
    action: Action,
    credits: Decimal | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> ActionResult:
    """Do one action on one booking, never twice at once, and record it in the audit log."""
    if action is Action.DELETE:
        return bookings_delete(bookings=[booking], user=user, now=now)[0]
    inputs = {k: str(v) for k, v in (("credits", credits), ("reason", reason)) if v is not None}
    deadline = web_deadline()
    status_before = booking.status
    sent, result = None, None
    # Two transactions, each its own commit, where there were five: the claim with the audit
    # entry of what is about to be sent (both must be there before AdultWork is called), and
    # afterwards AdultWork's answer stored with the claim given back and the entry completed.
    with transaction.atomic():
        claimed, reason_not = _claim_and_check(booking, action, now or timezone.now())
        status_before = booking.status
        if reason_not:
            result = ActionResult(Outcome.REFUSED, reason_not, booking)
        else:
            if action is Action.ACCEPT:
                # Beside the credits asked, what the client offered: the row keeps only the
                # credits agreed, and earnings tells a counter-offer by the two.
                inputs[OFFERED_KEY] = format(booking.credits.normalize(), "f")
            sent = _audit_sent(
                user=user,
                booking=booking,
                action=action,
                inputs=inputs,
                status_before=status_before,
            )
    answer = None
    try:
        if result is None:
            try:
                answer = call_with_token(
                    booking.account,
                    lambda api: _send(api, booking, action, credits, reason),
                    deadline=deadline,
                )
            except gateway.AdultWorkError as error:
                result = _failure(booking, action, error, deadline)
        with transaction.atomic():
            if result is None:
                result = _apply(booking, action, answer)
            if claimed:
                _release([booking.pk])
            _audit(
                user=user,
                booking=booking,
                action=action,
                inputs=inputs,
                status_before=status_before,
                result=result,
                sent=sent,
            )
    except BaseException:
        # The entry stays "sent": what AdultWork did is not known here.
        if claimed:
            _release([booking.pk])
        raise
    return result


def bookings_delete(
    *, bookings: list[Booking], user, now: datetime | None = None
) -> list[ActionResult]:
    """Delete finished bookings with one call per account and list; each booking gets its own
    answer and its own audit entry, in the order given."""
    now = now or timezone.now()
    deadline = web_deadline()
    pks = [b.pk for b in bookings]  # delete() clears a model's pk; keep the originals
    results: dict[int, ActionResult] = {}
    before: dict[int, str] = {}
    claimed: list[int] = []
    groups: dict[tuple[int, str, str], list[Booking]] = {}
    sent: dict[int, AuditEntry] = {}
    try:
        for booking in bookings:
            held, reason_not = _claim_and_check(booking, Action.DELETE, now)
            if held:
                claimed.append(booking.pk)
            before[booking.pk] = booking.status
            if reason_not:
                results[booking.pk] = ActionResult(Outcome.REFUSED, reason_not, booking)
            else:
                key = (booking.account_id, booking.service, booking.direction)
                groups.setdefault(key, []).append(booking)
        sent = {
            member.pk: _audit_sent(
                user=user,
                booking=member,
                action=Action.DELETE,
                inputs={},
                status_before=before[member.pk],
            )
            for members in groups.values()
            for member in members
        }
        for (_, service, direction), members in groups.items():
            results.update(
                _delete_group(members, service=service, direction=direction, deadline=deadline)
            )
    finally:
        _release(claimed)
    ordered = []
    for pk, booking in zip(pks, bookings, strict=True):
        result = results[pk]
        _audit(
            user=user,
            booking=booking,
            action=Action.DELETE,
            inputs={},
            status_before=before[pk],
            result=result,
            sent=sent.get(pk),
        )
        ordered.append(result)
    return ordered


def _delete_group(
    members: list[Booking], *, service: str, direction: str, deadline: gateway.Deadline
) -> dict:
    pks = [m.pk for m in members]
    ids = [m.remote_id for m in members]
    try:
        answers = call_with_token(
            members[0].account,
            # The choices of Booking.service and .direction are AdultWork's own words.
            lambda api: api.delete(
                service=cast(gateway.Service, service),
                direction=cast(gateway.Direction, direction),
                booking_ids=ids,
            ),
            deadline=deadline,
        )
    except gateway.AdultWorkError as error:
        return {
            pk: _failure(m, Action.DELETE, error, deadline)
            for pk, m in zip(pks, members, strict=True)
        }
    return {pk: _apply(m, Action.DELETE, answers) for pk, m in zip(pks, members, strict=True)}


def reason_template_save(*, account: Account, text: str) -> None:
    ReasonTemplate.objects.get_or_create(account=account, text=text.strip())


def _no_own_connection(account: Account) -> str | None:
    if account.has_own_connection:
        return None
    return (
        f"AdultWork lets a group manager read {account.nickname}'s made bookings, not act on "
        f"them: {account.nickname} must connect the account to act."
    )


# A row's own columns: re-reading them keeps the account already loaded with the booking.
_OWN_COLUMNS = [f.attname for f in Booking._meta.concrete_fields if not f.is_relation]


def _reread_row(booking: Booking) -> None:
    """The row as it stands now that it is claimed: another tap may have changed it."""
    booking.refresh_from_db(fields=_OWN_COLUMNS)


def _claim_and_check(booking: Booking, action: Action, now: datetime) -> tuple[bool, str | None]:
    """Claim the booking against a second tap, make sure of its row now that it is held, and
    ask the rules of that row: whether this request holds the claim (it must give it back),
    and why the action may not be sent (None when it may)."""
    if not _claim(booking, as_read=True):
        # Held by another request, or stored over since it was read: claim it whatever its
        # row says, and read that row again.
        if not _claim(booking):
            return False, BUSY
        _reread_row(booking)
    return True, _no_own_connection(booking.account) or refusal(action, booking, now)


def _claim(booking: Booking, *, as_read: bool = False) -> bool:
    """Atomically mark the booking as in flight; False when another request holds it.

    `as_read`: only if its row is still the one this object was read from. Every write of a
    row's data (a sync's page or details, an action's answer, a deletion) moves `known_as_of`,
    so a row with the same `known_as_of` holds the same data, and need not be read again.
    """
    now = timezone.now()
    free = Q(action_claimed_at__isnull=True) | Q(
        action_claimed_at__lt=now - timedelta(seconds=ACTION_CLAIM_SECONDS)
    )
    if as_read:
        free &= (
            Q(known_as_of__isnull=True)
            if booking.known_as_of is None
            else Q(known_as_of=booking.known_as_of)
        )
    return Booking.objects.filter(free, pk=booking.pk).update(action_claimed_at=now) == 1


def _release(pks: list[int]) -> None:
    Booking.objects.filter(pk__in=pks).update(action_claimed_at=None)


def _failure(
    booking: Booking, action: Action, error: gateway.AdultWorkError, deadline: gateway.Deadline
) -> ActionResult:
    """The answer for each way a call can fail, the row re-read (within what is left of the
    deadline) where that tells us more."""
    match error:
        case gateway.NotSent():
            return ActionResult(Outcome.FAILED, error.message, booking)
        case gateway.RateLimited(retry_after=int(seconds)) if seconds > 0:
            message = f"AdultWork is receiving too many requests: try again in {seconds} seconds."
            return ActionResult(Outcome.FAILED, message, booking)
        case gateway.RateLimited():
            message = "AdultWork is receiving too many requests: try again in a moment."
            return ActionResult(Outcome.FAILED, message, booking)
        case gateway.ReconnectNeeded():
            return ActionResult(Outcome.FAILED, RECONNECT, booking)
        case gateway.NotFound():
            return _gone(booking)
        case gateway.Refused():
            return _refused_remotely(booking, error, deadline)
    return _unknown_outcome(booking, action, error, deadline)


def _send(api, booking: Booking, action: Action, credits, reason):
    remote_id = booking.remote_id
    match action:
        case Action.ACCEPT:
            return api.accept(service=booking.service, booking_id=remote_id, credits=credits)
        case Action.REJECT:
            return api.reject(booking_id=remote_id, reason=reason)
        case Action.CANCEL:
            return api.cancel(
                service=booking.service,
                direction=booking.direction,
                booking_id=remote_id,
                reason=reason,
            )
        case Action.CONFIRM:
            return api.confirm(booking_id=remote_id)
        case Action.RESCHEDULE:
            return api.reschedule(service=booking.service, booking_id=remote_id)
        case Action.REINVITE:
            return api.reinvite(booking_id=remote_id, reason=reason or None)
    # Deletes go several at a time through bookings_delete, never through here.
    raise ValueError(f"{action} is not sent one booking at a time")


def _apply(booking: Booking, action: Action, answer) -> ActionResult:
    """Update the local copy from AdultWork's answer."""
    if action is Action.DELETE:
        result = next((r for r in answer if r.booking_id == booking.remote_id), None)
        if result is None or not result.deleted:
            message = (result.message if result else None) or "AdultWork did not delete it."
            return ActionResult(Outcome.REFUSED, message, booking)
        pk = booking.pk
        booking.mark_gone(at=timezone.now())
        return ActionResult(Outcome.DONE, "Booking deleted.", None, removed=[pk])
    if action is Action.RESCHEDULE:
        with transaction.atomic():
            upsert_bookings(account=booking.account, records=[answer], known_as_of=timezone.now())
        created = Booking.objects.get(
            account=booking.account, service=answer.service, remote_id=answer.remote_id
        )
        when = (
            timezone.localtime(created.session_at).strftime("%H:%M") if created.session_at else ""
        )
        return ActionResult(
            Outcome.DONE,
            f"A new booking was made for {when}: make sure {booking.party_nickname} is online.",
            booking,
            created=created,
        )
    _store(booking, answer)
    return ActionResult(
        Outcome.DONE,
        f"{booking.get_service_display()} booking with {booking.party_nickname} "
        f"{PAST_TENSE[action]}.",
        booking,
    )


def _store(booking: Booking, record: gateway.Booking) -> None:
    """The row as AdultWork's answer has it, known as of now: a sync that read its page
    before this moment will not store over it."""
    for name, value in booking_fields(record).items():
        setattr(booking, name, value)
    now = timezone.now()
    booking.last_seen_at = booking.known_as_of = booking.changed_at = now
    # Not the claim: it is released on its own, after the audit entry is written.
    booking.save(update_fields=UPSERT_FIELDS)


def _reread(booking: Booking, deadline: gateway.Deadline) -> bool:
    """Refresh the row from the details endpoint; False when AdultWork could not say (in
    time: one GET, not tried again, within what is left of the deadline)."""
    try:
        record = call_with_token(
            booking.account,
            lambda api: api.booking_details(
                service=cast(gateway.Service, booking.service),
                direction=cast(gateway.Direction, booking.direction),
                booking_id=booking.remote_id,
            ),
            deadline=deadline,
        )
    except gateway.NotFound:
        raise
    except gateway.AdultWorkError:
        return False
    _store(booking, record)
    return True


def _gone(booking: Booking) -> ActionResult:
    pk = booking.pk
    booking.mark_gone(at=timezone.now())
    return ActionResult(
        Outcome.REFUSED,
        "This booking is no longer on AdultWork, so it has been taken off your list.",
        None,
        removed=[pk],
    )


def _refused_remotely(
    booking: Booking, error: gateway.Refused, deadline: gateway.Deadline
) -> ActionResult:
    before = booking.status
    try:
        reread = _reread(booking, deadline)
    except gateway.NotFound:
        return _gone(booking)
    if reread and booking.status != before:
        return ActionResult(
            Outcome.REFUSED,
            f"This booking changed on AdultWork: it is now {booking.status.lower()}. "
            f"{error.message}",
            booking,
        )
    return ActionResult(Outcome.REFUSED, f"AdultWork refused: {error.message}", booking)


def _unknown_outcome(
    booking: Booking, action: Action, error: gateway.AdultWorkError, deadline: gateway.Deadline
) -> ActionResult:
    """A timeout or a fault after the request may have reached AdultWork: look, never retry."""
    before = booking.status
    try:
        reread = _reread(booking, deadline)
    except gateway.NotFound:
        return _gone(booking)
    if not reread:
        return ActionResult(
            Outcome.UNKNOWN,
            f"{error.message} The booking could not be read again either; it is shown as it was.",
            booking,
        )
    if booking.status != before:
        return ActionResult(
            Outcome.UNKNOWN,
            f"AdultWork was slow to answer, but the booking now reads {booking.status.lower()}: "
            "check it is what you wanted.",
            booking,
        )
    return ActionResult(
        Outcome.UNKNOWN,
        f"AdultWork did not confirm the {action.label.lower()}, and the booking still reads "
        f"{booking.status.lower()}: nothing seems to have changed. Try again if you still want to.",
        booking,
    )


# What the audit log says of an action sent to AdultWork until its answer is recorded: if the
# request dies on the way (a killed worker), this is what stays.
SENT = (
    "Sent to AdultWork; the request ended before the answer was recorded: check the booking "
    "on AdultWork."
)


def _audit_sent(
    *, user, booking: Booking, action: Action, inputs: dict, status_before: str
) -> AuditEntry:
    """The entry of an action about to be sent, written first and completed by _audit."""
    entry = _audit_entry(
        user=user, booking=booking, action=action, inputs=inputs, status_before=status_before
    )
    entry.outcome = Outcome.UNKNOWN
    entry.message = SENT
    entry.save()
    return entry


def _audit(
    *,
    user,
    booking: Booking,
    action: Action,
    inputs: dict,
    status_before: str,
    result: ActionResult,
    sent: AuditEntry | None = None,
) -> None:
    entry = sent or _audit_entry(
        user=user, booking=booking, action=action, inputs=inputs, status_before=status_before
    )
    entry.status_after = result.booking.status if result.booking else ""
    entry.outcome = result.outcome
    entry.message = result.message
    # An entry written as "sent" is completed: only what the answer told us changes.
    entry.save(update_fields=["status_after", "outcome", "message"] if sent else None)


def _audit_entry(
    *, user, booking: Booking, action: Action, inputs: dict, status_before: str
) -> AuditEntry:
    account = booking.account
    return AuditEntry(
        user=user,
        username=user.get_username(),
        account=account,
        account_nickname=account.nickname,
        action=str(action),
        target=(
            f"{Service(booking.service).label} {Direction(booking.direction).label.lower()} "
            f"booking {booking.remote_id} with {booking.party_nickname or 'unknown'}"
        ),
        inputs=inputs,
        status_before=status_before,
    )
