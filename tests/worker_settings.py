"""Settings of the `manage.py db_worker` processes a test starts: the test settings with the
database queue instead of the immediate one, and the test's own database and sandbox (given in
the environment by the test)."""

import os

from dashboard.settings_test import *  # noqa: F403
from dashboard.settings_test import DATABASES

DATABASES["default"]["NAME"] = os.environ["TEST_WORKER_DATABASE_NAME"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
ADULTWORK_API_URL = ADULTWORK_AUTH_URL = os.environ["TEST_WORKER_SANDBOX_URL"]
