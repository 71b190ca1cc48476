"""The VAPID key pair: the operator's command makes one, and the system checks refuse keys that
are not a pair, before a single push is refused for them."""

from io import StringIO

from django.core.management import call_command

from dashboard.checks import vapid_keys_are_real, vapid_keys_pair_up
from dashboard.settings import _DEV_VAPID_PRIVATE_KEY, _DEV_VAPID_PUBLIC_KEY
from dashboard.vapid import generate_key_pair, public_key_of, push_available


def ids(problems) -> list[str]:
    return [problem.id for problem in problems]


def test_the_command_prints_a_pair_the_checks_accept(settings):
    out = StringIO()
    call_command("vapid_keys", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().split())
    settings.VAPID_PRIVATE_KEY = lines["VAPID_PRIVATE_KEY"]
    settings.VAPID_PUBLIC_KEY = lines["VAPID_PUBLIC_KEY"]
    settings.VAPID_SUBJECT = "mailto:ops@example.com"
    assert vapid_keys_pair_up(None) == []
    assert vapid_keys_are_real(None) == []
    assert push_available()
    assert public_key_of(lines["VAPID_PRIVATE_KEY"]) == lines["VAPID_PUBLIC_KEY"]


def test_no_keys_is_push_off_and_no_problem(settings):
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
    assert vapid_keys_pair_up(None) == []
    assert not push_available()


def test_half_a_pair_is_an_error(settings):
    settings.VAPID_PRIVATE_KEY = generate_key_pair().private_key
    settings.VAPID_PUBLIC_KEY = ""
    assert ids(vapid_keys_pair_up(None)) == ["dashboard.E003"]


def test_keys_of_two_pairs_are_an_error(settings):
    settings.VAPID_PRIVATE_KEY = generate_key_pair().private_key
    settings.VAPID_PUBLIC_KEY = generate_key_pair().public_key
    assert ids(vapid_keys_pair_up(None)) == ["dashboard.E005"]


def test_a_private_key_that_is_no_key_is_an_error(settings):
    settings.VAPID_PUBLIC_KEY = generate_key_pair().public_key
    for wrong in ("not base64 at all!", "c2hvcnQ", "_" * 43):
        settings.VAPID_PRIVATE_KEY = wrong
        assert ids(vapid_keys_pair_up(None)) == ["dashboard.E004"], wrong


def test_a_subject_push_services_refuse_is_a_warning(settings):
    keys = generate_key_pair()
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = keys.private_key, keys.public_key
    settings.VAPID_SUBJECT = "ops@example.com"
    assert ids(vapid_keys_pair_up(None)) == ["dashboard.W002"]


def test_the_demos_published_key_is_refused_by_the_deploy_check(settings):
    settings.VAPID_PRIVATE_KEY = _DEV_VAPID_PRIVATE_KEY
    settings.VAPID_PUBLIC_KEY = _DEV_VAPID_PUBLIC_KEY
    settings.VAPID_SUBJECT = "mailto:bookings@localhost"
    assert vapid_keys_pair_up(None) == []  # a pair, fine for the demo
    assert ids(vapid_keys_are_real(None)) == ["dashboard.E006", "dashboard.W003"]
