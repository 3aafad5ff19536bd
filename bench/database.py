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
        with _postgres_database(database_url) as url:
            os.environ["DATABASE_URL"] = url
            yield url


@contextmanager
def _postgres_database(database_url: str) -> Iterator[str]:
    import psycopg

    parts = urlsplit(database_url)
    name = f"zhifa_bench_{secrets.token_hex(4)}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
