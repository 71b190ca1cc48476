"""Walk every URL pattern of the project as each kind of person, and check the answer.

A new URL pattern makes this fail until it says who may use it: that is the point.
"""

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from bookings.models import Booking
from dashboard.models import Account, Agency, Grant, StaffMember
from tests.conftest import connect
from tests.factories import AccountFactory, BookingFactory, GrantFactory, UserFactory

ACTORS = (
    "owner",
    "agency_owner",
    "operator",
    "viewer",
    "agency_staff",
    "other_performer",
    "anonymous",
)
SIGNED_IN = ACTORS[:-1]
PUBLIC = {actor: "ok" for actor in ACTORS}


def only(*allowed: str, others: str = "404") -> dict[str, str]:
    """Allowed actors get an answer, other signed-in ones `others`, anonymous the sign-in."""
    return {a: ("ok" if a in allowed else others) for a in SIGNED_IN} | {"anonymous": "login"}


EVERYONE_SIGNED_IN = only(*SIGNED_IN)
ACTING = ("owner", "agency_owner", "operator")


@dataclass
class World:
    users: dict
    account: Account
    manager_account: Account
    agency: Agency
    booking: Booking
    finished: Booking
    viewer_grant: Grant


@dataclass
class Case:
    method: str
    url: object  # World -> str
    expected: dict
    data: object = field(default=lambda w: {})


CASES: dict[str, Case] = {
    "home": Case("GET", lambda w: reverse("home"), PUBLIC),
    "login": Case("GET", lambda w: reverse("login"), PUBLIC),
    "logout": Case("POST", lambda w: reverse("logout"), {a: "login" for a in ACTORS}),
    "password_reset": Case("GET", lambda w: reverse("password_reset"), PUBLIC),
    "password_reset_done": Case("GET", lambda w: reverse("password_reset_done"), PUBLIC),
    "password_reset_confirm": Case(
        "GET", lambda w: reverse("password_reset_confirm", args=["MQ", "set-password"]), PUBLIC
    ),
    "password_reset_complete": Case("GET", lambda w: reverse("password_reset_complete"), PUBLIC),
    # No sign-in, the same answer for everyone: here 503, as no worker ever beat in this database.
    "healthz": Case("GET", lambda w: reverse("healthz"), {a: "503" for a in ACTORS}),
    "accounts:list": Case("GET", lambda w: reverse("accounts:list"), EVERYONE_SIGNED_IN),
    "accounts:connect": Case("GET", lambda w: reverse("accounts:connect"), EVERYONE_SIGNED_IN),
    # A forged state is sent on to the accounts page with a message, never a token call
    # (tests/dashboard/test_connect_view.py).
    "accounts:callback": Case(
        "GET",
        lambda w: reverse("accounts:callback") + "?code=x&state=forged",
        EVERYONE_SIGNED_IN,
    ),
    "accounts:disconnect": Case(
        "POST", lambda w: reverse("accounts:disconnect", args=[w.account.pk]), only("owner")
    ),
    "accounts:access": Case(
        "GET",
        lambda w: reverse("accounts:access", args=[w.account.pk]),
        only("owner", "agency_owner"),
    ),
    "accounts:grant_change": Case(
        "POST",
        lambda w: reverse("accounts:grant_change", args=[w.account.pk, w.viewer_grant.pk]),
        only("owner", "agency_owner"),
        data=lambda w: {"role": "operator"},
    ),
    "accounts:grant_revoke": Case(
        "POST",
        lambda w: reverse("accounts:grant_revoke", args=[w.account.pk, w.viewer_grant.pk]),
        only("owner", "agency_owner"),
    ),
    "accounts:member_add": Case(
        "POST",
        lambda w: reverse("accounts:member_add", args=[w.manager_account.pk]),
        only("owner"),
        data=lambda w: {"user_id": "1002", "nickname": "JadeMoon"},
    ),
    "accounts:agency": Case(
        "GET", lambda w: reverse("accounts:agency", args=[w.agency.pk]), only("agency_owner")
    ),
    "accounts:staff_remove": Case(
        "POST",
        lambda w: reverse("accounts:staff_remove", args=[w.agency.pk, w.users["agency_staff"].pk]),
        only("agency_owner"),
    ),
    "bookings:inbox": Case("GET", lambda w: reverse("bookings:inbox"), EVERYONE_SIGNED_IN),
    "bookings:list": Case(
        "GET", lambda w: reverse("bookings:list", args=["webcam", "received"]), EVERYONE_SIGNED_IN
    ),
    "bookings:audit": Case("GET", lambda w: reverse("bookings:audit"), EVERYONE_SIGNED_IN),
    # Each sees the sessions of the accounts they may see (tests/bookings/test_calendar_view.py).
    "bookings:calendar": Case("GET", lambda w: reverse("bookings:calendar"), EVERYONE_SIGNED_IN),
    # No sign-in: the token is the key, and a wrong one is the same 404 for everyone.
    "bookings:calendar_feed": Case(
        "GET",
        lambda w: reverse("bookings:calendar_feed", args=["not-a-token"]),
        {a: "404" for a in ACTORS},
    ),
    "preferences:edit": Case("GET", lambda w: reverse("preferences:edit"), EVERYONE_SIGNED_IN),
    "preferences:calendar_issue": Case(
        "POST", lambda w: reverse("preferences:calendar_issue"), EVERYONE_SIGNED_IN
    ),
    "preferences:calendar_revoke": Case(
        "POST", lambda w: reverse("preferences:calendar_revoke"), EVERYONE_SIGNED_IN
    ),
    "bookings:sync": Case(
        "POST",
        lambda w: reverse("bookings:sync"),
        only("owner", "agency_owner", "operator", "viewer"),
        data=lambda w: {"account": [w.account.pk]},
    ),
    "bookings:audit_export": Case(
        "GET",
        lambda w: reverse("bookings:audit_export") + f"?account={w.account.pk}",
        only("owner", "agency_owner", "operator", "viewer"),
    ),
    # Its details: anyone who sees the account (a viewer's copy hides the client's contact).
    "bookings:detail": Case(
        "GET",
        lambda w: reverse("bookings:detail", args=[w.booking.pk]),
        only("owner", "agency_owner", "operator", "viewer"),
    ),
    # Also a GET: its form, for the same people (test_an_actions_form_is_for_those_who_act).
    "bookings:action": Case(
        "POST",
        lambda w: reverse("bookings:action", args=[w.booking.pk, "reject"]),
        only(*ACTING),
        data=lambda w: {"reason": "Not available"},
    ),
    "bookings:delete": Case(
        "POST",
        lambda w: reverse("bookings:delete"),
        only(*ACTING),
        data=lambda w: {"booking": [w.finished.pk]},
    ),
    # Each sees the earnings of the accounts they may see (tests/bookings/test_earnings_view.py).
    "bookings:earnings": Case("GET", lambda w: reverse("bookings:earnings"), EVERYONE_SIGNED_IN),
    "bookings:earnings_account": Case(
        "GET",
        lambda w: reverse("bookings:earnings_account", args=[w.account.pk]),
        only("owner", "agency_owner", "operator", "viewer"),
    ),
    # The agency's owner and staff; the performer whose account it runs is neither.
    "bookings:earnings_agency": Case(
        "GET",
        lambda w: reverse("bookings:earnings_agency", args=[w.agency.pk]),
        only("agency_owner", "operator", "viewer", "agency_staff"),
    ),
    # The installable app: the same for everyone (the manifest is neutral for the discreet).
    "manifest": Case("GET", lambda w: reverse("manifest"), PUBLIC),
    "service_worker": Case("GET", lambda w: reverse("service_worker"), PUBLIC),
    "offline": Case("GET", lambda w: reverse("offline"), PUBLIC),
    # A browser's push subscription is its signed-in person's own (test_push_views.py).
    "bookings:push_subscribe": Case(
        "POST",
        lambda w: reverse("bookings:push_subscribe"),
        EVERYONE_SIGNED_IN,
        data=lambda w: {
            "endpoint": "https://fcm.googleapis.com/fcm/send/authorization-walk",
            "p256dh": "BATsqfpa_bsIihNPM4vJ_cN7UConP1ayhiHU1Cq_Pns0ni0DbZVvQ385to3jXx7Bzd6Z5"
            "foyLlx6T3IMKJf-fJw",
            "auth": "c2l4dGVlbiBieXRlIGtleQ",
        },
    ),
    "bookings:push_unsubscribe": Case(
        "POST",
        lambda w: reverse("bookings:push_unsubscribe"),
        EVERYONE_SIGNED_IN,
        data=lambda w: {"endpoint": "https://fcm.googleapis.com/fcm/send/authorization-walk"},
    ),
}


def pattern_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= pattern_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_pattern_says_who_may_use_it():
    project = {name for name in pattern_names() if not name.startswith("admin:")}
    assert project - CASES.keys() == set(), "add these patterns to CASES"
    assert CASES.keys() - project == set(), "these cases name no pattern"


@pytest.fixture
def world(db, sandbox, sandbox_users) -> World:
    users = {name: UserFactory(username=name) for name in SIGNED_IN}
    agency = Agency.objects.create(name="Velvet Rooms", owner=users["agency_owner"])
    account = connect(sandbox, user=users["owner"], sandbox_user=sandbox_users["ScarlettRose"])
    account.agency = agency
    account.save()
    manager_account = connect(
        sandbox, user=users["owner"], sandbox_user=sandbox_users["VelvetRoomsDesk"]
    )
    for name in ("operator", "viewer", "agency_staff"):
        StaffMember.objects.create(agency=agency, user=users[name])
    GrantFactory(user=users["operator"], account=account, role=Grant.Role.OPERATOR)
    viewer_grant = GrantFactory(user=users["viewer"], account=account, role=Grant.Role.VIEWER)
    AccountFactory(owner=users["other_performer"])
    booking = BookingFactory(account=account, remote_id=40001)
    finished = BookingFactory(account=account, status="Cancelled", remote_id=40002)
    sandbox.clear_requests()
    return World(users, account, manager_account, agency, booking, finished, viewer_grant)


def outcome(response) -> str:
    if response.status_code in (301, 302) and "/sign-in/" in response.get("Location", ""):
        return "login"
    if response.status_code < 400:
        return "ok"
    return str(response.status_code)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_each_person_gets_the_right_answer_and_forbidden_tries_call_nothing(
    client, world, sandbox, name, actor
):
    case = CASES[name]
    if actor != "anonymous":
        client.force_login(world.users[actor])
    send = client.get if case.method == "GET" else client.post
    response = send(case.url(world), case.data(world))
    assert outcome(response) == case.expected[actor], (name, actor, response.status_code)
    if case.expected[actor] != "ok":
        remote = [r for r in sandbox.requests() if r["path"].startswith(("/v1/", "/OAuth/token"))]
        assert remote == [], f"{name} as {actor} reached AdultWork"


@pytest.mark.parametrize("actor", ACTORS)
def test_an_actions_form_is_for_those_who_act(client, world, sandbox, actor):
    if actor != "anonymous":
        client.force_login(world.users[actor])
    response = client.get(reverse("bookings:action", args=[world.booking.pk, "reject"]))
    assert outcome(response) == only(*ACTING)[actor]
    assert sandbox.requests() == []


@pytest.mark.parametrize("actor", ACTORS)
def test_the_admin_is_closed_to_everyone_who_is_not_staff(client, world, actor):
    if actor != "anonymous":
        client.force_login(world.users[actor])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("value", ["../1", "1 OR 1=1", "-1", "999999999999999999999"])
def test_tampered_ids_in_forms_are_refused(client, world, value):
    client.force_login(world.users["owner"])
    response = client.post(reverse("bookings:delete"), {"booking": [value]})
    assert response.status_code == 404


def test_tampered_ids_in_urls_are_not_found(client, world):
    client.force_login(world.users["owner"])
    huge = "9" * 25
    assert client.post(f"/bookings/{huge}/reject/", {"reason": "x"}).status_code == 404
    assert client.get(f"/accounts/{huge}/access/").status_code == 404
    assert client.post(f"/accounts/{huge}/disconnect/").status_code == 404
