"""What each simulated person does, as a browser would over HTTPS behind the proxy: signs in
through the form, then, a step every 1 to 3 seconds, opens the inbox or a list (with filters and
page numbers, as full pages and as the filter form's htmx swaps), polls the page they have open
(htmx, If-None-Match: a 304 when nothing changed), or answers one of their own pending requests
(accept with the offered credits, or reject with a reason): the row's link fetches the action's
form into the sheet, then htmx posts it.

load.swarm runs it with locust as a library (no web UI) and moves everyone from phase to phase:
in RAMP and MAIN the mix above, in DOWN actions only, in PAUSE and DONE nothing.

Locust's own pass/fail is set by hand (catch_response): a failure is a 5xx, a connection error,
or an answer that means a bug here or there (a 403 from CSRF, a 404, a redirect to sign-in, an
action answered without a toast). An action that AdultWork or the dashboard refuses (already
answered, AdultWork down) is a 200 with an error toast: a valid answer, not a failure.
"""

import itertools
import json
import random
import re
from urllib.parse import urlencode

from locust import HttpUser, between, task
from requests.cookies import RequestsCookieJar

RAMP, MAIN, PAUSE, DOWN, DONE = "ramp", "main", "pause", "down", "done"

# Set by load.swarm before the first user starts: host, origin, usernames, password.
PLAN: dict = {}

# What a simulated person clicks next: nothing secret rides on it.
PICK = random.Random()  # noqa: S311  # nosec B311


class Timeline:
    """Shared by every user of the swarm (one process, gevent): the phase, and counts."""

    phase = RAMP
    signed_in = 0
    sign_in_failed = 0
    in_flight = 0  # steps under way, so a phase ends only once the last request is back


TIMELINE = Timeline()
_numbers = itertools.count()

# How often each step is taken in RAMP and MAIN.
MIX = {"inbox": 3, "lists": 5, "poll": 6, "action": 2}
SERVICES = ("webcam", "phonechat")
DIRECTIONS = ("received", "made")
STATUSES = ("", "", "Pending", "Accepted", "Rejected", "Confirmed", "Cancelled")
SORTS = ("", "", "session", "accept_by", "-accept_by")  # "": the default, -session
PAGES = (1, 1, 1, 2, 3, 4)
REASON = "Fully booked at that time, sorry."

CSRF_HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')
FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ACTION = re.compile(r'href="/bookings/(\d+)/(accept|reject)/"')
CREDITS = re.compile(r'name="credits"[^>]*?\bvalue="([^"]*)"')
REFUSAL = 'class="form-error"'  # the form comes with why the action may not be done
STATIC = re.compile(r'(?:href|src)="(/static/[^"]+)"')


class BehindProxy(RequestsCookieJar):
    """The site is HTTPS at the proxy this client stands in for, so its cookies are Secure;
    kept as plain ones here, they go back to gunicorn over loopback HTTP as the proxy would
    pass them on. (A cookie policy would not do: requests copies the jar into a fresh one,
    with the default policy, for every request.)"""

    def set_cookie(self, cookie, *args, **kwargs):
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


class Person(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        number = next(_numbers)
        self.username = PLAN["usernames"][number % len(PLAN["usernames"])]
        self.origin = PLAN["origin"]
        self.client.cookies = BehindProxy()
        # As the proxy forwards it: the site expects HTTPS (SECURE_PROXY_SSL_HEADER).
        self.client.headers.update({"X-Forwarded-Proto": "https", "User-Agent": "aw-load"})
        self.token = ""  # nosec B105  # the page's CSRF token, none until the first page
        self.open = ("/bookings/", "")  # the page open in the "browser", and its ETag
        self.pending: dict[int, list[str]] = {}  # pk: the actions its row offers
        self.answered: set[int] = set()
        self.static_paths: list[str] = []
        self.broken = not self.sign_in()
        if self.broken:
            TIMELINE.sign_in_failed += 1
            return
        self.static_files()
        TIMELINE.signed_in += 1

    @task
    def step(self) -> None:
        phase = TIMELINE.phase
        if self.broken or phase not in (RAMP, MAIN, DOWN):
            return
        TIMELINE.in_flight += 1
        try:
            if phase == DOWN:
                self.action()
            else:
                [kind] = PICK.choices(list(MIX), weights=list(MIX.values()))
                getattr(self, kind)()
        finally:
            TIMELINE.in_flight -= 1

    # --- sign-in and static files -------------------------------------------------------------

    def sign_in(self) -> bool:
        with self.client.get("/sign-in/", name="sign-in", catch_response=True) as response:
            if not expect(response, (200,)):
                return False
            match = FORM_TOKEN.search(response.text or "")
            if match is None:
                return fail(response, "no sign-in form")
        form = {
            "csrfmiddlewaretoken": match.group(1),
            "username": self.username,
            "password": PLAN["password"],
            "next": "",
        }
        with self.client.post(
            "/sign-in/",
            data=form,
            headers=self.same_origin("/sign-in/"),
            name="sign-in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if not expect(response, (302,)):
                return False
            if not response.headers.get("Location", "").endswith("/bookings/"):
                return fail(response, f"signed in to {response.headers.get('Location')}")
        return self.page("/bookings/", kind="inbox")  # where the redirect leads

    def static_files(self) -> None:
        """The page's CSS and JavaScript, once, as a browser with a cold cache fetches them
        (WhiteNoise serves them; they are immutable afterwards)."""
        for path in self.static_paths:
            with self.client.get(path, name="static", catch_response=True) as response:
                expect(response, (200,))

    # --- pages --------------------------------------------------------------------------------

    def inbox(self) -> bool:
        page = PICK.choice((1, 1, 1, 2))
        return self.page("/bookings/" + ("?page=2" if page == 2 else ""), kind="inbox")

    def lists(self) -> bool:
        service, direction = PICK.choice(SERVICES), PICK.choice(DIRECTIONS)
        path = f"/bookings/{service}/{direction}/"
        query = {
            "status": PICK.choice(STATUSES),
            "sort": PICK.choice(SORTS),
            "page": PICK.choice(PAGES),
        }
        url = path + query_string(query)
        if self.open[0].startswith(path) and PICK.random() < 0.5:
            # On that list already: the filter form's change, which htmx swaps into #results.
            return self.page(url, kind="lists", target="results")
        return self.page(url, kind="lists")

    def page(self, url: str, *, kind: str, target: str | None = None) -> bool:
        headers = self.htmx(target) if target else {}
        with self.client.get(url, headers=headers, name=kind, catch_response=True) as response:
            text = response.text or ""
            if not expect(response, (200,)):
                return False
            if target is None:  # a whole page: it polls, and its token is the one to send
                token = CSRF_HEADER.search(text)
                if 'id="live"' not in text or token is None:
                    return fail(response, "not a live page with a CSRF token")
                self.token = token.group(1)
                self.static_paths = self.static_paths or sorted(set(STATIC.findall(text)))
        self.open = (url, response.headers.get("ETag", ""))
        if kind == "inbox":
            self.remember_requests(text)
        return True

    def poll(self) -> bool:
        """What the open page's #live element asks every 20 s."""
        url, etag = self.open
        headers = {**self.htmx("live"), "HX-Trigger": "live"}
        if etag:
            headers["If-None-Match"] = etag
        with self.client.get(url, headers=headers, name="poll", catch_response=True) as response:
            if not expect(response, (200, 304)):
                return False
        if response.status_code == 200:  # something changed: the page merges it, keeps the tag
            self.open = (url, response.headers.get("ETag", ""))
        return True

    def remember_requests(self, text: str) -> None:
        found: dict[int, list[str]] = {}
        for pk, action in ACTION.findall(text):
            found.setdefault(int(pk), []).append(action)
        self.pending = {pk: found[pk] for pk in found if pk not in self.answered}

    # --- actions ------------------------------------------------------------------------------

    def action(self) -> bool:
        if not self.pending:
            self.inbox()
            if not self.pending:
                return False
        pk = PICK.choice(list(self.pending))
        action = PICK.choice(self.pending[pk])
        # Tapped: the form comes into the sheet, with the credits offered filled in.
        with self.client.get(
            f"/bookings/{pk}/{action}/",
            headers=self.htmx("sheet"),
            name="sheet",
            catch_response=True,
        ) as response:
            if not expect(response, (200,)):
                return False
            if REFUSAL in response.text:  # answered meanwhile, here or on AdultWork
                self.answered.add(pk)
                self.pending.pop(pk, None)
                return True
            offered = CREDITS.search(response.text)
            if action == "accept" and offered is None:
                return fail(response, "an accept form without the credits offered")
        form = {"csrfmiddlewaretoken": self.token}
        if action == "accept":
            form["credits"] = offered[1]
        else:
            form["reason"] = REASON
        headers = {**self.htmx(f"booking-{pk}"), **self.same_origin(self.open[0])}
        with self.client.post(
            f"/bookings/{pk}/{action}/",
            data=form,
            headers=headers,
            name="action",
            context={"pk": pk},
            catch_response=True,
        ) as response:
            if not expect(response, (200,)):
                return False
            toast = toast_of(response)
            if toast is None:
                return fail(response, "an action answered without a toast")
        if TIMELINE.phase != DOWN or toast.get("level") == "success":
            # Answered (or refused for good): not again. With AdultWork down it stays pending.
            self.answered.add(pk)
            self.pending.pop(pk, None)
        return True

    # --- headers ------------------------------------------------------------------------------

    def htmx(self, target: str) -> dict[str, str]:
        return {
            "HX-Request": "true",
            "HX-Target": target,
            "HX-Current-URL": self.origin + self.open[0],
            "X-CSRFToken": self.token,  # <body hx-headers> sends it with every htmx request
        }

    def same_origin(self, path: str) -> dict[str, str]:
        """What a browser sends with a form post (Referrer-Policy: same-origin)."""
        return {"Origin": self.origin, "Referer": self.origin + path}


def query_string(query: dict) -> str:
    chosen = {name: value for name, value in query.items() if value not in ("", 1)}
    return f"?{urlencode(chosen)}" if chosen else ""


def expect(response, statuses: tuple[int, ...]) -> bool:
    """Success when the status is one of these and no redirect led elsewhere, else failure."""
    if response.status_code == 0:
        return fail(response, f"connection error: {response.error!r}")
    if response.history:
        where = response.history[0].headers.get("Location")
        return fail(response, f"{response.history[0].status_code} redirect to {where}")
    if response.status_code not in statuses:
        return fail(response, f"{response.status_code}")
    response.success()
    return True


def fail(response, message: str) -> bool:
    response.failure(message)
    return False


def toast_of(response) -> dict | None:
    """The toast an htmx answer triggers (HX-Trigger: {"toast": {"level", "message"}})."""
    try:
        events = json.loads(response.headers.get("HX-Trigger") or "{}")
    except ValueError:
        return None
    toast = events.get("toast") if isinstance(events, dict) else None
    return toast if isinstance(toast, dict) else None
