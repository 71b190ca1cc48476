"""Several `db_worker` processes share the one queue in the database: every sync the scheduler
enqueued runs once, whichever worker takes it, and no account is synced twice at once."""

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from bookings.models import SyncRun
from bookings.schedule import enqueue_due
from tests.conftest import connect
from tests.factories import UserFactory

PERFORMERS = ("ScarlettRose", "IvyBlaze", "JadeMoon", "RubyLace")
WORKERS = 2


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_run_every_queued_sync_once(sandbox, sandbox_users, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    owner = UserFactory(username="agency-owner")
    accounts = [connect(sandbox, user=owner, sandbox_user=sandbox_users[n]) for n in PERFORMERS]
    # Slow enough that both workers are busy at once.
    sandbox.add_fault(path="/v1/Webcam/ReceivedBookings", kind="latency", delay=0.3, times=None)

    enqueued = enqueue_due()
    assert sorted(enqueued) == sorted(a.pk for a in accounts)
    assert enqueue_due() == []  # a second tick finds every account queued already

    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "TEST_WORKER_DATABASE_NAME": str(connection.settings_dict["NAME"]),
        "TEST_WORKER_SANDBOX_URL": settings.ADULTWORK_API_URL,
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
            cwd=Path(__file__).resolve().parents[2],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(WORKERS)
    ]
    try:
        errors = [worker.communicate(timeout=90)[1].decode() for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
    assert [worker.returncode for worker in workers] == [0] * WORKERS, errors

    results = DBTaskResult.objects.filter(task_path="bookings.tasks.sync_account_task")
    assert Counter(results.values_list("status", flat=True)) == {"SUCCESSFUL": len(PERFORMERS)}
    assert all(len(r.worker_ids) == 1 for r in results)
    runs = Counter(SyncRun.objects.filter(ok=True).values_list("account_id", flat=True))
    assert runs == {a.pk: 1 for a in accounts}
