"""/healthz: may the load balancer send traffic here, and is the worker alive?

Three checks, each answered by one word so that nothing internal leaks: the database answers a
`SELECT 1`, no migration is pending, and the worker ran the scheduler's heartbeat recently
(django-crontask enqueues `crontask.tasks.heartbeat` every minute; `db_worker` runs it). 200 when
all three are "ok", 503 otherwise. No sign-in: a probe has none, and the answer holds no secret.
"""

import logging
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

# crontask.tasks.heartbeat.module_path, not imported: importing it registers the cron job in
# this process's (never started) scheduler. A test holds the two equal.
HEARTBEAT_TASK_PATH = "crontask.tasks.heartbeat"


class _Memo:
    """What this process already knows and cannot unlearn without a restart.

    Migrations cannot become pending under a running process (new code means a new process), so
    once the plan is empty it is never computed again. A heartbeat seen at T proves the worker
    fresh until T + stale: while well inside that, the table (which has no index for this) is
    not read again. A stale or missing heartbeat is always looked up afresh.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.migrated = False
            self.last_heartbeat: datetime | None = None


memo = _Memo()


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("healthz: the database did not answer", exc_info=True)
        return "unavailable"
    return "ok"


def migrations_state() -> str:
    if memo.migrated:
        return "ok"
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return "pending"
    memo.migrated = True
    return "ok"


def worker_state(now: datetime) -> str:
    stale = timedelta(seconds=settings.HEALTH_WORKER_STALE_SECONDS)
    last = memo.last_heartbeat
    if last is None or now - last >= stale / 2:
        last = (
            DBTaskResult.objects.filter(
                task_path=HEARTBEAT_TASK_PATH, status=TaskResultStatus.SUCCESSFUL
            )
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
        )
        if last is None:
            return "never seen"
        with memo.lock:
            if memo.last_heartbeat is None or last > memo.last_heartbeat:
                memo.last_heartbeat = last
    return "ok" if now - last < stale else "stale"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    answer = {"database": database_state(), "migrations": "unknown", "worker": "unknown"}
    if answer["database"] == "ok":
        try:
            answer["migrations"] = migrations_state()
            answer["worker"] = worker_state(timezone.now())
        except DatabaseError:
            logger.warning("healthz: a check failed in the database", exc_info=True)
    healthy = all(state == "ok" for state in answer.values())
    return JsonResponse(answer, status=200 if healthy else 503)
