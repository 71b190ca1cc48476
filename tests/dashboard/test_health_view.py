"""/healthz: the database, pending migrations and the worker's heartbeat, in three words."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import DatabaseError
from django.db.migrations.executor import MigrationExecutor
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dashboard import health

URL = reverse("healthz")
STALE = 180
ALL_OK = {"database": "ok", "migrations": "ok", "worker": "ok"}


@pytest.fixture(autouse=True)
def fresh_process(settings):
    """Each test starts as a new process would, and leaves nothing remembered behind."""
    settings.HEALTH_WORKER_STALE_SECONDS = STALE
    health.memo.reset()
    yield
    health.memo.reset()


def beat(seconds_ago: float, *, status=TaskResultStatus.SUCCESSFUL, path=None) -> DBTaskResult:
    """A heartbeat the worker finished `seconds_ago`, as django-tasks-db records it."""
    finished = timezone.now() - timedelta(seconds=seconds_ago)
    return DBTaskResult.objects.create(
        task_path=path or health.HEARTBEAT_TASK_PATH,
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        run_after=finished,
        started_at=finished,
        finished_at=finished,
    )


def test_healthy_answers_200_with_three_words_and_is_never_cached(client, db):
    beat(30)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json() == ALL_OK
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_a_fresh_heartbeat_is_ok_even_when_older_ones_failed_or_went_stale(client, db):
    beat(600)
    beat(5, status=TaskResultStatus.FAILED)
    beat(STALE - 20)
    response = client.get(URL)
    assert (response.status_code, response.json()["worker"]) == (200, "ok")


def test_no_heartbeat_ever_is_503_never_seen(client, db):
    response = client.get(URL)
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "migrations": "ok", "worker": "never seen"}


def test_only_a_successful_heartbeat_counts(client, db):
    beat(5, status=TaskResultStatus.FAILED)
    beat(5, status=TaskResultStatus.RUNNING)
    beat(5, path="bookings.tasks.enqueue_due_syncs")
    response = client.get(URL)
    assert (response.status_code, response.json()["worker"]) == (503, "never seen")


def test_a_stale_heartbeat_is_503_stale(client, db):
    beat(STALE + 1)
    response = client.get(URL)
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "migrations": "ok", "worker": "stale"}


def test_a_remembered_heartbeat_that_goes_stale_is_looked_up_again(client, db, monkeypatch):
    beat(10)
    assert client.get(URL).status_code == 200
    later = timezone.now() + timedelta(seconds=STALE)
    monkeypatch.setattr(health, "timezone", SimpleNamespace(now=lambda: later))
    response = client.get(URL)
    assert (response.status_code, response.json()["worker"]) == (503, "stale")
    beat(0)
    monkeypatch.setattr(health, "timezone", timezone)
    assert client.get(URL).status_code == 200


def test_a_recent_heartbeat_is_not_read_again_on_every_probe(client, db, django_assert_num_queries):
    beat(10)
    assert client.get(URL).status_code == 200
    with django_assert_num_queries(1):  # the SELECT 1 alone
        assert client.get(URL).status_code == 200


def test_pending_migrations_are_503(client, db, monkeypatch):
    beat(10)
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("m", False)])
    response = client.get(URL)
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "migrations": "pending", "worker": "ok"}


def test_migrations_once_applied_are_not_planned_again_in_this_process(client, db, monkeypatch):
    beat(10)
    assert client.get(URL).status_code == 200

    def must_not_plan(self, targets):
        raise AssertionError("planned the migrations again")

    monkeypatch.setattr(MigrationExecutor, "migration_plan", must_not_plan)
    assert client.get(URL).status_code == 200


def test_a_database_that_does_not_answer_is_503_and_says_no_more(client, db, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise DatabaseError("connection refused to 10.0.0.5 as user aw")

    monkeypatch.setattr(health, "connection", Unreachable())
    response = client.get(URL)
    assert response.status_code == 503
    assert response.json() == {
        "database": "unavailable",
        "migrations": "unknown",
        "worker": "unknown",
    }
    assert b"10.0.0.5" not in response.content


def test_head_is_answered_and_post_refused(client, db):
    beat(10)
    assert client.head(URL).status_code == 200
    assert client.post(URL).status_code == 405


def test_the_probe_is_not_redirected_to_https_while_pages_are(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    beat(10)
    assert client.get(URL).status_code == 200
    assert client.get(reverse("login")).status_code == 301


def test_the_heartbeat_path_is_the_one_crontask_enqueues():
    from crontask.tasks import heartbeat

    assert heartbeat.module_path == health.HEARTBEAT_TASK_PATH
