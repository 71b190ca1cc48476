"""Test settings: fast, isolated, and the same code paths as production."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("TOKEN_ENCRYPTION_KEYS", "dGVzdC1vbmx5LXRva2VuLWtleS0zMi1ieXRlcy1vayE=")

from dashboard.settings import *  # noqa: F403
from dashboard.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Serve static files from the source folders, as DEBUG does, without a collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
ADULTWORK_GET_RETRIES = 0
ADULTWORK_TIMEOUT = 3.0
SECURE_SSL_REDIRECT = False
ALLOWED_HOSTS = ["*"]
ADULTWORK_CLIENT_ID = "sandbox-client"
ADULTWORK_CLIENT_SECRET = "sandbox-secret"  # nosec B105  # the sandbox's published secret

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not the in-memory default: in-memory SQLite shared between threads locks whole
    # tables and ignores the busy timeout, and the concurrency tests need real waiting.
    (BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
    # One file per run, so that two suites running at once never share it.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(BASE_DIR / "var" / f"test-db-{os.getpid()}.sqlite3")  # noqa: F405
    }
