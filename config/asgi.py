"""The ASGI entry point (uvicorn), with a bound on API requests in progress per server process.

Django runs each request's synchronous code in a thread of its own under ASGI. With 16 API clients at once
that is 16 threads per process taking turns on one interpreter lock: each request's transaction stretches
over everyone's time slices (its SQLite write lock and its row locks with it), and the last requests wait
seconds. Python code gains nothing from a second thread in the same process, so API requests wait for a
slot here instead — in arrival order, without holding anything — and the processes (uvicorn ``--workers``)
give the parallelism. Measured in ADR 0004: throughput up by a third to a half, p99 from seconds to
under half a second. Other paths (the pages, the command centre's live stream) are not limited: a stream
holds its request open for minutes.
"""

import asyncio
import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_asgi_application()

API_PREFIX = "/api/"
# API requests in progress per process; 0 turns the bound off.
API_CONCURRENCY = int(os.environ.get("ZHIFA_API_CONCURRENCY", "1"))
_api_slots = asyncio.Semaphore(API_CONCURRENCY) if API_CONCURRENCY > 0 else None


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if _api_slots is None or scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
        await django_application(scope, receive, send)
        return
    async with _api_slots:
        await django_application(scope, receive, send)
