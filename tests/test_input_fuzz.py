"""Hostile input at every view, as the owner, staff granted on the account, a stranger and
someone signed out: never a server error, and nothing invalid ever reaches AdultWork.

The views come from the URL patterns, as in tests/test_authorization.py: a new pattern fails
`test_every_url_pattern_says_what_it_reads` until VIEWS describes its inputs. Every parameter
that any view reads is also thrown at every other view, in the query string and the form.

The inputs that would make a call to AdultWork when valid (credits, reasons, the ids of a bulk
delete or a sync, a group member's user id, the OAuth state) are drawn only from values that
must be refused, and the sandbox's request log must stay empty: the owner's account is
connected to the sandbox with real tokens, so anything let through would show there.
"""

import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.urls import resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.models import Booking, Status
from bookings.rules import Action
from bookings.selectors import SORTS
from dashboard import services
from dashboard.models import Account, Agency, AuditEntry, Grant, StaffMember
from tests.conftest import connect
from tests.factories import AccountFactory, BookingFactory, GrantFactory, UserFactory
from tests.test_authorization import pattern_names

ACTORS = ("owner", "staff", "outsider", "anonymous")
METHODS = ("GET", "HEAD", "POST")
FUZZ = settings(
    # FUZZ_EXAMPLES=500 for a longer hunt; the suite keeps to a few seconds a view.
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "20")),
    deadline=None,
    # Each example rolls back what it wrote (see `send`), so the function's fixtures stay as
    # built for every example.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Digits that str.isdigit() (or int(), or Decimal()) accept although no page of ours writes them.
UNICODE_DIGITS = ("²", "³", "¹²", "٣", "١٠٠٢", "۹", "߃", "\uff11\uff12", "\U0001d7d7", "Ⅻ", "½")
NASTY = (
    "",
    " ",
    "\x00",
    "1\x00",
    "a\x00b",
    "\t",
    "\r\n",
    "-1",
    "-0",
    "0",
    "+1",
    "1.5",
    "1e400",
    "1_000",
    "0x1f",
    "NaN",
    "Infinity",
    "-Infinity",
    "9" * 19,
    "9" * 25,
    "9" * 5000,  # beyond the 4,300 digits int() reads
    "../1",
    "1 OR 1=1",
    "' OR '1'='1",
    "<script>alert(1)</script>",
    '=HYPERLINK("https://evil.example")',
    "%00",
    "//evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "2026-02-30",
    "2026-13-01T25:61:00",
    "0000-00-00",
    "9999-12-31T23:59:59+99:00",
    "\u202e",
    "\ufeff",
    "😀",
    "x" * 10_000,
    *UNICODE_DIGITS,
)
NO_DIGITS = st.characters(exclude_categories=("Nd", "No", "Nl", "Cs"))

nasty = st.sampled_from(NASTY)
text = st.one_of(nasty, st.text(max_size=30), st.integers().map(str))
long_text = st.integers(min_value=501, max_value=3000).map(lambda n: "é" * n)
# Words a header can carry (no line breaks: no HTTP server passes those on).
header_text = st.one_of(
    nasty.filter(lambda s: s.isprintable() and s.isascii()),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30),
)

ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULLWIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + n) for n in range(10)))
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def in_other_digits(pk: int) -> list[str]:
    """A real id in digits that str.isdigit() accepts: int() reads some, refuses others."""
    digits = str(pk)
    return [digits.translate(ARABIC), digits.translate(FULLWIDTH), digits.translate(SUPERSCRIPT)]


def mangled(pk: int) -> list[str]:
    """A real id written as no page of ours writes it: each must be refused."""
    digits = str(pk)
    return [
        *in_other_digits(pk),
        f"-{digits}",
        f"+{digits}",
        f" {digits}",
        f"{digits}\n",
        f"{digits}.0",
        f"{digits}\x00",
        f"{digits}e0",
        f"0x{pk:x}",
        f"{digits}{'0' * 20}",
    ]


@dataclass
class World:
    users: dict
    account: Account  # the owner's, connected to the sandbox with real tokens
    desk: Account  # the owner's group manager account
    agency: Agency  # the owner's
    pending: Booking
    finished: Booking
    grant: Grant  # staff's operator grant on `account`
    foreign_account: Account  # someone else's: no actor here may see it
    foreign_booking: Booking
    foreign_agency: Agency
    calendar_token: str
    strategies: dict = field(default_factory=dict, repr=False)

    def requests_to(self, name: str, *, acting: bool = False) -> st.SearchStrategy[dict]:
        """requests_to(), built once per world: building strategies costs more than drawing."""
        key = (name, acting)
        if key not in self.strategies:
            self.strategies[key] = requests_to(name, self, acting=acting)
        return self.strategies[key]

    def own_ids(self) -> list[int]:
        return [
            self.account.pk,
            self.desk.pk,
            self.agency.pk,
            self.pending.pk,
            self.finished.pk,
            self.grant.pk,
            *(user.pk for user in self.users.values()),
        ]

    def foreign_ids(self) -> list[int]:
        return [self.foreign_account.pk, self.foreign_booking.pk, self.foreign_agency.pk]


def any_value(w: World) -> st.SearchStrategy[str]:
    """Anything, the world's real ids (anyone's) and mangled ones included."""
    ids = w.own_ids() + w.foreign_ids()
    return st.one_of(
        text,
        st.sampled_from(ids).map(str),
        st.sampled_from(ids).flatmap(lambda pk: st.sampled_from(mangled(pk))),
    )


def refused_id(own: list[int], foreign: list[int]) -> st.SearchStrategy[str]:
    """An id of one table that must be refused: someone else's, no one's, or one of ours
    mangled."""
    return st.one_of(
        st.sampled_from(foreign).map(str),
        st.integers(min_value=10**12).map(str),
        st.sampled_from(own).flatmap(lambda pk: st.sampled_from(in_other_digits(pk))),
        st.sampled_from(own).flatmap(lambda pk: st.sampled_from(mangled(pk))),
        nasty,
        st.text(NO_DIGITS, max_size=20),
    )


refused_credits = st.one_of(
    st.sampled_from(
        (
            "",
            " ",
            "\x00",
            "1\x00",
            "-1",
            "-0.0001",
            "100000.0001",
            "1e400",
            "1.23456",
            "NaN",
            "sNaN",
            "Infinity",
            "-Infinity",
            "1,5",
            "0x10",
            "-٣",
            "٣" * 25,
            "٣.٣٣٣٣٣",
            "9" * 25,
            "9" * 5000,
            "x" * 10_000,
            "²",
            "¹²",
            "Ⅻ",
            "½",
        )
    ),
    st.text(NO_DIGITS, max_size=20),
)
refused_reason = st.one_of(
    st.sampled_from(("", " ", "\t\r\n", "\x00", "\u3000")),
    long_text,
    st.text(max_size=20).map(lambda t: f"{t}\x00{t}x"),
)
refused_user_id = st.one_of(
    st.sampled_from(
        (
            "",
            "0",
            "-1",
            "-٣",
            "1.5",
            "1e3",
            "\x00",
            "1\x00",
            "9" * 25,
            "9" * 5000,
            "٣" * 25,
            str(2**63),
            "x" * 10_000,
            "²",
            "¹²",
        )
    ),
    st.text(NO_DIGITS, max_size=20),
)


def one(values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    """A parameter's values: usually one, sometimes the same name twice."""
    return st.lists(values, min_size=1, max_size=2)


def path(name: str, **kwargs) -> str:
    return reverse(name, kwargs=kwargs)


PATH_SEGMENTS = st.sampled_from(["\x00", "a\x00b", "%00", "..", "²", "😀", "x" * 2000])


def word(w: World) -> st.SearchStrategy[str]:
    """A path segment: anything but a slash, and never empty."""
    return st.one_of(PATH_SEGMENTS, any_value(w).map(lambda s: s.replace("/", "") or "x"))


def big_or_real(*pks: int) -> st.SearchStrategy[int]:
    return st.one_of(
        st.sampled_from(pks), st.just(0), st.integers(min_value=10**9, max_value=10**30)
    )


@dataclass
class View:
    url: Callable[[World], st.SearchStrategy[str]]
    # The parameters the view reads; by default anything may come in them.
    params: Callable[[World], dict[str, st.SearchStrategy[list[str]]]] = field(default=lambda w: {})
    # Parameters that only take these words (status, sort and the like), besides anything.
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # A server-side status the view answers on purpose (never 500, never an exception).
    deliberate: tuple[int, ...] = ()


def fixed(name: str) -> Callable[[World], st.SearchStrategy[str]]:
    return lambda w: st.just(reverse(name))


FILTERS = ("account", "status", "sort", "page", "show")
FILTER_WORDS = {
    "status": tuple(Status.values),
    "sort": tuple(SORTS),
    "page": ("1", "2", "10000", "10001"),
    "show": ("expired",),
}


def action_url(w: World) -> st.SearchStrategy[str]:
    """The booking actions that take input, on bookings the owner and staff act for, and
    every action on bookings no actor may touch."""
    with_input = st.tuples(
        st.sampled_from([w.pending.pk, w.finished.pk]),
        st.sampled_from(["accept", "reject", "cancel"]),
    )
    untouchable = st.tuples(
        st.one_of(
            st.just(w.foreign_booking.pk),
            st.just(0),
            st.integers(min_value=10**12, max_value=10**30),
        ),
        st.sampled_from(list(Action)),
    )
    return st.one_of(with_input, untouchable).map(
        lambda t: path("bookings:action", pk=t[0], action=str(t[1]))
    )


def bulk_delete_ids(w: World) -> st.SearchStrategy[list[str]]:
    """Deletable ids mixed with at least one that is not: the lot is refused."""
    deletable = st.lists(st.sampled_from([w.finished.pk, w.pending.pk]).map(str), max_size=2)
    refused = refused_id([w.pending.pk, w.finished.pk], [w.foreign_booking.pk])
    bad = st.lists(refused, min_size=1, max_size=2)
    return st.tuples(deletable, bad).map(lambda t: t[0] + t[1]).flatmap(st.permutations)


VIEWS: dict[str, View] = {
    "home": View(fixed("home")),
    # 503 when the worker has not beaten lately, as in every test database.
    "healthz": View(fixed("healthz"), deliberate=(503,)),
    "login": View(
        fixed("login"),
        lambda w: {"username": one(text), "password": one(text), "next": one(text)},
    ),
    "logout": View(fixed("logout"), lambda w: {"next": one(text)}),
    "password_reset": View(fixed("password_reset"), lambda w: {"email": one(text)}),
    "password_reset_done": View(fixed("password_reset_done")),
    "password_reset_confirm": View(
        lambda w: st.tuples(word(w), word(w)).map(
            lambda t: path("password_reset_confirm", uidb64=t[0], token=t[1])
        ),
        lambda w: {"new_password1": one(text), "new_password2": one(text)},
    ),
    "password_reset_complete": View(fixed("password_reset_complete")),
    "accounts:list": View(fixed("accounts:list")),
    "accounts:connect": View(fixed("accounts:connect")),
    # No state drawn here was ever handed out: no token call may follow.
    "accounts:callback": View(
        fixed("accounts:callback"),
        lambda w: {"state": one(text), "code": one(text), "status": one(text)},
        words={"status": ("cancelled",)},
    ),
    "accounts:disconnect": View(
        lambda w: big_or_real(w.account.pk, w.desk.pk, w.foreign_account.pk).map(
            lambda pk: path("accounts:disconnect", pk=pk)
        )
    ),
    "accounts:access": View(
        lambda w: big_or_real(w.account.pk, w.foreign_account.pk).map(
            lambda pk: path("accounts:access", pk=pk)
        ),
        lambda w: {"username": one(any_value(w)), "role": one(text)},
        words={"username": ("owner", "staff", "outsider"), "role": tuple(Grant.Role.values)},
    ),
    "accounts:member_add": View(
        lambda w: big_or_real(w.desk.pk, w.account.pk, w.foreign_account.pk).map(
            lambda pk: path("accounts:member_add", pk=pk)
        ),
        lambda w: {"user_id": one(refused_user_id), "nickname": one(text)},
        words={"nickname": ("JadeMoon",)},
    ),
    "accounts:grant_change": View(
        lambda w: st.tuples(
            big_or_real(w.account.pk, w.foreign_account.pk), big_or_real(w.grant.pk)
        ).map(lambda t: path("accounts:grant_change", pk=t[0], grant_pk=t[1])),
        lambda w: {"role": one(text)},
        words={"role": tuple(Grant.Role.values)},
    ),
    "accounts:grant_revoke": View(
        lambda w: st.tuples(
            big_or_real(w.account.pk, w.foreign_account.pk), big_or_real(w.grant.pk)
        ).map(lambda t: path("accounts:grant_revoke", pk=t[0], grant_pk=t[1]))
    ),
    "accounts:agency": View(
        lambda w: big_or_real(w.agency.pk, w.foreign_agency.pk).map(
            lambda pk: path("accounts:agency", pk=pk)
        ),
        lambda w: {"username": one(text)},
        words={"username": ("owner", "staff", "outsider")},
    ),
    "accounts:staff_remove": View(
        lambda w: st.tuples(
            big_or_real(w.agency.pk, w.foreign_agency.pk),
            big_or_real(w.users["staff"].pk, w.users["outsider"].pk),
        ).map(lambda t: path("accounts:staff_remove", pk=t[0], user_pk=t[1]))
    ),
    "bookings:inbox": View(
        fixed("bookings:inbox"),
        lambda w: {name: one(any_value(w)) for name in FILTERS},
        words=FILTER_WORDS,
    ),
    "bookings:list": View(
        lambda w: st.tuples(
            st.sampled_from(["webcam", "phonechat"]), st.sampled_from(["received", "made"])
        ).map(lambda t: path("bookings:list", service=t[0], direction=t[1])),
        lambda w: {name: one(any_value(w)) for name in FILTERS},
        words=FILTER_WORDS,
    ),
    "bookings:detail": View(
        lambda w: big_or_real(w.pending.pk, w.finished.pk, w.foreign_booking.pk).map(
            lambda pk: path("bookings:detail", pk=pk)
        )
    ),
    "bookings:action": View(
        action_url,
        lambda w: {
            "credits": one(refused_credits),
            "reason": one(refused_reason),
            "template_reason": one(st.one_of(st.just(""), refused_reason)),
            "save_template": one(text),
            "next": one(text),
        },
    ),
    "bookings:delete": View(
        fixed("bookings:delete"), lambda w: {"booking": bulk_delete_ids(w), "next": one(text)}
    ),
    "bookings:sync": View(
        fixed("bookings:sync"),
        lambda w: {
            "account": st.lists(
                refused_id([w.account.pk, w.desk.pk], [w.foreign_account.pk]),
                min_size=1,
                max_size=3,
            ),
            "next": one(text),
        },
    ),
    "bookings:audit": View(
        fixed("bookings:audit"),
        lambda w: {name: one(any_value(w)) for name in ("account", "action", "outcome", "page")},
        words={
            "action": tuple(Action),
            "outcome": tuple(AuditEntry.Outcome.values),
            "page": FILTER_WORDS["page"],
        },
    ),
    "bookings:audit_export": View(
        fixed("bookings:audit_export"),
        lambda w: {"account": one(any_value(w)), "agency": one(any_value(w))},
    ),
    "bookings:calendar_feed": View(
        lambda w: st.one_of(PATH_SEGMENTS, st.just(w.calendar_token), word(w)).map(
            lambda token: path("bookings:calendar_feed", token=token)
        )
    ),
    "bookings:calendar": View(
        fixed("bookings:calendar"),
        lambda w: {"week": one(any_value(w))},
        words={"week": ("2026-W49", "2026-W53", "2026-W00", "0001-W01", "9999-W52")},
    ),
    "bookings:earnings": View(fixed("bookings:earnings")),
    "bookings:earnings_account": View(
        lambda w: big_or_real(w.account.pk, w.desk.pk, w.foreign_account.pk).map(
            lambda pk: path("bookings:earnings_account", pk=pk)
        )
    ),
    "bookings:earnings_agency": View(
        lambda w: big_or_real(w.agency.pk, w.foreign_agency.pk).map(
            lambda pk: path("bookings:earnings_agency", pk=pk)
        )
    ),
    "preferences:edit": View(
        fixed("preferences:edit"),
        lambda w: {
            name: one(text)
            for name in ("alert_in_page", "alert_browser", "alert_email", "discreet")
        },
        words={name: ("on", "true", "false") for name in ("alert_browser", "discreet")},
    ),
    "preferences:calendar_issue": View(fixed("preferences:calendar_issue")),
    "preferences:calendar_revoke": View(fixed("preferences:calendar_revoke")),
    "manifest": View(fixed("manifest")),
    "service_worker": View(fixed("service_worker")),
    "offline": View(fixed("offline")),
    # The browser posts JSON; a form with the same fields is read too (test_push_views.py).
    "bookings:push_subscribe": View(
        fixed("bookings:push_subscribe"),
        lambda w: {name: one(text) for name in ("endpoint", "p256dh", "auth")},
    ),
    "bookings:push_unsubscribe": View(
        fixed("bookings:push_unsubscribe"), lambda w: {"endpoint": one(text)}
    ),
}


def vocabulary(w: World) -> list[str]:
    """Every parameter any view reads: each is thrown at every view."""
    return sorted({name for view in VIEWS.values() for name in view.params(w)})


def test_every_url_pattern_says_what_it_reads():
    project = {name for name in pattern_names() if not name.startswith("admin:")}
    assert project - VIEWS.keys() == set(), "describe the inputs of these patterns in VIEWS"
    assert VIEWS.keys() - project == set(), "these entries name no pattern"
    assert REMOTE.keys() <= VIEWS.keys()


@pytest.fixture
def world(db, sandbox, sandbox_users) -> World:
    owner = UserFactory(username="owner")
    staff = UserFactory(username="staff")
    outsider = UserFactory(username="outsider")
    someone = UserFactory(username="someone")
    agency = Agency.objects.create(name="Velvet Rooms", owner=owner)
    account = connect(sandbox, user=owner, sandbox_user=sandbox_users["ScarlettRose"])
    account.agency = agency
    account.save()
    desk = connect(sandbox, user=owner, sandbox_user=sandbox_users["VelvetRoomsDesk"])
    StaffMember.objects.create(agency=agency, user=staff)
    grant = GrantFactory(user=staff, account=account, role=Grant.Role.OPERATOR)
    AccountFactory(owner=outsider, nickname="OutsidersOwn")
    foreign_account = AccountFactory(owner=someone, nickname="SomeoneElse")
    world = World(
        users={"owner": owner, "staff": staff, "outsider": outsider},
        account=account,
        desk=desk,
        agency=agency,
        pending=BookingFactory(account=account, remote_id=40001),
        finished=BookingFactory(account=account, status=Status.CANCELLED, remote_id=40002),
        grant=grant,
        foreign_account=foreign_account,
        foreign_booking=BookingFactory(account=foreign_account),
        foreign_agency=Agency.objects.create(name="Elsewhere", owner=someone),
        calendar_token=services.calendar_link_issue(user=owner),
    )
    sandbox.clear_requests()
    return world


@dataclass
class Remote:
    """A view that calls AdultWork once its input is valid, and where that input is read: the
    method, and an address where the owner or staff may act."""

    method: str
    url: Callable[[World], st.SearchStrategy[str]]
    inputs: tuple[str, ...]
    actors: tuple[str, ...] = ("owner", "staff")


# Their inputs are only ever drawn from values that must be refused.
REMOTE = {
    "bookings:action": Remote(
        "POST",
        lambda w: st.tuples(
            st.sampled_from([w.pending.pk, w.finished.pk]),
            st.sampled_from(["accept", "reject", "cancel"]),
        ).map(lambda t: path("bookings:action", pk=t[0], action=t[1])),
        ("credits", "reason", "template_reason"),
    ),
    "bookings:delete": Remote("POST", fixed("bookings:delete"), ("booking",)),
    "bookings:sync": Remote("POST", fixed("bookings:sync"), ("account",)),
    "accounts:member_add": Remote(
        "POST",
        lambda w: st.just(path("accounts:member_add", pk=w.desk.pk)),
        ("user_id",),
        actors=("owner",),  # the group manager's owner
    ),
    "accounts:callback": Remote("GET", fixed("accounts:callback"), ("state",)),
}
# htmx's request headers, the current page's address above all: django-htmx splits it.
HTMX_HEADERS = st.one_of(
    st.just({}),
    st.fixed_dictionaries(
        {
            "HX-Request": st.just("true"),
            "HX-Current-URL": st.one_of(
                st.sampled_from(
                    [
                        "http://[",
                        "http://]x[/",
                        "http://[::1/bookings/",
                        "http://testserver:99999/",
                        "http://testserver/bookings/?page=2",
                        "http://testserver/%00",
                        "https://evil.example/",
                    ]
                ),
                header_text,
            ),
        },
        optional={
            "HX-Target": st.one_of(st.sampled_from(["results", "live"]), header_text),
            "HX-Trigger": st.one_of(st.just("live"), header_text),
            "If-None-Match": header_text,
        },
    ),
)


def requests_to(name: str, w: World, *, acting: bool = False) -> st.SearchStrategy[dict]:
    """Requests to the view: some of its own parameters and of everyone else's, in the query
    string or the form, with or without htmx's headers; from any actor with any method, or
    (`acting`) from those who may act, where the view reads its input, with all of it."""
    view = VIEWS[name]
    remote = REMOTE.get(name)
    inputs = remote.inputs if remote else ()
    own = view.params(w)
    anything = one(any_value(w))
    form = {}
    names = vocabulary(w)
    for key in sorted(set(own) | set(names)):
        values = own.get(key, anything)
        if key in view.words and key not in inputs:
            values = st.one_of(values, one(st.sampled_from(view.words[key])))
        form[key] = values
    # Acting, every parameter the view reads comes: a missing one would hide the others.
    required = {key: form.pop(key) for key in own} if acting else {}
    methods = st.just(remote.method) if acting else st.sampled_from(METHODS)
    actors = st.sampled_from(remote.actors if acting else ACTORS)
    paths = remote.url(w) if acting else view.url(w)

    @st.composite
    def request(draw) -> dict:
        method = draw(methods)
        return {
            "view": name,
            "actor": draw(actors),
            "method": method,
            "path": draw(paths),
            "params": draw(st.fixed_dictionaries(required, optional=form)),
            # A form may come with a query string too; the view reads it or not.
            "query": draw(st.fixed_dictionaries({}, optional=dict.fromkeys(names, anything)))
            if method == "POST"
            else {},
            "headers": draw(HTMX_HEADERS),
        }

    return request()


def send(world: World, sandbox, request: dict) -> None:
    """One request on a fresh client; the database is left as it was."""
    sandbox.clear_requests()
    client = Client(raise_request_exception=False)
    method, url, params, headers = (
        request["method"],
        request["path"],
        request["params"],
        request["headers"],
    )
    with transaction.atomic():
        if request["actor"] != "anonymous":
            client.force_login(world.users[request["actor"]])
        if method == "POST":
            if request["query"]:
                url = f"{url}?{urlencode(request['query'], doseq=True)}"
            response = client.post(url, params, headers=headers)
        else:
            response = getattr(client, method.lower())(url, params, headers=headers)
        transaction.set_rollback(True)
    shown = {**request, "params": _short(params), "query": _short(request["query"])}
    deliberate = VIEWS[request["view"]].deliberate
    if response.exc_info or (
        response.status_code >= 500 and response.status_code not in deliberate
    ):
        error = "".join(traceback.format_exception(*response.exc_info)) if response.exc_info else ""
        pytest.fail(f"{response.status_code} for {shown}\n{error}")
    assert sandbox.requests() == [], f"reached AdultWork: {shown}"


def _short(params: dict) -> dict:
    return {
        k: [v if len(v) <= 80 else f"{v[:40]}…({len(v)} chars)" for v in vs]
        for k, vs in params.items()
    }


@pytest.mark.parametrize("name", sorted(VIEWS))
@FUZZ
@given(data=st.data())
def test_no_input_makes_a_server_error_or_reaches_adultwork(world, sandbox, name, data):
    send(world, sandbox, data.draw(world.requests_to(name), label="request"))


@pytest.mark.parametrize("name", sorted(REMOTE))
@FUZZ
@given(data=st.data())
def test_invalid_input_to_a_view_that_calls_adultwork_never_reaches_it(world, sandbox, name, data):
    send(world, sandbox, data.draw(world.requests_to(name, acting=True), label="request"))


# What this fuzzing found, kept as plain cases so that they are tried on every run.
FOUND = {
    "a superscript id in a bulk delete": lambda w: (
        "POST",
        path("bookings:delete"),
        {"booking": [str(w.finished.pk).translate(SUPERSCRIPT)]},
        {},
    ),
    "an id in Arabic digits in a bulk delete": lambda w: (
        "POST",
        path("bookings:delete"),
        {"booking": [str(w.finished.pk).translate(ARABIC)]},
        {},
    ),
    "a superscript id in a sync": lambda w: (
        "POST",
        path("bookings:sync"),
        {"account": [str(w.account.pk).translate(SUPERSCRIPT)]},
        {},
    ),
    "an id in Arabic digits in a sync": lambda w: (
        "POST",
        path("bookings:sync"),
        {"account": [str(w.account.pk).translate(ARABIC)]},
        {},
    ),
    "a superscript id in the audit export": lambda w: (
        "GET",
        path("bookings:audit_export"),
        {"account": [str(w.account.pk).translate(SUPERSCRIPT)]},
        {},
    ),
    "an id longer than int() reads in the audit export": lambda w: (
        "GET",
        path("bookings:audit_export"),
        {"agency": ["9" * 5000]},
        {},
    ),
    "a next that is a word": lambda w: (
        "POST",
        path("bookings:action", pk=w.pending.pk, action="accept"),
        {"credits": ["-1"], "next": ["1 "]},
        {},
    ),
    "an htmx page address urlsplit cannot read": lambda w: (
        "GET",
        path("bookings:inbox"),
        {},
        {"HX-Request": "true", "HX-Current-URL": "http://["},
    ),
    "a group member's user id beyond 18 digits": lambda w: (
        "POST",
        path("accounts:member_add", pk=w.desk.pk),
        {"user_id": ["9" * 25], "nickname": ["JadeMoon"]},
        {},
    ),
    "a NUL in a calendar link (a 500 on PostgreSQL)": lambda w: (
        "GET",
        path("bookings:calendar_feed", token="a\x00b"),
        {},
        {},
    ),
}


@pytest.mark.parametrize("case", FOUND)
def test_what_the_fuzzing_found_stays_refused(world, sandbox, case):
    method, url, params, headers = FOUND[case](world)
    view = resolve(url.split("?")[0]).view_name
    request = {"view": view, "actor": "owner", "method": method, "path": url}
    send(world, sandbox, request | {"params": params, "query": {}, "headers": headers})
