import re

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


def test_the_sign_in_form_comes_back_with_the_username_typed_but_never_the_password(client, db):
    UserFactory(username="performer")
    page = client.post(reverse("login"), {"username": "performer", "password": "nope"}).text
    assert re.search(r'<label for="id_username">Username</label>', page)
    assert re.search(r'<input type="text" name="username" [^>]*value="performer"', page)
    assert re.search(r'name="username"[^>]*autocomplete="username"', page)
    assert re.search(r'name="password"[^>]*autocomplete="current-password"', page)
    assert "nope" not in page


def test_a_new_password_that_does_not_match_is_refused_at_its_field(client, db, mailoutbox):
    UserFactory(username="forgetful", email="forgetful@example.com")
    client.post(reverse("password_reset"), {"email": "forgetful@example.com"})
    link = next(line for line in mailoutbox[0].body.splitlines() if "/password-reset/" in line)
    form = client.get(link[link.index("/password-reset/") :].strip(), follow=True)
    page = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-much-better-pass-42", "new_password2": "something-else-42"},
    ).text
    assert '<label for="id_new_password2">The same again</label>' in page
    assert re.search(r'id="id_new_password2_error"[^>]*>The two password fields', page)
    assert 'aria-describedby="id_new_password2_error"' in page
    assert 'aria-describedby="id_new_password1_helptext"' in page
    assert "<ul>" not in page[page.index("id_new_password1_helptext") :]


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


def test_repeated_wrong_passwords_lock_the_sign_in_out(client, db):
    UserFactory(username="performer")
    for _ in range(5):
        client.post(reverse("login"), {"username": "performer", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "performer", "password": "secret-pass-123"}
    )
    assert response.status_code == 429
    assert "Too many wrong passwords" in response.text
    assert "_auth_user_id" not in client.session


def test_a_password_reset_link_arrives_by_email_and_sets_a_new_password(client, db, mailoutbox):
    user = UserFactory(username="forgetful", email="forgetful@example.com")
    client.post(reverse("password_reset"), {"email": "forgetful@example.com"})
    [mail] = mailoutbox
    link = next(line for line in mail.body.splitlines() if "/password-reset/" in line)
    path = link[link.index("/password-reset/") :].strip()
    form = client.get(path, follow=True)
    assert "Choose a new password" in form.text
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-much-better-pass-42", "new_password2": "a-much-better-pass-42"},
    )
    user.refresh_from_db()
    assert user.check_password("a-much-better-pass-42")


def test_a_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client, db, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"}, follow=True)
    assert "Check your email" in response.text
    assert mailoutbox == []


def test_production_settings_make_cookies_secure(settings):
    import importlib
    import os

    import dashboard.settings as production

    previous = os.environ.get("DEBUG")
    os.environ["DEBUG"] = "false"
    try:
        importlib.reload(production)
        assert production.SESSION_COOKIE_SECURE
        assert production.CSRF_COOKIE_SECURE
        assert production.SECURE_SSL_REDIRECT
        assert production.SECURE_HSTS_SECONDS > 0
    finally:
        if previous is None:
            os.environ.pop("DEBUG", None)
        else:
            os.environ["DEBUG"] = previous
        importlib.reload(production)
