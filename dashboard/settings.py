"""Settings for every environment, read from the environment (12-factor).

Production is simply DEBUG off: every AdultWork address and secret must then be given
explicitly, and the dev-only defaults below refuse to apply.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# Dev-only defaults: real deployments must set these, and DEBUG off refuses the fallbacks.
_DEV_SECRET_KEY = "django-insecure-dev-only-key-do-not-use-in-production"  # nosec B105  # DEBUG only
_DEV_TOKEN_KEY = "ZGV2LW9ubHktdG9rZW4ta2V5LW5vdC1mb3ItcHJvZCE="  # nosec B105  # DEBUG only
# A Web Push (VAPID) key pair for the demo only (check --deploy refuses it);
# `manage.py vapid_keys` makes a real one.
_DEV_VAPID_PRIVATE_KEY = "YJaf6ScUuKfrEezMwBIMWn3RADrXL0RE1P0ne7uA2iM"  # DEBUG only
_DEV_VAPID_PUBLIC_KEY = (
    "BATsqfpa_bsIihNPM4vJ_cN7UConP1ayhiHU1Cq_Pns0ni0DbZVvQ385to3jXx7Bzd6Z5foyLlx6T3IMKJf-fJw"
)

SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else None)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "django_htmx",
    "django_tasks_db",
    "crontask",
    "axes",
    "dashboard",
    "bookings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so that what the middleware below logs carries the request's id too.
    "dashboard.request_context.RequestContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dashboard.middleware.ViewerTimezoneMiddleware",
    # Last, as django-axes asks: it locks out repeated failed sign-ins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords for one username from one address lock that pair for an hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_HOURS", default=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "dashboard/locked_out.html"
# The address it counts by: behind N trusted reverse proxies (AXES_PROXY_COUNT), the N-th entry
# from the right of X-Forwarded-For, which the outermost of them wrote; with 0, the default,
# REMOTE_ADDR and never the header. Read by our callable: axes' own use of this setting needs
# django-ipware, which is not installed.
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "dashboard.client_ip.client_ip_address"

ROOT_URLCONF = "dashboard.urls"
WSGI_APPLICATION = "dashboard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bookings.context_processors.live",
                "dashboard.context_processors.adultwork",
            ],
        },
    },
]
# Forms render through the project's templates, so that {{ field.as_field_group }} draws a
# field as every page does: label, error (which the widget's aria-describedby names), input.
FORM_RENDERER = "dashboard.forms.FieldRenderer"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the worker and the site write the same file without
    # "database is locked" errors; IMMEDIATE makes select_for_update-style locking real.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions read through the cache: a live page's unchanged poll then costs the database only
# the user and the page's version (the database stays the record, so nothing is lost).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "bookings:inbox"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# The zone a viewer sees when they have not chosen one; each user may pick their own.
DEFAULT_VIEWER_TIME_ZONE = env.str("DEFAULT_VIEWER_TIME_ZONE", default="Europe/London")

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# No inline script or style anywhere: htmx's own script gets the nonce through
# {% htmx_script %}, everything else is a file from 'self'.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF, *env.list("CSP_FORM_ACTION_EXTRA", default=[])],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads nothing from it: the token comes from <body hx-headers>
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The load balancer's probe may speak plain HTTP to gunicorn; /healthz tells it no secret.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # HSTS: browsers refuse plain HTTP to this host (and, by default, its subdomains) for a
    # year, and the host may be submitted to the browsers' preload list. See README.
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# AdultWork. The hosts are settings so that the demo and the tests point at the sandbox.
ADULTWORK_API_URL = env.str("ADULTWORK_API_URL", default="https://api.adultwork.com")
ADULTWORK_AUTH_URL = env.str("ADULTWORK_AUTH_URL", default="https://platform.adultwork.com")
ADULTWORK_CLIENT_ID = env.str("ADULTWORK_CLIENT_ID", default="")
ADULTWORK_CLIENT_SECRET = env.str("ADULTWORK_CLIENT_SECRET", default="")
# The redirect URI registered for the application; AdultWork compares it exactly. Empty: the
# dashboard's own /accounts/connect/callback/ on the host it is served from.
ADULTWORK_REDIRECT_URI = env.str("ADULTWORK_REDIRECT_URI", default="")
# Assumed, not documented: the zone of the offset-less date-times the API sends.
ADULTWORK_TIME_ZONE = env.str("ADULTWORK_TIME_ZONE", default="Europe/London")
ADULTWORK_TIMEOUT = env.float("ADULTWORK_TIMEOUT", default=10.0)
ADULTWORK_GET_RETRIES = env.int("ADULTWORK_GET_RETRIES", default=2)
ADULTWORK_PAGE_SIZE = env.int("ADULTWORK_PAGE_SIZE", default=100)
# Refresh an access token this many seconds before AdultWork would expire it.
ADULTWORK_TOKEN_REFRESH_MARGIN = env.int("ADULTWORK_TOKEN_REFRESH_MARGIN", default=120)

# Fernet keys for tokens at rest, newest first; older keys only decrypt (MultiFernet).
TOKEN_ENCRYPTION_KEYS = env.list("TOKEN_ENCRYPTION_KEYS", default=[_DEV_TOKEN_KEY] if DEBUG else [])

# Finished bookings (rejected, confirmed, cancelled) whose session is older than this many
# days are purged by `purge_finished_bookings`; 0 keeps them for ever.
BOOKING_RETENTION_DAYS = env.int("BOOKING_RETENTION_DAYS", default=365)

# How often an account is synced: often while it has a request awaiting an answer (it may go
# to whoever accepts first), seldom otherwise.
SYNC_INTERVAL_SHORT_SECONDS = env.int("SYNC_INTERVAL_SHORT_SECONDS", default=60)
SYNC_INTERVAL_LONG_SECONDS = env.int("SYNC_INTERVAL_LONG_SECONDS", default=15 * 60)
# A full sync re-reads every page and marks what AdultWork no longer returns as gone.
SYNC_FULL_INTERVAL_SECONDS = env.int("SYNC_FULL_INTERVAL_SECONDS", default=24 * 60 * 60)
# How long after its session or accept-by a booking is still re-read as one that can change.
SYNC_GRACE_SECONDS = env.int("SYNC_GRACE_SECONDS", default=60 * 60)
# After failures, an account waits twice as long each time, up to this.
SYNC_BACKOFF_MAX_SECONDS = env.int("SYNC_BACKOFF_MAX_SECONDS", default=60 * 60)
# How often the scheduler looks for accounts that are due.
SYNC_TICK_SECONDS = env.int("SYNC_TICK_SECONDS", default=15)
# A sync queued or running for longer than this belongs to a worker that died.
SYNC_LEASE_SECONDS = env.int("SYNC_LEASE_SECONDS", default=30 * 60)
# How many of an account's lists a sync reads side by side, each through a connection of its
# own: AdultWork prepares one list's next page while this side reads another's. 1 reads them
# one after the other.
SYNC_READERS = env.int("SYNC_READERS", default=2)

# A web request never waits on AdultWork longer than this, all its calls together (an action,
# its token refresh, its re-read): gunicorn.conf.py gives workers more time than this.
ACTION_BUDGET_SECONDS = env.int("ACTION_BUDGET_SECONDS", default=20)
# After this many calls in a row get no answer, a process stops calling AdultWork for
# ADULTWORK_CIRCUIT_RESET_SECONDS: actions then fail at once, saying nothing was sent.
ADULTWORK_CIRCUIT_FAILURES = env.int("ADULTWORK_CIRCUIT_FAILURES", default=5)
ADULTWORK_CIRCUIT_RESET_SECONDS = env.int("ADULTWORK_CIRCUIT_RESET_SECONDS", default=30)
# /healthz calls the worker stale when its last heartbeat (django-crontask enqueues one every
# minute, the worker runs it) finished longer ago than this.
HEALTH_WORKER_STALE_SECONDS = env.int("HEALTH_WORKER_STALE_SECONDS", default=3 * 60)

# Every sync leaves a task result behind; the worker prunes those older than this, hourly.
TASK_RESULTS_KEEP_DAYS = env.int("TASK_RESULTS_KEEP_DAYS", default=2)

TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# "json" (one object a line, for a log service) or "text" (for people: the demo, DEBUG on).
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f'LOG_FORMAT must be "json" or "text", not {LOG_FORMAT!r}.')

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        # Redact first: it hands the next filter and the formatter a redacted copy.
        "redact": {"()": "dashboard.log_redaction.RedactFilter"},
        "request_context": {
            "()": "dashboard.request_context.RequestContextFilter",
            "missing": None if LOG_FORMAT == "json" else "-",
        },
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["levelname", "name", "message", "request_id", "user_id"],
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact", "request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # The scheduler logs every run of every job; its warnings and errors are what matter.
        "apscheduler": {"level": "WARNING"},
    },
}

# Password-reset mail: printed to the console in development, sent by SMTP otherwise.
MAILERS = {
    "default": {
        "BACKEND": env.str(
            "EMAIL_BACKEND",
            default="django.core.mail.backends."
            + ("console.EmailBackend" if DEBUG else "smtp.EmailBackend"),
        ),
        "OPTIONS": {}
        if DEBUG
        else {
            "host": env.str("EMAIL_HOST", default="localhost"),
            "port": env.int("EMAIL_PORT", default=587),
            "username": env.str("EMAIL_HOST_USER", default=""),
            "password": env.str("EMAIL_HOST_PASSWORD", default=""),
            "use_tls": env.bool("EMAIL_USE_TLS", default=True),
        },
    }
}
# The dashboard's own address, for the links in alert emails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="AW Bookings <bookings@localhost>")

# Web Push: alerts delivered by the browser's push service when no dashboard tab is open. The
# VAPID key pair signs each push (base64url: the raw 32-byte private key and the uncompressed
# public point; `manage.py vapid_keys` prints a fresh pair), and the subject tells the push
# services whom to contact (a mailto: or https: address). Without the keys push is off.
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default=_DEV_VAPID_PRIVATE_KEY if DEBUG else "")
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default=_DEV_VAPID_PUBLIC_KEY if DEBUG else "")
VAPID_SUBJECT = env.str(
    "VAPID_SUBJECT",
    default=SITE_URL if SITE_URL.startswith("https://") else "mailto:bookings@localhost",
)
# Each push is one POST to the browser's push service: it waits at most this long.
PUSH_TIMEOUT = env.float("PUSH_TIMEOUT", default=5.0)
# The push services a subscription may point at (a host, or any host under it): the worker
# POSTs to the endpoint a browser gave, so an endpoint elsewhere is refused when subscribing.
PUSH_SERVICE_HOSTS = env.list(
    "PUSH_SERVICE_HOSTS",
    default=[
        "fcm.googleapis.com",  # Chrome, Edge on Android, Samsung Internet, Opera, Brave
        "android.googleapis.com",
        "push.services.mozilla.com",  # Firefox
        "notify.windows.com",  # Edge on Windows
        "push.apple.com",  # Safari, and web apps added to the Home Screen on iOS
    ],
)
# Plain-HTTP endpoints on loopback: only for a push receiver in tests or on a developer's machine.
PUSH_ALLOW_LOOPBACK = env.bool("PUSH_ALLOW_LOOPBACK", default=DEBUG)
