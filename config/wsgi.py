import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from zhifa.core.checks import require_audit_key  # noqa: E402 — needs the apps loaded above
from zhifa.org.checks import require_secret_key  # noqa: E402 — needs the apps loaded above

# A server runs no system checks: without a key in production it must refuse here, not at the first request.
require_secret_key()
require_audit_key()
