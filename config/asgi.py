"""The ASGI entry point (uvicorn): pages and the live stream through Django's ASGI handler, the API and
Open311 through Django's WSGI handler on one thread of their own per server process.

Why two handlers (ADR 0005). Django's ASGI handler runs each request's synchronous code on a thread made
for that request, hopping between that thread and the event loop for the middleware and the view; a
database connection belongs to a thread, so every API request also opened a new connection — on SQLite
that alone (open, pragmas, schema parse) cost more than the whole event intake. The API's views are
synchronous and short, so they run where those costs vanish: a2wsgi hands each request to one long-lived
thread, which keeps its connection (``CONN_MAX_AGE``; PostgreSQL takes it from the pool) and runs the
middleware and the view without a hop.

One thread also bounds the API requests in progress per process to one, in arrival order, as the
semaphore this replaced did (ADR 0004: Python code gains nothing from a second thread in the same process,
and 16 threads taking turns on the interpreter lock stretched every transaction); the processes
(uvicorn ``--workers``) give the parallelism. ``ZHIFA_API_THREADS`` changes the number (measured: 1).
The pages and the command centre's stream stay on the ASGI handler: a stream holds its request open for
minutes and must not occupy the API's thread.
"""

import gc
import os
from typing import Any

from a2wsgi import WSGIMiddleware
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application

# The cyclic garbage collector, tuned for a server process (ADR 0005): a request allocates thousands of
# container objects that plain reference counting frees, but at the default threshold (2,000) every few
# requests started a collection, and the older generations hold the classifier's and jieba's dictionaries
# (hundreds of thousands of objects), which each full collection walks again. Measured on the intake: server
# CPU per event 4.0 → 3.3 ms. Cycles still get collected, less often.
gc.set_threshold(100_000, 50, 1000)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_asgi_application()

from zhifa.core.checks import require_audit_key  # noqa: E402 — needs the apps loaded above
from zhifa.org.checks import require_secret_key  # noqa: E402 — needs the apps loaded above

# A server runs no system checks: without a key in production it must refuse here, not at the first request.
require_secret_key()
require_audit_key()

WSGI_PREFIXES = ("/api/", "/open311/")
API_THREADS = max(1, int(os.environ.get("ZHIFA_API_THREADS", "1")))
api_application = WSGIMiddleware(get_wsgi_application(), workers=API_THREADS)  # type: ignore[arg-type]
# API requests that carry files (multipart: photos) on threads of their own, so that the API's thread never
# waits behind them: checking one photo costs up to about a second (40 MP, ``zhifa.events.photos``), a
# request may carry nine, and on one shared thread every other caller of the process waited for them
# (issue 9). ``ZHIFA_API_UPLOAD_THREADS`` (default 2) bounds such requests in progress per process; the
# memory they take is bounded in ``photos`` (``ZHIFA_PHOTO_DECODE_SLOTS``).
UPLOAD_THREADS = max(1, int(os.environ.get("ZHIFA_API_UPLOAD_THREADS", "2")))
upload_application = WSGIMiddleware(get_wsgi_application(), workers=UPLOAD_THREADS)  # type: ignore[arg-type]


def carries_files(scope: dict[str, Any]) -> bool:
    """Whether the request's body is multipart (the only way files reach the API and Open311)."""
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-type":
            return bool(value[:10].lower() == b"multipart/")
    return False


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http" and scope["path"].startswith(WSGI_PREFIXES):
        chosen = upload_application if carries_files(scope) else api_application
        await chosen(scope, receive, send)  # type: ignore[arg-type]
        return
    await django_application(scope, receive, send)
