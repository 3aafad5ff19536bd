"""A throwaway database for one bench run: a SQLite file in a temp dir, or a fresh PostgreSQL database
created next to the one ``--database-url`` names and dropped afterwards. Must be set up before
``django.setup()`` because settings read ``DATABASE_URL`` once."""

import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


@contextmanager
def throwaway_database(database_url: str | None) -> Iterator[str]:
    """Yield the URL of an empty database; remove it on exit."""
    with tempfile.TemporaryDirectory(prefix="zhifa-bench-") as tmp:
        os.environ["ZHIFA_VAR_DIR"] = tmp
        if not database_url:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            os.environ["DATABASE_URL"] = url
            yield url
            return
        with postgres_database(database_url, prefix="zhifa_bench") as url:
            os.environ["DATABASE_URL"] = url
            yield url


@contextmanager
def postgres_database(database_url: str, *, prefix: str) -> Iterator[str]:
    """A fresh PostgreSQL database on the server ``database_url`` names (also used by ``make fuzz``)."""
    import psycopg

    parts = urlsplit(database_url)
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        from django.conf import settings
        from django.db import connections

        if settings.configured:  # the bench's own connections; make fuzz runs its server in another process
            connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
