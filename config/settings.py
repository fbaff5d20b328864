"""Settings for the Japan–Russia 1903–1905 data service.

One file for every environment: defaults are safe on a laptop, and production is the
same file with different environment variables (see the README's table).
"""

import re
from pathlib import Path

from corsheaders.defaults import default_headers as cors_default_headers
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_database, env_databases, env_int, env_list, env_networks, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=True)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required when DJANGO_DEBUG is off.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    # Before rest_framework, so that the browsable API carries the service's name (its template).
    "reader",
    "rest_framework",
    "rest_framework.authtoken",
    "simple_history",
    "axes",
    "django_filters",
    # Before drf_spectacular, so that its template for ReDoc overrides the package's.
    "api",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "sources",
    "events",
    "treaties",
    "explore",
]

MIDDLEWARE = [
    "api.middleware.RequestLogMiddleware",
    "api.middleware.ContentSecurityPolicyMiddleware",
    # Before anything that could read a body.
    "api.middleware.BodyLimitMiddleware",
    # Before anything that reads the data or its version: `?as_of=` reads a snapshot of it.
    "api.as_of.AsOfMiddleware",
    # ETags, 304s, Cache-Control, Last-Modified and gzip for every API answer.
    "api.http_caching.HttpCachingMiddleware",
    # Outside AppendSlashMiddleware, so a missing trailing slash is still redirected first.
    "api.middleware.ApiNotFoundMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's CommonMiddleware, with a 308 problem for a write missing its trailing slash.
    "api.middleware.AppendSlashMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change, whether it came through the admin or the API.
    "simple_history.middleware.HistoryRequestMiddleware",
    "api.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a lockout into its answer.
    "axes.middleware.AxesMiddleware",
]

# The proxies in front (addresses or networks) whose X-Forwarded-For is believed: the client is
# the rightmost address they did not write (api.clients). Empty: the client is REMOTE_ADDR.
API_TRUSTED_PROXIES = env_networks("API_TRUSTED_PROXIES")

# Repeated failed logins (admin or token) lock that username from that address for a while;
# the address is the client's, not the proxy's, so the same user still signs in from elsewhere.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("DJANGO_LOGIN_LOCKOUT_MINUTES", 30, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "api.clients.of_request"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "reader.context_processors.service",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so two writers queue
    # instead of one failing with "database is locked" half-way through.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
    # A file, not memory, for the test database: the concurrent-writer tests need
    # connections that really share one database, as a server's would.
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", str(BASE_DIR / ".test-db.sqlite3"))

# Read replicas of the primary (`default`), each a copy the database server keeps: reads go to
# one of them, writes, and a client's reads for DATABASE_REPLICA_LAG_SECONDS after its write,
# to the primary (api.replicas, which keeps that window per client in Redis).
for _number, _replica in enumerate(env_databases("DATABASE_REPLICA_URLS"), start=1):
    # Under test a replica is the primary's test database, not a database of its own.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
DATABASE_REPLICA_LAG_SECONDS = env_int("DATABASE_REPLICA_LAG_SECONDS", 10, minimum=1)
# `?as_of=` reads a snapshot of the data as it was (api.as_of): a file each under AS_OF_DIR on
# SQLite (a schema each on PostgreSQL), at most AS_OF_SNAPSHOTS kept.
AS_OF_DIR = env_str("AS_OF_DIR", str(BASE_DIR / "var" / "as_of"))
AS_OF_SNAPSHOTS = env_int("AS_OF_SNAPSHOTS", 16, minimum=1)
# How many snapshots one client may have made a minute (each costs seconds); reads of those
# made already are not counted.
AS_OF_BUILDS_PER_MINUTE = env_int("AS_OF_BUILDS_PER_MINUTE", 10, minimum=1)
DATABASE_ROUTERS = ["api.as_of.SnapshotRouter"] + (
    ["api.replicas.ReplicaRouter"] if len(DATABASES) > 1 else []
)

for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        # An unreachable server is an error in seconds, not a hung request.
        _database.setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)

# Redis holds what every server process must share: the rate-limit counters, reached only
# through api.throttling, which bounds each call to a short timeout and counts in process
# memory while Redis does not answer. Django's cache is kept off Redis on purpose: its Redis
# backend has neither, so a Redis down would fail every request that touched it. Nothing is
# cached in the database either, so a read never writes to it.
REDIS_URL = env_str("REDIS_URL")
if len(DATABASES) > 1 and REDIS_URL is None:
    raise ImproperlyConfigured(
        "DATABASE_REPLICA_URLS needs REDIS_URL: every server must know which clients wrote a moment ago."
    )
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Hardening. Off in debug so that a laptop serves plain HTTP; on by default in production,
# where the service runs behind TLS (set DJANGO_SECURE_SSL_REDIRECT=false only if the proxy
# redirects itself).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=not DEBUG)
if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters of real randomness.")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Static files (admin, Swagger UI, ReDoc) are served by WhiteNoise. Without DJANGO_STATIC_ROOT,
# straight from the installed apps, under their own names (a laptop, the tests). With it (what
# `make serve` sets), from what `collectstatic` wrote there: each file also under a name holding
# its hash, and gzipped. WhiteNoise then sends the gzipped copy to clients that take it, and,
# with debug off, the pages name the hashed files, sent with a far-future Cache-Control
# (`max-age=315360000, public, immutable`): a new version is a new name.
STATIC_ROOT = env_str("DJANGO_STATIC_ROOT")
WHITENOISE_USE_FINDERS = STATIC_ROOT is None
if STATIC_ROOT is not None:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# Where the source document and the hand-transcribed fixtures live.
DATASET_DIR = Path(env_str("DATASET_DIR", str(BASE_DIR / "fixtures")))

# The git commit the code was built from, for /api/v1/meta/ where the code runs without its
# .git (a container image); unset, it is read from the checkout (api.build).
BUILD_COMMIT = env_str("BUILD_COMMIT") or None
if BUILD_COMMIT is not None and not re.fullmatch(r"[0-9a-f]{40}", BUILD_COMMIT):
    raise ImproperlyConfigured("BUILD_COMMIT must be a full git commit id (40 lowercase hex digits).")

CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/api/.*$"
# Browsers may send the preconditions, and read every header the API documents.
CORS_ALLOW_HEADERS = [*cors_default_headers, "if-match", "if-none-match"]
CORS_EXPOSE_HEADERS = [
    "ETag",
    "Last-Modified",
    "Location",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Retry-After",
    "X-Request-ID",
]

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": [
        "api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.ContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "api.backends.FilterBackend",
        "api.backends.BoundedSearchFilter",
        "api.backends.StrictOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.problem_exception_handler",
    # Token first: an anonymous write is then a 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Reads are public; a write needs the matching Django model permission.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.AnonymousRateThrottle",
        "api.throttling.EditorRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_ANON_RATE", "120/minute"),
        "user": env_str("API_EDITOR_RATE", "1200/minute"),
    },
}

_API_VERSION = "1.0.0"

# What the service is called on its pages, in the browsable API, the admin and the docs.
SERVICE_NAME = "Japan–Russia 1903–1905"

SPECTACULAR_SETTINGS = {
    "TITLE": f"{SERVICE_NAME} API",
    "DESCRIPTION": (
        "A cited dataset on the Japan–Russia negotiations of 1903–1904, the war of 1904–1905 "
        "and the Portsmouth Treaty. Every record and every figure carries citations: the exact "
        "words of the source document and their offsets in it, counted in Unicode code points "
        "(Python string indices), not bytes. Reads are public; editors write with a token and "
        "the matching permission.\n\n"
        "**Licence and citing.** The dataset's own work (its structure, readings and wording) is "
        "offered under CC BY 4.0. The source text (a source's `text`, a citation's `quote`) is "
        "not: its rights stay with its publisher, as the source's `rights` says. Cite the dataset "
        "as: *Japan–Russia 1903–1905 API*, version (this document's `info.version`), the API's "
        "URL (`…/api/v1/`), data as of the `Last-Modified` date of the answers you used, and the "
        f"date you accessed it; for example: Japan–Russia 1903–1905 API, version {_API_VERSION}, "
        "http://127.0.0.1:8000/api/v1/, data as of Tue, 01 Dec 2026 12:00:00 GMT, accessed "
        "2026-12-01. CC BY 4.0."
    ),
    "VERSION": _API_VERSION,
    "LICENSE": {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "PrecisionEnum": "api.dates.Precision",
        "CalendarEnum": "api.dates.Calendar",
        "BasisEnum": "api.readings.Basis",
        "PartyRoleEnum": "events.models.Party.Role",
        "PlaceRoleEnum": "events.models.PlaceLink.Role",
        "EventPartyRoleEnum": "events.models.EventParty.Role",
        "TermPartyRoleEnum": "treaties.models.TermParty.Role",
        "TermArticleRoleEnum": "treaties.models.TermArticle.Role",
        "SourceKindEnum": "sources.models.SourceKind",
        "DocumentKindEnum": "sources.models.DocumentKind",
        "StatementKindEnum": "events.models.StatementKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema_hooks.add_problem_responses_and_examples",
        "api.schema_hooks.add_as_of_parameter",
    ],
    "TAGS": [
        {"name": "Explore", "description": "The API root, the timeline and search across every record."},
        {"name": "Parties and places", "description": "Who took part, and every place the source names."},
        {
            "name": "Diplomacy",
            "description": "The negotiation, requests, counterproposals, events and claims.",
        },
        {"name": "War", "description": "The engagements and every number the source gives."},
        {
            "name": "Treaty",
            "description": "The Portsmouth Treaty and its terms as the source summarises them.",
        },
        {"name": "Provenance", "description": "The source document and the citations into it."},
        {"name": "Auth", "description": "Tokens for programs that write."},
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "requests": {"class": "logging.StreamHandler", "formatter": "line"},
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
    # One JSON line per request (api.middleware.RequestLogMiddleware).
    "loggers": {
        "requests": {"handlers": ["requests"], "level": "INFO", "propagate": False},
        # The request log already has every 4xx/5xx; Django's own line would repeat it.
        "django.request": {"level": "ERROR"},
    },
}

API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 100, minimum=1)
# How long a client or proxy may keep an anonymous answer, and serve it stale while it asks
# again (Cache-Control); the server itself never answers with stale data.
API_CACHE_MAX_AGE = env_int("API_CACHE_MAX_AGE", 10)
API_CACHE_STALE_WHILE_REVALIDATE = env_int("API_CACHE_STALE_WHILE_REVALIDATE", 60)
# The memory each server process gives its cache of anonymous answers (api.response_cache).
API_RESPONSE_CACHE_BYTES = env_int("API_RESPONSE_CACHE_BYTES", 64 * 1024 * 1024)
# A request header that makes the cache step aside (the benchmark's cold reads); none here.
API_CACHE_BYPASS_HEADER = None
# No record needs more than a few kilobytes; a larger body is refused before it is parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_MAX_BODY_BYTES", 256 * 1024, minimum=1024)
