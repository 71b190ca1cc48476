"""Which requests the site accepts at all: POSTs from its own pages only, and POST-only
addresses never answering a GET.

The addresses come from the URL patterns through tests/test_authorization.py, whose table
must name every pattern with the method it takes: a new view cannot be left out here.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.test_authorization import CASES, SIGNED_IN, world  # noqa: F401  (a fixture)

POSTS = sorted(name for name, case in CASES.items() if case.method == "POST")
# Addresses that answer a GET with a form and take its POST; the rest of POSTS take only POST.
FORMS = {"bookings:action"}
TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


def views_by_name(resolver: URLResolver | None = None, namespace: str = "") -> dict:
    views = {}
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            views |= views_by_name(pattern, inner)
        elif isinstance(pattern, URLPattern):
            views[f"{namespace}{pattern.name}"] = pattern.callback
    return views


def allowed_methods(view) -> set[str] | None:
    """The methods a view's decorators (require_POST, require_safe, ...) or its class allow;
    None when nothing restricts them."""
    if view_class := getattr(view, "view_class", None):
        return {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
    while view is not None:
        closure = dict(zip(view.__code__.co_freevars, view.__closure__ or (), strict=True))
        if "request_method_list" in closure:
            return set(closure["request_method_list"].cell_contents)
        view = getattr(view, "__wrapped__", None)
    return None


def post_only() -> set[str]:
    return {
        name
        for name, view in views_by_name().items()
        if not name.startswith("admin:")
        and (allowed_methods(view) or {"GET"}) <= {"POST", "OPTIONS"}
    }


def acting(case) -> str:
    """Someone who may use the address, so that only the method or origin can refuse them."""
    return next((a for a in SIGNED_IN if case.expected[a] == "ok"), "owner")


def test_the_post_only_views_are_the_ones_the_authorization_table_posts_to():
    assert post_only() == set(POSTS) - FORMS


@pytest.mark.parametrize("name", sorted(post_only() | (set(POSTS) - FORMS)))
def test_every_post_only_url_answers_405_to_get_and_head(client, world, sandbox, name):  # noqa: F811
    case = CASES[name]
    client.force_login(world.users[acting(case)])
    url = case.url(world)
    assert client.get(url).status_code == 405
    assert client.head(url).status_code == 405
    assert sandbox.requests() == []


@pytest.mark.parametrize("name", POSTS)
def test_a_post_from_a_foreign_origin_is_refused_even_with_a_valid_csrf_token(
    world,  # noqa: F811
    sandbox,
    name,
):
    case = CASES[name]
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[acting(case)])
    [token] = TOKEN.findall(client.get("/bookings/").text)
    url, data = case.url(world), case.data(world)

    foreign = client.post(
        url, data, headers={"X-CSRFToken": token, "Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    assert sandbox.requests() == []
    # The same token from the site's own origin goes through: the origin was the reason.
    own = client.post(url, data, headers={"X-CSRFToken": token, "Origin": "http://testserver"})
    assert own.status_code != 403
