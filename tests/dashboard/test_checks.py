"""dashboard/checks.py: the system checks refuse AdultWork settings that cannot be the real
ones, each with its own id, and say nothing of good settings. They run through Django's own
run_checks, as `manage.py check --deploy` runs them. The VAPID checks' cases are in
test_vapid_keys.py; here, only that each is registered where it belongs."""

import pytest
from django.core.checks import Error, Tags, Warning, run_checks

from dashboard.vapid import generate_key_pair

REAL_API = "https://api.adultwork.com"
REAL_AUTH = "https://platform.adultwork.com"


@pytest.fixture
def real(settings):
    """Settings as a real deployment has them: what each test then spoils."""
    settings.ADULTWORK_CLIENT_ID = "production-client"
    settings.ADULTWORK_CLIENT_SECRET = "production-secret"  # nosec B105  # not a real one
    settings.ADULTWORK_API_URL = REAL_API
    settings.ADULTWORK_AUTH_URL = REAL_AUTH
    keys = generate_key_pair()
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = keys.private_key, keys.public_key
    settings.VAPID_SUBJECT = "mailto:ops@example.com"
    return settings


def ours(*, deploy: bool) -> list:
    """What our checks say, as `manage.py check [--deploy]` would run them."""
    problems = run_checks(tags=[Tags.security], include_deployment_checks=deploy)
    return [p for p in problems if p.id.startswith("dashboard.")]


def said(problems) -> list[tuple[type, str, str]]:
    return [(type(p), p.id, p.msg) for p in problems]


def test_real_settings_pass_every_check_of_ours(real):
    assert ours(deploy=True) == []
    assert ours(deploy=False) == []


@pytest.mark.parametrize("missing", ["ADULTWORK_CLIENT_ID", "ADULTWORK_CLIENT_SECRET"])
def test_a_missing_client_id_or_secret_is_an_error_of_the_deploy_check(real, missing):
    setattr(real, missing, "")

    assert said(ours(deploy=True)) == [
        (Error, "dashboard.E001", "ADULTWORK_CLIENT_ID and ADULTWORK_CLIENT_SECRET must be set.")
    ]
    assert ours(deploy=False) == []  # a developer's machine runs on the sandbox's


@pytest.mark.parametrize("name", ["ADULTWORK_API_URL", "ADULTWORK_AUTH_URL"])
@pytest.mark.parametrize("loopback", ["http://127.0.0.1:8100", "http://localhost:8100"])
def test_an_adultwork_address_on_loopback_is_a_warning_that_names_the_setting(real, name, loopback):
    setattr(real, name, loopback)

    assert said(ours(deploy=True)) == [
        (Warning, "dashboard.W001", f"{name} points at loopback: the sandbox?")
    ]


def test_no_token_encryption_key_is_an_error(real):
    real.TOKEN_ENCRYPTION_KEYS = []

    assert said(ours(deploy=True)) == [(Error, "dashboard.E002", "TOKEN_ENCRYPTION_KEYS is empty.")]


def test_every_problem_is_said_at_once(real):
    real.ADULTWORK_CLIENT_SECRET = ""
    real.ADULTWORK_API_URL = real.ADULTWORK_AUTH_URL = "http://127.0.0.1:8100"
    real.TOKEN_ENCRYPTION_KEYS = []

    assert [p.id for p in ours(deploy=True)] == [
        "dashboard.E001",
        "dashboard.W001",
        "dashboard.W001",
        "dashboard.E002",
    ]


def test_keys_that_are_no_pair_are_refused_by_every_check_not_only_the_deploy_one(real):
    real.VAPID_PUBLIC_KEY = generate_key_pair().public_key

    assert [p.id for p in ours(deploy=False)] == ["dashboard.E005"]


def test_the_demos_vapid_key_is_refused_by_the_deploy_check_only(real):
    from dashboard.settings import _DEV_VAPID_PRIVATE_KEY, _DEV_VAPID_PUBLIC_KEY

    real.VAPID_PRIVATE_KEY, real.VAPID_PUBLIC_KEY = _DEV_VAPID_PRIVATE_KEY, _DEV_VAPID_PUBLIC_KEY

    assert [p.id for p in ours(deploy=True)] == ["dashboard.E006"]
    assert ours(deploy=False) == []
