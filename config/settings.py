"""One settings module, driven by the environment (DESIGN.md: env-driven).

DATABASE_URL   sqlite:///var/zhifa.sqlite3 by default; postgres://… for production and CI's second run
ZHIFA_DEBUG    "1" turns on Django's debug mode (off by default)
ZHIFA_SECRET_KEY  required when debug is off in production; a development key is derived otherwise
ZHIFA_TILE_URL    optional base-map tile template (e.g. Tianditu with the district's key); maps work without it
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ZHIFA_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("ZHIFA_DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("ZHIFA_SECRET_KEY", "zhifa-development-key-not-for-production-use-0123456789")
ALLOWED_HOSTS = os.environ.get("ZHIFA_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "zhifa.core",
    "zhifa.org",
    "zhifa.catalog",
    "zhifa.subjects",
    "zhifa.events",
    "zhifa.geo",
    "zhifa.integrations",
    "zhifa.web",
    "zhifa.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # No LocaleMiddleware: one language is shipped (LANGUAGES), and with none activated Django translates
    # into LANGUAGE_CODE; the middleware only parsed Accept-Language on every request (≈ 4 % of an event
    # intake's server CPU, ADR 0006). Put it back together with a second language.
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Event handling ("1530" loop). Distances in metres, speeds in metres per second.
ZHIFA_CHECKIN_MAX_DISTANCE_M = int(os.environ.get("ZHIFA_CHECKIN_MAX_DISTANCE_M", "300"))
# A step the phone kept offline (acknowledge, check-in, finding) keeps the time it was made if that is no
# older than this, in seconds; an older one is timed when it arrives (zhifa/events/services/dispatch.py).
ZHIFA_OFFLINE_MAX_AGE_S = int(os.environ.get("ZHIFA_OFFLINE_MAX_AGE_S", str(24 * 3600)))
ZHIFA_DEDUP_RADIUS_M = int(os.environ.get("ZHIFA_DEDUP_RADIUS_M", "100"))
ZHIFA_DEDUP_WINDOW_MINUTES = int(os.environ.get("ZHIFA_DEDUP_WINDOW_MINUTES", "120"))
ZHIFA_AUTO_DISPATCH = os.environ.get("ZHIFA_AUTO_DISPATCH", "0") == "1"
# Below this share of the evidence, triage leaves the matter for the operator instead of guessing.
ZHIFA_AUTO_CLASSIFY_MIN_SCORE = float(os.environ.get("ZHIFA_AUTO_CLASSIFY_MIN_SCORE", "0.3"))
# Per-process caches of reference data (grid index, classifier, address index, zone geometry) ask whether
# their rows changed at most this often, in seconds (zhifa/core/stamped.py); 0 asks on every use.
ZHIFA_REFERENCE_RECHECK_S = float(os.environ.get("ZHIFA_REFERENCE_RECHECK_S", "1"))
ZHIFA_POSITION_THROTTLE_SECONDS = 15
ZHIFA_POSITION_THROTTLE_METRES = 20
ZHIFA_ESCALATION_STEP_MINUTES = 5
# Automatic re-dispatches of one event by the clock watcher before level 3 only tells the command centre.
ZHIFA_AUTO_REDISPATCH_MAX = int(os.environ.get("ZHIFA_AUTO_REDISPATCH_MAX", "2"))
ZHIFA_PHOTO_MAX_BYTES = 10 * 1024 * 1024
ZHIFA_WALKING_SPEED_MPS = 1.3
ZHIFA_RIDING_SPEED_MPS = 4.5
ZHIFA_WORKING_HOURS = [("08:30", "12:00"), ("13:30", "17:30")]
ZHIFA_AI_ALERT_REPLAY_WINDOW_SECONDS = 300
