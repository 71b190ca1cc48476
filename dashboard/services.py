"""Writes of the dashboard's own data, as keyword-only functions the views call."""

import secrets
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

import gateway
from dashboard.adultwork import call_with_token, connect_account, web_deadline
from dashboard.models import (
    Account,
    Agency,
    AuditEntry,
    Grant,
    Preferences,
    StaffMember,
    role_verb,
)
from dashboard.signals import account_connected

Action = AuditEntry.AccessAction


def preferences_save(
    *,
    user,
    alert_in_page: bool,
    alert_browser: bool,
    alert_email: bool,
    discreet: bool,
    alert_push: bool = False,
) -> Preferences:
    """Store the user's alerts and wording, making their row on the first save."""
    # Only these columns are written, so a link issued meanwhile in another tab is kept.
    preferences, _ = Preferences.objects.update_or_create(
        user=user,
        defaults={
            "alert_in_page": alert_in_page,
            "alert_browser": alert_browser,
            "alert_email": alert_email,
            "alert_push": alert_push,
            "discreet": discreet,
        },
    )
    return preferences


def calendar_link_issue(*, user) -> str:
    """A new secret for the user's calendar feed. Any earlier link stops working at once,
    since the feed is found by the one token stored."""
    token = secrets.token_urlsafe(32)
    Preferences.objects.update_or_create(user=user, defaults={"calendar_token": token})
    return token


def calendar_link_revoke(*, user) -> None:
    """Turn the user's calendar feed off: a blank token never matches a feed."""
    Preferences.objects.filter(user=user).update(calendar_token="")  # nosec B106  # blank = no feed


# --- Changes of access: each one write in a transaction, with its audit entry ------------------


class Refused(Exception):
    """A change of access not made, with the reason in words for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def grant_role(*, account: Account, user, role: str, by) -> Grant:
    """Give `user` the role on the account, or change the role they hold already."""
    if user.pk == account.owner_id:
        raise Refused("That is the account's owner, who has every right already.")
    with transaction.atomic():
        was = (
            Grant.objects.select_for_update()
            .filter(user=user, account=account)
            .values_list("role", flat=True)
            .first()
        )
        grant, _ = Grant.objects.update_or_create(
            user=user, account=account, defaults={"role": role, "granted_by": by}
        )
        _audit_grant(grant, action=Action.REGRANT if was else Action.GRANT, was=was, by=by)
    return grant


def grant_change(*, grant: Grant, role: str, by) -> Grant:
    """Change the role of an existing grant."""
    with transaction.atomic():
        was = Grant.objects.select_for_update().values_list("role", flat=True).get(pk=grant.pk)
        grant.role = role
        grant.granted_by = by
        grant.save(update_fields=["role", "granted_by"])
        _audit_grant(grant, action=Action.REGRANT, was=was, by=by)
    return grant


def grant_revoke(*, grant: Grant, by) -> None:
    """End a grant: the staff member no longer sees the account, from their next request."""
    account, username = grant.account, grant.user.get_username()
    with transaction.atomic():
        grant.delete()
        _audit(
            by=by,
            account=account,
            action=Action.REVOKE,
            target=f"access of {username}",
            inputs={"was": grant.role},
            message=f"{username} no longer has access to {account.nickname}.",
        )


def staff_add(*, agency: Agency, user, by) -> StaffMember:
    """Make `user` one of the agency's staff (which alone grants no account)."""
    with transaction.atomic():
        member, created = StaffMember.objects.get_or_create(agency=agency, user=user)
        if created:
            _audit(
                by=by,
                agency=agency,
                action=Action.STAFF_ADD,
                target=f"staff of {agency.name}",
                inputs={"user": user.get_username()},
                message=f"{user.get_username()} joined the staff of {agency.name}.",
            )
    return member


def staff_remove(*, member: StaffMember, by) -> list[Grant]:
    """Remove a staff member from their agency, ending every grant they hold on its accounts
    at once. Returns the grants ended."""
    agency, username = member.agency, member.user.get_username()
    with transaction.atomic():
        ended = list(
            Grant.objects.select_for_update()
            .filter(user_id=member.user_id, account__agency=agency)
            .select_related("account")
            .order_by("account__nickname")
        )
        Grant.objects.filter(pk__in=[grant.pk for grant in ended]).delete()
        member.delete()
        _audit(
            by=by,
            agency=agency,
            action=Action.STAFF_REMOVE,
            target=f"staff of {agency.name}",
            inputs={"user": username, "grants ended": len(ended)},
            message=f"{username} left the staff of {agency.name}.",
        )
        # Each account's own log says its access changed too.
        for grant in ended:
            _audit(
                by=by,
                account=grant.account,
                agency=agency,
                action=Action.STAFF_REMOVE,
                target=f"access of {username}",
                inputs={"was": grant.role},
                message=f"{username} left {agency.name}: their access to "
                f"{grant.account.nickname} ended.",
            )
    return ended


def group_member_add(*, manager: Account, user_id: int, nickname: str, by) -> Account:
    """Add a member of the manager's AdultWork group, read through the manager's connection,
    once AdultWork confirms they are in the group. Raises Refused, audited on the manager's
    account, when they are not or cannot be checked."""
    target = f"group member {user_id}"
    inputs = {"user_id": user_id, "nickname": nickname}

    def refuse(message: str, outcome: str = AuditEntry.Outcome.REFUSED) -> Refused:
        _audit(
            by=by,
            account=manager,
            action=Action.MEMBER_ADD,
            target=target,
            inputs=inputs,
            outcome=outcome,
            message=message,
        )
        return Refused(message)

    existing = Account.objects.filter(remote_user_id=user_id).first()
    if existing is not None and existing.managed_through_id != manager.pk:
        raise refuse(f"{existing.nickname} is connected already.")
    try:
        # The cheapest call that AdultWork answers only for the manager's own members. Made
        # before the transaction, which holds no lock while AdultWork thinks.
        call_with_token(
            manager,
            lambda api: api.list_bookings(
                service="webcam", direction="made", per_page=1, member_id=user_id
            ),
            deadline=web_deadline(),
        )
    except gateway.Forbidden as error:
        raise refuse(f"AdultWork says user {user_id} is not in your group.") from error
    except gateway.AdultWorkError as error:
        raise refuse(
            f"The member could not be checked: {error.message}", AuditEntry.Outcome.FAILED
        ) from error
    with transaction.atomic():
        member, _ = Account.objects.update_or_create(
            remote_user_id=user_id,
            defaults={
                "owner": by,
                "nickname": nickname,
                "group_id": manager.group_id,
                "group_name": manager.group_name,
                "managed_through": manager,
                "agency": manager.agency,
            },
        )
        _audit(
            by=by,
            account=member,
            action=Action.MEMBER_ADD,
            target=target,
            inputs=inputs | {"through": manager.nickname},
            message=f"{member.nickname} is read through {manager.nickname}'s connection.",
        )
        transaction.on_commit(lambda: account_connected.send(sender=Account, account=member))
    return member


@dataclass(frozen=True)
class Connected:
    account: Account
    again: bool  # the account was connected before, by the same user
    # The user of the group manager who had added it, when it now has its own connection.
    taken_from: AbstractBaseUser | None


@sensitive_variables("tokens")
def account_connect(*, identity: gateway.Identity, tokens: gateway.TokenSet, by) -> Connected:
    """Store the account `by` has just connected on AdultWork's own page, with its tokens.
    Raises Refused when another user of the dashboard has connected it."""
    with transaction.atomic():
        existing = (
            # Only the account's row: PostgreSQL cannot lock the nullable side of the outer
            # join to its group manager.
            Account.objects.select_for_update(of=("self",))
            .select_related("managed_through__owner")
            .filter(remote_user_id=identity.user_id)
            .first()
        )
        # A group member's account was only borrowed through its manager's connection:
        # connecting it proves it is the connector's, so it moves to them rather than clashing.
        taken_from_group = existing is not None and not existing.has_own_connection
        if existing is not None and not taken_from_group and existing.owner_id != by.pk:
            raise Refused(
                f"{existing.nickname} is already connected by another user of this dashboard. "
                "Ask them to grant you access instead."
            )
        account = connect_account(owner=by, identity=identity, tokens=tokens)
        taken_from = (
            existing.managed_through.owner
            if existing is not None and existing.managed_through is not None and taken_from_group
            else None
        )
        _audit(
            by=by,
            account=account,
            action=Action.CONNECT,
            target=f"AdultWork user {account.remote_user_id}",
            inputs={"from group of": taken_from.get_username()} if taken_from else {},
            message=f"{account.nickname} is connected"
            f"{' again' if existing is not None else ''} by {by.get_username()}.",
        )
        transaction.on_commit(lambda: account_connected.send(sender=Account, account=account))
    return Connected(account=account, again=existing is not None, taken_from=taken_from)


def account_disconnect(*, account: Account, by) -> None:
    """Delete the account here with its tokens, bookings and grants; nothing changes on
    AdultWork. Its audit entry stays, under its nickname and agency."""
    with transaction.atomic():
        _audit(
            by=by,
            account=account,
            action=Action.DISCONNECT,
            target=f"AdultWork user {account.remote_user_id}",
            message=f"{account.nickname} is disconnected: its tokens and bookings here are "
            "deleted.",
        )
        account.delete()


def _audit_grant(grant: Grant, *, action: str, was: str | None, by) -> AuditEntry:
    username = grant.user.get_username()
    return _audit(
        by=by,
        account=grant.account,
        action=action,
        target=f"access of {username}",
        inputs={"role": grant.role} | ({"was": was} if was else {}),
        message=f"{username} may now {role_verb(grant.role)} {grant.account.nickname}.",
    )


def _audit(
    *,
    by,
    action: str,
    target: str,
    message: str,
    account: Account | None = None,
    agency: Agency | None = None,
    inputs: dict | None = None,
    outcome: str = AuditEntry.Outcome.DONE,
) -> AuditEntry:
    return AuditEntry.objects.create(
        user=by,
        username=by.get_username(),
        account=account,
        account_nickname=account.nickname if account is not None else "",
        agency_id=agency.pk if agency is not None else getattr(account, "agency_id", None),
        action=str(action),
        target=target,
        inputs=inputs or {},
        outcome=outcome,
        message=message,
    )
