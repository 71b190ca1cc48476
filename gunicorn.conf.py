"""Gunicorn for the site: `gunicorn dashboard.wsgi -c gunicorn.conf.py` (see the Procfile).

Everything here can be set from the environment; the defaults suit a machine of 2 cores.
The address is gunicorn's own default: 0.0.0.0:$PORT when PORT is set, else 127.0.0.1:8000.
"""

import os
import re

from gunicorn.glogging import Logger

# Threads, because a request may wait on AdultWork for up to the action budget while the
# interpreter is free: 3 processes x 8 threads serve 24 requests at once on 2 cores.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", 3))
threads = int(os.environ.get("GUNICORN_THREADS", 8))

# An action never holds a request longer than ACTION_BUDGET_SECONDS (dashboard/settings.py);
# a worker is only killed, or made to wait for its requests on a restart, well after that.
ACTION_BUDGET_SECONDS = int(os.environ.get("ACTION_BUDGET_SECONDS", 20))
timeout = ACTION_BUDGET_SECONDS + 10
graceful_timeout = ACTION_BUDGET_SECONDS + 10
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))

# The proxies whose X-Forwarded-Proto gunicorn believes (comma-separated addresses or networks).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Access log on stdout, one line a request, with the request's id as the site answered it in
# X-Request-ID (the proxy's when well-formed, else the site's own: dashboard/request_context.py),
# the same id as on the site's log lines; "-" for a response the site never saw.
# The path only: a query string may hold an OAuth code, and calendar feed tokens are masked.
accesslog = "-"
errorlog = "-"
access_log_format = (
    '%(h)s fwd=%({x-forwarded-for}i)s rid=%({x-request-id}o)s "%(m)s %(U)s" %(s)s %(B)s '
    '%(M)sms "%(a)s"'
)

# The workers' heartbeat files in memory, not on a disk that may stall (containers).
SHARED_MEMORY = "/dev/shm"  # noqa: S108  # nosec B108  # gunicorn's files there come from mkstemp
if os.path.isdir(SHARED_MEMORY):
    worker_tmp_dir = SHARED_MEMORY

SECRET_IN_PATH = re.compile(r"/calendar/[^/]+\.ics")


class AccessLogger(Logger):
    """Gunicorn's logger, with the secret of a calendar feed's address masked."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = SECRET_IN_PATH.sub("/calendar/***.ics", atoms["U"] or "")
        return atoms


logger_class = AccessLogger
