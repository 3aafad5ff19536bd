"""The development secret key: random, made once per checkout, kept beside the embedded database.

Read by config/settings.py before Django is set up, so it imports nothing from Django.
"""

import os
import secrets
from pathlib import Path


def development_secret_key(path: Path) -> str:
    """The key stored at ``path``; on first use a random one is written there, readable by its owner only.

    Several processes start together (``make run``: server, worker, clock watcher): the key is written to a
    file of this process's own and linked into place, which fails if another process got there first — so
    nobody ever reads a half-written key, and every process ends up with the same one."""
    if path.exists():
        return path.read_text().strip()
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_urlsafe(50))
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path.read_text().strip()
