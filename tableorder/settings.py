"""Table Order settings: one module, configured only from the environment."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
    SECRET_KEY = "development-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "tableorder.apps.TableOrderAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "adminsortable2",
    "axes",
    "core",
    "tableorder",
    "accounts",
    "menus",
    "orders",
    "kitchen",
    "reports",
]

MIDDLEWARE = [
    # First: answers /healthz for a load balancer calling by IP, before the host check.
    "core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestLogMiddleware",
    "core.query_guard.QueryStringGuardMiddleware",
    # A database outage is a 503 with the error shape, never a 500 (views' OperationalError).
    "core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The tablet's API in the guest's language (LANGUAGES is the back office's).
    "core.middleware.GuestLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The back office's Content-Security-Policy (the tablet and the dashboard set their own).
    "core.csp.AdminPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tableorder.urls"
WSGI_APPLICATION = "tableorder.wsgi.application"
ASGI_APPLICATION = "tableorder.asgi.application"

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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=0,
        # After a database restart or failover, pooled connections are dead: the pool checks
        # each one as it hands it out (one empty round trip), and the first broken one it finds
        # renews them all (core/runtime/dbpool.py) instead of failing a request.
        conn_health_checks=True,
    )
}
if os.environ.get("DATABASE_SECRET_ARN"):
    # User and password from Secrets Manager, read now (each process start), never from a file.
    from tableorder.dbsecret import read_credentials

    DATABASES["default"]["USER"], DATABASES["default"]["PASSWORD"] = read_credentials(os.environ["DATABASE_SECRET_ARN"])
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # dj-database-url leaves OPTIONS out; Django's psycopg pool spares each request a new connection.
    # A request waiting for its store's lock holds its connection: with fewer connections than
    # orders in flight on a process, its orders waited for the pool too, and tablets served by
    # the busier worker waited longer than the others (docs/performance.md).
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DB_POOL_MIN", "2")),
        "max_size": int(os.environ.get("DB_POOL_MAX", "20")),
        "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "10")),
        # While the database is down the pool retries each connection with a doubling delay;
        # giving up after this long (a waiting request starts over at once) keeps it trying
        # every second or two, so it is back within that of the database, not a minute later.
        "reconnect_timeout": float(os.environ.get("DB_POOL_RECONNECT_TIMEOUT", "2")),
    }
    if os.environ.get("DB_SSLROOTCERT"):
        # TLS that checks the server's certificate against this CA bundle (RDS: the bundle
        # deploy/deploy.sh installs) and its name against the host connected to.
        DATABASES["default"]["OPTIONS"].update(sslmode="verify-full", sslrootcert=os.environ["DB_SSLROOTCERT"])
else:
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.StoreUserBackend",
    "accounts.backends.TableBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Manager and platform admin passwords, wherever they are set (create_store, create_manager, the
# admin's user and password forms); table passwords have their own rule (validate_table_password).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Usernames are unique per store, not globally; StoreUserBackend resolves the store.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

LANGUAGE_CODE = "ko-kr"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
FORMAT_MODULE_PATH = ["tableorder.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
            "signature_version": "s3v4",
            "file_overwrite": False,
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", False),
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A back-office login ends 16 hours after it began: the login sets an absolute expiry
# (accounts.signals), so activity never stretches it.
SESSION_COOKIE_AGE = 16 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Joining browsers' preload list is near-permanent for the whole domain: only when asked.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS.append("security.W021")  # "SECURE_HSTS_PRELOAD is not True"
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ManagerJWTAuthentication",
        "accounts.authentication.ManagerSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.IsStoreManager"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # Bounded in size and depth: a bad body is a 400/413, never a 500 (core/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "core.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

SPECTACULAR_SETTINGS = {
    "TITLE": "Table Order API",
    "DESCRIPTION": "테이블오더: tablets order, managers run the floor.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "orders.schema.add_streams",
        "kitchen.schema.add_agent_stream",
        "core.schema.add_error_responses",
        "core.schema.require_whole_patch_bodies",
    ],
    # Bodies are documented as JSON: an order's lines cannot be written as a form. The views
    # that take an upload (menu items) name multipart themselves.
    "PARSER_WHITELIST": ["core.parsers.JSONParser"],
    # An order's status and an audit record's statuses before and after are one enum.
    "ENUM_NAME_OVERRIDES": {"OrderStatusEnum": "orders.models.OrderStatus"},
}

MANAGER_TOKEN_LIFETIME = timedelta(hours=16)
TABLE_ACCESS_TOKEN_LIFETIME = timedelta(hours=16)
TABLE_REFRESH_TOKEN_LIFETIME = timedelta(days=365)
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": MANAGER_TOKEN_LIFETIME,
    "REFRESH_TOKEN_LIFETIME": MANAGER_TOKEN_LIFETIME,
    "SIGNING_KEY": os.environ.get("JWT_SIGNING_KEY", SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": False,
}

# Three login limits, each within AXES_COOLOFF_TIME (accounts/login.py): AXES_FAILURE_LIMIT
# failures per store + username (or table) + address, reset by a success;
# AXES_ACCOUNT_FAILURE_LIMIT failures per store + username (or table) from any addresses, not
# reset by a success; AXES_ADDRESS_FAILURE_LIMIT distinct accounts an address failed on and has
# not signed in to since.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_ACCOUNT_FAILURE_LIMIT = int(os.environ.get("AXES_ACCOUNT_FAILURE_LIMIT", "20"))
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_HANDLER = "accounts.login.AddressLimitedAxesHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
# Proxies that append to X-Forwarded-For in front of the app: 1 for nginx alone, 2 for ALB + nginx.
# The header is read only on requests whose peer is one of TRUSTED_PROXY_ADDRESSES (the last
# proxy's address, FORWARDED_ALLOW_IPS); gunicorn itself leaves the peer address alone
# (deploy/gunicorn.conf.py), so the app sees who really connected (accounts.login.client_ip).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
TRUSTED_PROXY_ADDRESSES = [
    address.strip() for address in os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1").split(",") if address.strip()
]
if TRUSTED_PROXY_COUNT and not TRUSTED_PROXY_ADDRESSES:
    raise ImproperlyConfigured(
        "TRUSTED_PROXY_COUNT needs FORWARDED_ALLOW_IPS: the addresses the last proxy connects from."
    )
AXES_CLIENT_IP_CALLABLE = "accounts.login.client_ip"
AXES_USERNAME_CALLABLE = "accounts.backends.axes_username"
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "accounts.login.lockout_response"

# Per-table limits on what a tablet creates, counted in the database under the store lock, so
# exact across workers and servers: orders and new staff calls within TABLE_RATE_WINDOW.
# Over a limit is a 429 `rate_limited` (core/ratelimit.py). A busy table never gets near.
TABLE_ORDER_LIMIT = int(os.environ.get("TABLE_ORDER_LIMIT", "10"))
TABLE_STAFF_CALL_LIMIT = int(os.environ.get("TABLE_STAFF_CALL_LIMIT", "6"))
TABLE_RATE_WINDOW = timedelta(seconds=int(os.environ.get("TABLE_RATE_WINDOW_SECONDS", "60")))
# Open event streams per tablet (table) and per manager (user), counted per app process:
# over the cap is a 429 `too_many_streams` before the stream starts.
STREAMS_PER_TABLE = int(os.environ.get("STREAMS_PER_TABLE", "4"))
STREAMS_PER_MANAGER = int(os.environ.get("STREAMS_PER_MANAGER", "10"))
# Each open stream holds one file descriptor (its socket) in its app process. A process takes
# streams up to its open-files limit (RLIMIT_NOFILE; systemd's LimitNOFILE) less this reserve,
# kept for the database pool and listener, the listening socket, logs and ordinary requests;
# one more is a 503 `server_busy` (orders/stream_capacity.py). See docs/deploy.md for sizing.
STREAM_FD_RESERVE = int(os.environ.get("STREAM_FD_RESERVE", "256"))
# On SIGTERM a process keeps serving this many seconds (gunicorn's reload starts the new
# workers meanwhile: deploy/gunicorn.conf.py sets 3), then ends its streams at most
# STREAM_DRAIN_RATE a second and within STREAM_DRAIN_SECONDS, in random order (orders/hub.py):
# about what a new worker opens a second beside its orders, so that the streams move at the
# pace the new workers take them; until its turn a stream stays live on the old worker.
STREAM_HANDOVER_SECONDS = float(os.environ.get("STREAM_HANDOVER_SECONDS", "0"))
STREAM_DRAIN_RATE = float(os.environ.get("STREAM_DRAIN_RATE", "100"))
STREAM_DRAIN_SECONDS = float(os.environ.get("STREAM_DRAIN_SECONDS", "30"))
# Stream opens waiting for a thread at once, per process, beyond which one more is a 503
# `server_busy`: a storm of reconnects must not make orders wait (core/runtime/handler.py).
STREAM_OPENS_WAITING = int(os.environ.get("STREAM_OPENS_WAITING", "256"))

ORDER_EVENT_RETENTION_DAYS = int(os.environ.get("ORDER_EVENT_RETENTION_DAYS", "7"))
# django-axes' failure and login logs (who tried to log in, from where) are kept this long.
LOGIN_RECORD_RETENTION_DAYS = int(os.environ.get("LOGIN_RECORD_RETENTION_DAYS", "90"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
