from django.urls import reverse

from tests.factories import UserFactory


def test_the_home_page_sends_visitors_to_sign_in(client, db):
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "Sign in" in response.text


def test_signing_in_lands_on_the_inbox(client, db):
    UserFactory(username="performer")
    response = client.post(
        reverse("login"), {"username": "performer", "password": "secret-pass-123"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("bookings:inbox")
    assert "Needs action" in response.text


def test_a_wrong_password_says_so_without_saying_which_part(client, db):
    UserFactory(username="performer")
    response = client.post(reverse("login"), {"username": "performer", "password": "nope"})
    assert response.status_code == 200
    assert "do not match" in response.text


def test_signing_out_takes_a_post_and_ends_the_session(client, db):
    client.force_login(UserFactory())
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("bookings:inbox")).status_code == 302


def test_pages_carry_a_content_security_policy_without_inline_scripts(client, db):
    client.force_login(UserFactory())
    response = client.get(reverse("bookings:inbox"))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    for tag in response.text.split("<script")[1:]:
        assert f'nonce="{nonce}"' in tag or "src=" in tag.split(">")[0]
