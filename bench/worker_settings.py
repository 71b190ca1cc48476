"""Settings of the `manage.py db_worker` processes the scale benchmark starts: the test
settings, with the database queue instead of the immediate one, the bench's throwaway database
and the bench's sandbox (both given in the environment by bench.scale)."""

import os

from dashboard.settings_test import *  # noqa: F403
from dashboard.settings_test import DATABASES

DATABASES["default"]["NAME"] = os.environ["BENCH_DATABASE_NAME"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
ADULTWORK_API_URL = ADULTWORK_AUTH_URL = os.environ["BENCH_SANDBOX_URL"]
ADULTWORK_GET_RETRIES = 2  # as in production, and as bench.remote.PRODUCTION_RETRIES
