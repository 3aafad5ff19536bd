"""One settings module, driven by the environment (DESIGN.md: env-driven).

DATABASE_URL   sqlite:///var/zhifa.sqlite3 by default; postgres://… for production and CI's second run
ZHIFA_DEBUG    "1" turns on Django's debug mode (off by default)
ZHIFA_SECRET_KEY  required in production (the server refuses to start without it); in development (ZHIFA_DEV=1,
                  which the Makefile sets, debug, or tests) a random key is made once in VAR_DIR/secret_key (0600)
ZHIFA_TILE_URL    optional base-map tile template (e.g. Tianditu with the district's key); maps work without it
ZHIFA_AUDIT_KEY   the audit chain's HMAC key, never stored in the database; required in production (as the
                  secret key); in development a random key is made once in VAR_DIR/audit_key
ZHIFA_AUDIT_CHECKPOINT_DIR  where signed checkpoints of the audit chain's tip are appended (VAR_DIR/audit-checkpoints)
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from zhifa.web.csp import tile_sources

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ZHIFA_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("ZHIFA_DEBUG", "0") == "1"
# No key in the repository (issue 9): production takes ZHIFA_SECRET_KEY or refuses to start (zhifa.org.checks);
# development makes a random one once and keeps it beside the database. Tests count as development ("pytest" is
# imported before the settings are), so a test run needs no key of its own.
ZHIFA_DEV = DEBUG or os.environ.get("ZHIFA_DEV", "0") == "1" or "pytest" in sys.modules
SECRET_KEY = os.environ.get("ZHIFA_SECRET_KEY", "")
ZHIFA_SECRET_KEY_SOURCE = "environment" if SECRET_KEY else ("development" if ZHIFA_DEV else "missing")
if not SECRET_KEY and ZHIFA_DEV:
    from zhifa.org.secret_key import development_secret_key

    SECRET_KEY = development_secret_key(VAR_DIR / "secret_key")
# The audit chain's key (zhifa.core.audit_key): every entry's hash and every checkpoint is an HMAC under it, and
# it is never written to the database, so whoever can write the audit table cannot forge a chain (issue 9).
# Production takes ZHIFA_AUDIT_KEY or refuses to start (zhifa.core.checks); development makes one as above.
ZHIFA_AUDIT_KEY = os.environ.get("ZHIFA_AUDIT_KEY", "")
ZHIFA_AUDIT_KEY_SOURCE = "environment" if ZHIFA_AUDIT_KEY else ("development" if ZHIFA_DEV else "missing")
if not ZHIFA_AUDIT_KEY and ZHIFA_DEV:
    from zhifa.org.secret_key import development_secret_key

    ZHIFA_AUDIT_KEY = development_secret_key(VAR_DIR / "audit_key")
# Signed checkpoints of the chain's tip, outside the database (a file per database in this directory).
ZHIFA_AUDIT_CHECKPOINT_DIR = Path(os.environ.get("ZHIFA_AUDIT_CHECKPOINT_DIR", VAR_DIR / "audit-checkpoints"))
ZHIFA_AUDIT_CHECKPOINT_EVERY_S = float(os.environ.get("ZHIFA_AUDIT_CHECKPOINT_EVERY_S", "600"))
ALLOWED_HOSTS = os.environ.get("ZHIFA_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "zhifa.core",
    "zhifa.org",
    "zhifa.catalog",
    "zhifa.subjects",
    "zhifa.events",
    "zhifa.inspections",
    "zhifa.documents",
    "zhifa.cases",
    "zhifa.credit",
    "zhifa.geo",
    "zhifa.analytics",
    "zhifa.integrations",
    "zhifa.integrations.payments",
    "zhifa.web",
    "zhifa.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # No LocaleMiddleware: one language is shipped (LANGUAGES), and with none activated Django translates
    # into LANGUAGE_CODE; the middleware only parsed Accept-Language on every request (≈ 4 % of an event
    # intake's server CPU, ADR 0006). Put it back together with a second language.
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Idle and absolute session limits, then the second factor and an expired password (pages only; the API
    # refuses such sessions in zhifa.api.auth).
    "zhifa.web.session_guard.SessionGuardMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zhifa.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "zhifa.web.context_processors.shell",
            ],
        },
    }
]

_default_db = f"sqlite:///{VAR_DIR / 'zhifa.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Under ASGI each request may run on another thread, so persistent per-thread connections pile up
    # ("too many clients"); a psycopg pool per process bounds them instead.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "pool": {"min_size": 1, "max_size": int(os.environ.get("ZHIFA_DB_POOL_SIZE", "8")), "timeout": 10},
        # Parameters sent apart from the SQL, and a statement run five times on a pooled connection is
        # prepared there: the server stops parsing and planning the intake's statements anew (ADR 0005).
        "server_side_binding": True,
        "prepare_threshold": 5,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the task worker read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=15000;",
        "transaction_mode": "IMMEDIATE",
    }
    # Kept open between requests: opening one costs more than a whole event intake (SQLite reads and
    # parses the schema on every new connection; ADR 0005). A connection belongs to its thread: the API's
    # own thread per server process keeps one (config/asgi.py); a page's thread ends with its request and
    # its connection with it.
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("ZHIFA_SQLITE_CONN_MAX_AGE", "600"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Tests use a file, not Django's in-memory default: with an in-memory database the browser tests' live
    # server shares one connection between its request threads, and the phone's background requests then
    # use it concurrently ("bad parameter or other API misuse"). The pid keeps parallel runs apart.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Password policy (等保三级 身份鉴别): length, three of four character classes, not the user name, not a common
# password, none of the last ZHIFA_PASSWORD_HISTORY; expiry after ZHIFA_PASSWORD_MAX_AGE_DAYS (zhifa.org.password_rules).
ZHIFA_PASSWORD_MIN_LENGTH = int(os.environ.get("ZHIFA_PASSWORD_MIN_LENGTH", "10"))
ZHIFA_PASSWORD_HISTORY = int(os.environ.get("ZHIFA_PASSWORD_HISTORY", "5"))
ZHIFA_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("ZHIFA_PASSWORD_MAX_AGE_DAYS", "90"))
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": ZHIFA_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "zhifa.org.password_rules.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "zhifa.org.password_rules.PasswordHistoryValidator"},
]
# Failed sign-ins lock the name tried (and, at a higher count, the client address) for ZHIFA_LOGIN_LOCKOUT_S
# (0: until an administrator unlocks it) — counted in the database, so every server process sees them.
AUTHENTICATION_BACKENDS = ["zhifa.org.backends.LockoutBackend"]
ZHIFA_LOGIN_MAX_FAILURES = int(os.environ.get("ZHIFA_LOGIN_MAX_FAILURES", "5"))
ZHIFA_LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("ZHIFA_LOGIN_MAX_FAILURES_PER_IP", "20"))
ZHIFA_LOGIN_WINDOW_S = int(os.environ.get("ZHIFA_LOGIN_WINDOW_S", "900"))
ZHIFA_LOGIN_LOCKOUT_S = int(os.environ.get("ZHIFA_LOGIN_LOCKOUT_S", "1800"))
# Sessions end after ZHIFA_SESSION_IDLE_S without the person doing anything and ZHIFA_SESSION_MAX_S after sign-in
# whatever happens (zhifa.web.session_guard); the cookie lives no longer than the latter.
ZHIFA_SESSION_IDLE_S = int(os.environ.get("ZHIFA_SESSION_IDLE_S", str(30 * 60)))
ZHIFA_SESSION_MAX_S = int(os.environ.get("ZHIFA_SESSION_MAX_S", str(12 * 3600)))
SESSION_COOKIE_AGE = ZHIFA_SESSION_MAX_S
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Our scripts read the CSRF token from the page's form field, never from the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# Behind TLS (ZHIFA_TLS=1): cookies only over HTTPS, plain HTTP redirected, browsers told to keep to HTTPS.
ZHIFA_TLS = os.environ.get("ZHIFA_TLS", "0") == "1"
if ZHIFA_TLS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("ZHIFA_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # A TLS-terminating proxy (nginx) in front says so in this header; Django sees plain HTTP otherwise.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
OTP_TOTP_ISSUER = "智慧综合执法平台"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "node_modules"] if (BASE_DIR / "node_modules").exists() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise expects it even when serving from finders
MEDIA_ROOT = VAR_DIR / "media"

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("ZHIFA_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# A base-map tile template; empty means boundaries on a plain background (no network needed).
ZHIFA_TILE_URL = os.environ.get("ZHIFA_TILE_URL", "")
ZHIFA_TILE_ATTRIBUTION = os.environ.get("ZHIFA_TILE_ATTRIBUTION", "")

# Content-Security-Policy on every response (issue 9: a stored name must never run as script). Scripts only
# from this site, or inline with this response's nonce ({{ csp_nonce }}); no 'unsafe-inline', no eval.
# Styles: stylesheets from this site and <style> with the nonce; style="" attributes in markup are refused
# (no style-src-attr, so style-src applies) — our templates use classes, and Leaflet and our scripts set
# element.style through the CSSOM, which CSP does not govern. Images may also come from the configured
# tile server; data: and blob: are images Leaflet makes itself. Nothing may frame a page (clickjacking).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", "blob:", *tile_sources(ZHIFA_TILE_URL)],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Event handling ("1530" loop). Distances in metres, speeds in metres per second.
# How far from the event an arrival (到场签到) may be recorded. ZHIFA_CHECKIN_MAX_DISTANCE_M, its name before
# issue 10, is still read for one release (deprecated).
ZHIFA_ARRIVE_MAX_DISTANCE_M = int(
    os.environ.get("ZHIFA_ARRIVE_MAX_DISTANCE_M", os.environ.get("ZHIFA_CHECKIN_MAX_DISTANCE_M", "300"))
)
# A step the phone kept offline (acknowledge, arrival, finding) keeps the time it was made if that is no
# older than this, in seconds; an older one is timed when it arrives (zhifa/events/services/dispatch.py).
ZHIFA_OFFLINE_MAX_AGE_S = int(os.environ.get("ZHIFA_OFFLINE_MAX_AGE_S", str(24 * 3600)))
ZHIFA_DEDUP_RADIUS_M = int(os.environ.get("ZHIFA_DEDUP_RADIUS_M", "100"))
ZHIFA_DEDUP_WINDOW_MINUTES = int(os.environ.get("ZHIFA_DEDUP_WINDOW_MINUTES", "120"))
ZHIFA_AUTO_DISPATCH = os.environ.get("ZHIFA_AUTO_DISPATCH", "0") == "1"
# Below this share of the evidence, triage leaves the matter for the operator instead of guessing.
ZHIFA_AUTO_CLASSIFY_MIN_SCORE = float(os.environ.get("ZHIFA_AUTO_CLASSIFY_MIN_SCORE", "0.3"))
# The triage model (zhifa/events/triage_model.py): built by `make install` (manage.py train_triage) from the
# corpus in zhifa/events/data/triage/, replaced only by a retrain that scores no worse (manage.py retrain_triage).
# Outside VAR_DIR on purpose: it is built with the code, and bench/fuzz/sim runs point VAR_DIR at a temporary dir.
ZHIFA_TRIAGE_MODEL = Path(os.environ.get("ZHIFA_TRIAGE_MODEL", BASE_DIR / "var" / "triage-model.joblib"))
# Below this calibrated confidence in the complaint kind, an event goes to the command centre's human triage
# queue (人工研判) instead of to a department.
ZHIFA_TRIAGE_MIN_CONFIDENCE = float(os.environ.get("ZHIFA_TRIAGE_MIN_CONFIDENCE", "0.5"))
# Per-process caches of reference data (grid index, classifier, address index, zone geometry) ask whether
# their rows changed at most this often, in seconds (zhifa/core/stamped.py); 0 asks on every use.
ZHIFA_REFERENCE_RECHECK_S = float(os.environ.get("ZHIFA_REFERENCE_RECHECK_S", "1"))
ZHIFA_POSITION_THROTTLE_SECONDS = 15
ZHIFA_POSITION_THROTTLE_METRES = 20
ZHIFA_ESCALATION_STEP_MINUTES = 5
# Background processes (zhifa/core/heartbeats.py, zhifa/core/transient.py). A kind (clock_watch, worker) is
# stale on /healthz and the command centre after three of its own intervals without a heartbeat, or after
# the seconds given here, e.g. ZHIFA_HEALTH_STALE_S="clock_watch=60,worker=120". A transient database error
# is retried after ZHIFA_WORKER_RETRY_BASE_S, doubling up to ZHIFA_WORKER_RETRY_MAX_S. A task "running" is taken
# for lost, and run again, once it started more than ZHIFA_TASK_STALE_S ago and its worker has not renewed its
# lease (every ZHIFA_WORKER_HEARTBEAT_S) for as long (zhifa/core/task_leases.py). A report 排队中 or 生成中 for
# longer than ZHIFA_REPORT_STALE_S since it was asked for is queued again when asked for again
# (zhifa/analytics/reports.py).
ZHIFA_HEALTH_STALE_S = {
    kind.strip(): float(seconds)
    for kind, _, seconds in (
        item.partition("=") for item in os.environ.get("ZHIFA_HEALTH_STALE_S", "").split(",") if item.strip()
    )
}
ZHIFA_CLOCK_WATCH_INTERVAL_S = float(os.environ.get("ZHIFA_CLOCK_WATCH_INTERVAL_S", "10"))
ZHIFA_WORKER_HEARTBEAT_S = float(os.environ.get("ZHIFA_WORKER_HEARTBEAT_S", "10"))
ZHIFA_WORKER_RETRY_BASE_S = float(os.environ.get("ZHIFA_WORKER_RETRY_BASE_S", "1"))
ZHIFA_WORKER_RETRY_MAX_S = float(os.environ.get("ZHIFA_WORKER_RETRY_MAX_S", "60"))
ZHIFA_TASK_STALE_S = float(os.environ.get("ZHIFA_TASK_STALE_S", "600"))
ZHIFA_REPORT_STALE_S = float(os.environ.get("ZHIFA_REPORT_STALE_S", "3600"))
# The administrators are told of a coming year whose holidays are not entered yet from this many days before it
# (zhifa.events.calendar_alerts).
ZHIFA_CALENDAR_WARN_DAYS = int(os.environ.get("ZHIFA_CALENDAR_WARN_DAYS", "60"))
# The new-task notice for an officer whose phone page is closed (zhifa/core/messaging.py, issue 16): "log"
# (a log line; nothing leaves the server), "http" (JSON POSTed to ZHIFA_MESSAGING_HTTP_URL with the bearer
# ZHIFA_MESSAGING_HTTP_TOKEN, ZHIFA_MESSAGING_HTTP_TIMEOUT_S per try), or a class's dotted path. A failed send
# is tried again by the task worker after ZHIFA_MESSAGING_RETRY_BASE_S, doubling, up to
# ZHIFA_MESSAGING_MAX_ATTEMPTS tries (zhifa/events/outbound.py).
ZHIFA_MESSAGING_CHANNEL = os.environ.get("ZHIFA_MESSAGING_CHANNEL", "log")
ZHIFA_MESSAGING_HTTP_URL = os.environ.get("ZHIFA_MESSAGING_HTTP_URL", "")
ZHIFA_MESSAGING_HTTP_TOKEN = os.environ.get("ZHIFA_MESSAGING_HTTP_TOKEN", "")
ZHIFA_MESSAGING_HTTP_TIMEOUT_S = float(os.environ.get("ZHIFA_MESSAGING_HTTP_TIMEOUT_S", "5"))
ZHIFA_MESSAGING_MAX_ATTEMPTS = int(os.environ.get("ZHIFA_MESSAGING_MAX_ATTEMPTS", "5"))
ZHIFA_MESSAGING_RETRY_BASE_S = float(os.environ.get("ZHIFA_MESSAGING_RETRY_BASE_S", "10"))
# Automatic re-dispatches of one event by the clock watcher before level 3 only tells the command centre.
ZHIFA_AUTO_REDISPATCH_MAX = int(os.environ.get("ZHIFA_AUTO_REDISPATCH_MAX", "2"))
ZHIFA_PHOTO_MAX_BYTES = 10 * 1024 * 1024
# Photos (zhifa/events/photos.py): pixels read from the header and refused above this before decoding;
# photos per request; photos decoded at once per process (bounds the memory they take).
ZHIFA_PHOTO_MAX_PIXELS = int(os.environ.get("ZHIFA_PHOTO_MAX_PIXELS", "40000000"))
ZHIFA_MAX_PHOTOS_PER_REQUEST = int(os.environ.get("ZHIFA_MAX_PHOTOS_PER_REQUEST", "9"))
ZHIFA_PHOTO_DECODE_SLOTS = int(os.environ.get("ZHIFA_PHOTO_DECODE_SLOTS", "2"))
# What the public Open311 GET requests shows of people's reports (hotline, Open311, API): "masked" rounds
# the point to ~100 m, cuts the address at the house number and summarises the outcome; "exact" as stored.
ZHIFA_OPEN311_PUBLIC_DETAIL = os.environ.get("ZHIFA_OPEN311_PUBLIC_DETAIL", "masked")
# An Open311 POST without an Idempotency-Key that repeats the same form from the same account within this
# many seconds is a retry of the first (zhifa/integrations/open311/services.py); 0: every such POST is new.
ZHIFA_OPEN311_RETRY_WINDOW_SECONDS = int(os.environ.get("ZHIFA_OPEN311_RETRY_WINDOW_SECONDS", "600"))
ZHIFA_WALKING_SPEED_MPS = 1.3
ZHIFA_RIDING_SPEED_MPS = 4.5
ZHIFA_WORKING_HOURS = [("08:30", "12:00"), ("13:30", "17:30")]
ZHIFA_AI_ALERT_REPLAY_WINDOW_SECONDS = 300
# Legal rules of penalty cases (zhifa/cases/legal.py, docs/legal-rules.md): the figures LEGAL.md marks
# configurable. Periods: checking a lead (working days), the party's statement and defence after the prior
# notice (working days; the APL sets no number), the decision after filing (days, APL 60 yields to other rules)
# and each approved extension of it (days at most). Hearing (APL 63 "较大数额", yuan, inclusive): a fine or a
# confiscation at or above these offers the party a hearing.
ZHIFA_LEGAL_LEAD_CHECK_WORKING_DAYS = int(os.environ.get("ZHIFA_LEGAL_LEAD_CHECK_WORKING_DAYS", "15"))
ZHIFA_LEGAL_DEFENCE_WORKING_DAYS = int(os.environ.get("ZHIFA_LEGAL_DEFENCE_WORKING_DAYS", "3"))
ZHIFA_LEGAL_DECISION_DAYS = int(os.environ.get("ZHIFA_LEGAL_DECISION_DAYS", "90"))
ZHIFA_LEGAL_DECISION_EXTENSION_DAYS = int(os.environ.get("ZHIFA_LEGAL_DECISION_EXTENSION_DAYS", "30"))
ZHIFA_LEGAL_HEARING_FINE_PERSON = os.environ.get("ZHIFA_LEGAL_HEARING_FINE_PERSON", "5000")
ZHIFA_LEGAL_HEARING_FINE_ORGANISATION = os.environ.get("ZHIFA_LEGAL_HEARING_FINE_ORGANISATION", "100000")
ZHIFA_LEGAL_HEARING_CONFISCATION_PERSON = os.environ.get("ZHIFA_LEGAL_HEARING_CONFISCATION_PERSON", "5000")
ZHIFA_LEGAL_HEARING_CONFISCATION_ORGANISATION = os.environ.get(
    "ZHIFA_LEGAL_HEARING_CONFISCATION_ORGANISATION", "100000"
)
