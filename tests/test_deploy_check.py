"""The production profile: Django's deploy checks, collectstatic and gunicorn's settings.

Each check runs `manage.py` in a process of its own, with DEBUG off and every secret set as the
README's "Running it for real" says, so that the production settings are the ones imported.
"""

import importlib.util
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from gunicorn.config import Config
from gunicorn.glogging import SafeAtoms

BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    """A production environment, explicit down to the security settings a .env could change."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "bookings.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://bookings.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "ADULTWORK_CLIENT_ID": "production-client",
        "ADULTWORK_CLIENT_SECRET": secrets.token_urlsafe(32),
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SECURE_SSL_REDIRECT": "true",
        "SESSION_COOKIE_SECURE": "true",
        "CSRF_COOKIE_SECURE": "true",
        "SECURE_HSTS_SECONDS": str(365 * 24 * 60 * 60),
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
        "SECURE_HSTS_PRELOAD": "true",
    }


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return manage(env, "check", "--deploy", "--fail-level", "WARNING")


def test_the_deploy_check_passes_with_no_warning(production_env):
    result = deploy_check(production_env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output.upper().replace("--FAIL-LEVEL WARNING", "")


def test_the_defaults_are_the_safe_ones(production_env):
    for name in ("SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD"):
        del production_env[name]
    result = deploy_check(production_env)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("name", "value", "warning"),
    [
        ("SECURE_HSTS_INCLUDE_SUBDOMAINS", "false", "security.W005"),
        ("SECURE_HSTS_PRELOAD", "false", "security.W021"),
        ("SECURE_HSTS_SECONDS", "0", "security.W004"),
        ("SECURE_SSL_REDIRECT", "false", "security.W008"),
        ("SESSION_COOKIE_SECURE", "false", "security.W012"),
    ],
)
def test_turning_a_protection_off_fails_the_check(production_env, name, value, warning):
    production_env[name] = value
    result = deploy_check(production_env)
    assert result.returncode != 0
    assert warning in result.stdout + result.stderr


def test_collectstatic_builds_the_compressed_manifest_that_whitenoise_serves(
    production_env, tmp_path
):
    """The production settings, with only STATIC_ROOT moved out of the work tree."""
    static_root = tmp_path / "staticfiles"
    (tmp_path / "static_root_settings.py").write_text(
        f"from dashboard.settings import *  # noqa: F403\nSTATIC_ROOT = {str(static_root)!r}\n"
    )
    env = production_env | {
        "DJANGO_SETTINGS_MODULE": "static_root_settings",
        "PYTHONPATH": str(tmp_path),
    }
    result = manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    assert result.returncode == 0, result.stdout + result.stderr

    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/app.css"]
    assert hashed != "css/app.css"
    assert (static_root / hashed).is_file()
    assert (static_root / f"{hashed}.gz").is_file()
    assert "admin/css/base.css" in manifest

    served = subprocess.run(
        [sys.executable, "-c", SERVE_ONE_FILE, "css/app.css"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert served.returncode == 0, served.stderr
    status, url, cache_control = served.stdout.strip().split("\n")
    assert (status, url) == ("200", f"/static/{hashed}")
    assert "immutable" in cache_control


SERVE_ONE_FILE = """
import sys
import django
django.setup()
from django.templatetags.static import static
from django.test import Client
url = static(sys.argv[1])
response = Client().get(url, headers={"host": "bookings.example.com", "x-forwarded-proto": "https"})
print(response.status_code, url, response.get("Cache-Control", ""), sep="\\n")
"""


def load_gunicorn_conf(monkeypatch, **environ: str):
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "ACTION_BUDGET_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("gunicorn_conf", BASE_DIR / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gunicorn_outlasts_the_action_budget(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch)
    assert conf.worker_class == "gthread"
    assert (conf.workers, conf.threads) == (3, 8)
    assert conf.timeout > conf.ACTION_BUDGET_SECONDS == 20
    assert conf.timeout > getattr(settings, "ACTION_BUDGET_SECONDS", 20)
    assert conf.graceful_timeout > conf.ACTION_BUDGET_SECONDS
    assert conf.accesslog == "-"
    # The id the app answers with: the proxy's when well formed, else one it made.
    assert "%({x-request-id}o)s" in conf.access_log_format


def test_gunicorn_reads_its_numbers_from_the_environment(monkeypatch):
    conf = load_gunicorn_conf(
        monkeypatch, WEB_CONCURRENCY="5", GUNICORN_THREADS="2", ACTION_BUDGET_SECONDS="45"
    )
    assert (conf.workers, conf.threads) == (5, 2)
    assert conf.timeout > 45


GUNICORN_SETTINGS = (
    "worker_class",
    "workers",
    "threads",
    "timeout",
    "graceful_timeout",
    "keepalive",
    "forwarded_allow_ips",
    "accesslog",
    "errorlog",
    "access_log_format",
    "logger_class",
)


def test_gunicorn_takes_the_settings_and_its_access_log_masks_secrets(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch)
    config = Config()
    for name in GUNICORN_SETTINGS:
        config.set(name, getattr(conf, name))  # gunicorn validates each value here
    logger = config.logger_class(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/bookings/calendar/s3cret-feed-token.ics?code=oauth-code",
        "PATH_INFO": "/bookings/calendar/s3cret-feed-token.ics",
        "QUERY_STRING": "code=oauth-code",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
    }
    request = SimpleNamespace(headers=[("X-REQUEST-ID", "req-42")])
    response = SimpleNamespace(status="200 OK", sent=10, headers=[("X-Request-ID", "req-42")])
    atoms = logger.atoms(response, request, environ, SimpleNamespace(seconds=0, microseconds=0))
    line = config.access_log_format % SafeAtoms(atoms)
    assert "rid=req-42" in line
    assert "/bookings/calendar/***.ics" in line
    assert "s3cret" not in line
    assert "oauth-code" not in line
