"""The people and bookings of a load run, made through the sandbox's control API and the
dashboard's own code: one sandbox performer per simulated person, with several pages of every
list and many pending requests, connected to a dashboard user of their own and synced (fully,
as a first sync is). Each person then acts only on their own account's requests, so two never
answer the same booking."""

import os
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, connection, transaction

from bench.remote import add_performer
from bench.report import progress
from bookings.management.commands.seed_demo import identity_of, sandbox_tokens
from bookings.models import Booking
from bookings.sync import LISTS, sync_account
from dashboard.adultwork import connect_account

LIST_BOOKINGS = 150  # per list and account: six pages of 25, of every status
REQUESTS = {"webcam": 30, "phonechat": 10}  # pending requests per account, beyond the lists'


@dataclass(frozen=True)
class Person:
    username: str
    account_id: int


def seed(control, *, people: int, password: str) -> list[Person]:
    started = time.perf_counter()
    control.reset(seed="empty")
    clients = [u["UserID"] for u in control.users() if u.get("Role") == "client"]
    # One hash for everyone: the production hasher's rounds take ~0.3 s of CPU a user.
    hashed = make_password(password)
    made = []
    for number in range(people):
        remote = add_performer(control, f"LoadPerformer{number:03d}")
        for service, direction in LISTS:
            control.generate(
                user_id=remote["UserID"], service=service, direction=direction, count=LIST_BOOKINGS
            )
        for service, count in REQUESTS.items():
            for index in range(count):
                accept_within = 90 + 7 * index  # deadlines spread over hours, none due in the run
                control.add_request(
                    performer_id=remote["UserID"],
                    service=service,
                    client_id=clients[(number + index) % len(clients)],
                    credits=20 + 5 * (index % 5),
                    accept_within_minutes=accept_within,
                    session_in_minutes=accept_within + 60,
                )
        owner = get_user_model().objects.create(
            username=f"load-{number:03d}", password=hashed, email=f"load-{number:03d}@load.invalid"
        )
        account = connect_account(
            owner=owner, identity=identity_of(remote), tokens=sandbox_tokens(control, remote)
        )
        sync_account(account=account, full=True)
        made.append(Person(username=owner.username, account_id=account.pk))
    settle()
    progress(
        f"  {people} people, {Booking.objects.count():,} bookings synced "
        f"({time.perf_counter() - started:.0f} s)"
    )
    return made


def settle() -> None:
    """Fresh planner statistics, and the seed's writes on disk before anything is timed:
    otherwise the kernel writes them back ~30 s later (dirty_expire_centisecs), in the middle
    of the timed run, and the burst stalls the requests of that moment."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        try:
            with transaction.atomic():
                cursor.execute("CHECKPOINT")
        except DatabaseError:  # only a superuser (or pg_checkpoint) may; the sync does the rest
            pass
    os.sync()


def remote_ids(pks: list[int]) -> dict[int, tuple[str, int]]:
    """The local booking ids the run acted on, as AdultWork knows them: (service, BookingID)."""
    rows = Booking.all_objects.filter(pk__in=pks).values_list("pk", "service", "remote_id")
    return {pk: (str(service), remote_id) for pk, service, remote_id in rows}
