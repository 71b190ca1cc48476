"""A throwaway database: created and migrated for the run, dropped afterwards."""

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model
from django.test.utils import setup_databases, teardown_databases

from bookings.models import Booking


@contextmanager
def throwaway_database(sqlite_path: str) -> Iterator[None]:
    """SQLite: a fresh file at `sqlite_path`. Anything else (DATABASE_URL): a dedicated
    database created next to the one named, which stays untouched, and dropped at the end."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        test_name = sqlite_path
    else:
        test_name = f"bench_{settings_dict['NAME']}_{os.getpid()}"
    settings_dict.setdefault("TEST", {})["NAME"] = test_name
    old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    try:
        yield
    finally:
        teardown_databases(old_config, verbosity=0)


def analyze() -> None:
    """Refresh the planner's statistics, so it sees the table as it now is."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(Booking._meta.db_table)}")


def empty_bookings() -> None:
    Booking.all_objects.all().delete()  # the gone ones too
    analyze()


def insert_rows(model: type[Model], rows: Sequence[dict]) -> None:
    """INSERT rows (dicts of attname to value; a missing one takes the field's default) with
    one executemany. The values are those bulk_create would write, at a fraction of its cost:
    bulk_create takes ~30 s for 100,000 bookings here, most of it compiling its statement."""
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy, which costs a lookup per value
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    defaults = {field.attname: field.get_default() for field in fields}
    quote = db.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # nosec B608  # quoted model names; values are params
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    params = [
        [
            field.get_db_prep_save(row.get(field.attname, defaults[field.attname]), db)
            for field in fields
        ]
        for row in rows
    ]
    with db.cursor() as cursor:
        cursor.executemany(sql, params)
