"""A throwaway PostgreSQL database next to the one DATABASE_URL names: created for the run,
dropped at the end even while something still holds a connection to it."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import environ
import psycopg
from psycopg import sql

LOCAL_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


def server_url() -> str:
    """DATABASE_URL when it names PostgreSQL, else the local server (user postgres)."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://", "pgsql://")) else LOCAL_SERVER


def _connect(url: str) -> psycopg.Connection:
    config = environ.Env.db_url_config(url)
    return psycopg.connect(
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        dbname=config["NAME"],
        autocommit=True,
        connect_timeout=10,
    )


@contextmanager
def throwaway_database(url: str) -> Iterator[str]:
    """Yields the DATABASE_URL of a new, empty database on the server of `url`."""
    name = f"aw_load_{os.getpid()}"
    with _connect(url) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlsplit(url)._replace(path=f"/{name}").geturl()
    finally:
        with _connect(url) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
