"""One settings module for every environment, driven by environment variables.

Production is the default: without ``DEBUG=1`` the settings refuse to load unless ``SECRET_KEY``
and ``FIELD_ENCRYPTION_KEYS`` are real, and HTTPS, HSTS and secure cookies are on. ``make run``,
``make test`` and ``make bench`` set ``DEBUG=1`` themselves (local PostgreSQL, eager tasks).
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105 - refused when DEBUG=0

# Production unless told otherwise: a deployment that forgets DEBUG must not serve debug pages with
# development keys. bin/run, bin/test and bin/bench (and pytest, config/settings_test.py) set DEBUG=1.
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)

# Victims' identities are encrypted with these Fernet keys (first encrypts, all decrypt).
# Generate one with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
DEVELOPMENT_FIELD_ENCRYPTION_KEY = "bm90LWEtc2VjcmV0LWRldmVsb3BtZW50LWtleS0wMDA="  # refused when DEBUG=0
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[DEVELOPMENT_FIELD_ENCRYPTION_KEY])

if not DEBUG:
    missing = []
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 32:
        missing.append("SECRET_KEY (a random value of at least 32 characters, never the development default)")
    if DEVELOPMENT_FIELD_ENCRYPTION_KEY in FIELD_ENCRYPTION_KEYS:
        missing.append("FIELD_ENCRYPTION_KEYS (one or more Fernet keys, never the development one)")
    if missing:
        raise ImproperlyConfigured(
            "Production mode (DEBUG is off, the default) refuses to start without "
            + " and ".join(missing)
            + ": set them, or set DEBUG=1 for development (make run, make test and make bench do)."
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "config.apps.SuperuserAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "config.sessions.SessionExpiryConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "cases",
    "procedures",
    "reports",
    "reports.statistics",
    "linking",
]

MIDDLEWARE = [
    # First: gives the request its id and writes its one log line (method, route, status, duration).
    "config.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from the web process (gunicorn), before sessions and the rest.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Lawyers and admins reach nothing but the second factor after a password alone.
    "cases.mfa.middleware.MfaRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.SessionExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cases.middleware.ActiveAssociationMiddleware",
    # Tags every database write of the request with its user and request id (history triggers).
    "config.middleware.RequestHistoryMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into a clear page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "cases.context_processors.tenancy",
                "config.context_processors.runtime",
            ],
        },
    },
]

# PostgreSQL is the product's one database, in development too (triggers, full-text search
# and statistics depend on it).
DATABASES = {
    "default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/coco_affaires"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# In production a connection is kept a minute by each web thread and worker process: opening one
# per request makes PostgreSQL start a backend process for every page. A connection that broke
# meanwhile (a database restart) is noticed before use (health checks).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL (postgres://…).")
# Optional streaming replica of the primary: the statistics pages, the statistics API and the
# exports read from it while it answers and lags at most DATABASE_REPLICA_MAX_LAG seconds, else
# from the primary (config/db_router.py). Every write and every other read goes to the primary.
if replica_url := env.str("DATABASE_REPLICA_URL", default=""):
    replica = env.db_url_config(replica_url)
    if not replica["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must point to PostgreSQL (postgres://…).")
    # The primary's options, then the URL's; a replica host that is down must not hold a request
    # for the system's TCP timeout. In tests the replica is the test database itself.
    options = {"connect_timeout": 3, **DATABASES["default"].get("OPTIONS", {}), **replica.pop("OPTIONS", {})}
    DATABASES["replica"] = {**DATABASES["default"], **replica, "OPTIONS": options, "TEST": {"MIRROR": "default"}}
DATABASE_REPLICA_MAX_LAG = env.float("DATABASE_REPLICA_MAX_LAG", default=30.0)
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # Locks an account after repeated failed logins (the data is about minor victims).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# One limit for both counters: axes compares the busiest of them to a single AXES_FAILURE_LIMIT,
# so the address cannot be given a higher limit than the username.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
# Two separate parameters, either of which locks: a username across every address (distributed
# guessing) and an address across every username (spraying). The address is REMOTE_ADDR.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

# Second factor (django-otp): the issuer shown in the authenticator app; sensitive account
# actions (API tokens, replacing the app) need the password and a code from the last 15 minutes.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Suivi des affaires")
MFA_REAUTH_SECONDS = env.int("MFA_REAUTH_SECONDS", default=15 * 60)
# Failed sign-ins are kept too, for the user's own sign-in history.
AXES_ENABLE_ACCESS_FAILURE_LOG = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="fr")
LANGUAGES = [("fr", _("Français")), ("en", _("Anglais"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production serves hashed, compressed copies (collectstatic) with a year-long cache; development
# (DEBUG=1: make run, make test) reads the source folders as they change, no collectstatic needed.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# From the environment, not settings.DEBUG at run time (the test runner turns that off).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# EMAIL_URL (smtp+tls://user:password@host:587, smtp+ssl://…:465; special characters %-encoded)
# sets the backend, host, port, credentials and TLS at once; EMAIL_BACKEND alone still works.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if email_url := env.str("EMAIL_URL", default=""):
    vars().update({name: value for name, value in env.email_url_config(email_url).items() if value is not None})
# A mail server that stalls must not hold the reminder job (and its worker) for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ne-pas-repondre@affaires.localhost")

SESSION_COOKIE_HTTPONLY = True
# Sessions (config.middleware.SessionExpiryMiddleware): logged out after SESSION_IDLE_TIMEOUT seconds
# without a request, and SESSION_COOKIE_AGE seconds after signing in whatever the activity.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Behind a TLS-terminating proxy that sets (and overwrites) a header, e.g.
# SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https. Never without such a proxy: a client could
# then claim HTTPS itself.
if proxy_ssl_header := env.list("SECURE_PROXY_SSL_HEADER", default=[]):
    if len(proxy_ssl_header) != 2:
        raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER is a header and a value: HTTP_X_FORWARDED_PROTO,https.")
    SECURE_PROXY_SSL_HEADER = tuple(proxy_ssl_header)
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    # Preloading commits the whole domain to HTTPS in browsers for months: the association decides,
    # so check --deploy's reminder (W021) is silenced while it is off.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Every page (django-csp): our own scripts and styles only, never inline ones; no plugins, no
# framing, forms post here only. Two views loosen it for their libraries' styles, never scripts: the
# API documentation (config/api_urls.py) and the statistics dashboard (ECharts).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cases.api.authentication.ApiTokenAuthentication",
        "cases.mfa.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "cases.api.schema.ErrorDocumentingAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "cases.api.pagination.StandardPagination",
    # JSON bodies only (uploads declare multipart themselves): the schema then offers one body
    # type per write, and a form-encoded body gets 415 instead of being half-understood.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "EXCEPTION_HANDLER": "cases.api.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Per user (all of a user's tokens and session share it) and per address for anonymous
    # requests (schema, docs); over the rate: 429 with Retry-After. Rates live in the cache.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON_RATE", default="100/hour"),
        "user": env.str("API_THROTTLE_USER_RATE", default="1000/hour"),
    },
    # 0 = the address is REMOTE_ADDR, never a client-supplied X-Forwarded-For; behind N trusted
    # proxies set API_NUM_PROXIES=N.
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Suivi des affaires — API",
    "DESCRIPTION": (
        "API des affaires, victimes (pseudonymisées), pièces, procédures, constitutions de partie civile et délais. "
        "Authentification par session ou jeton personnel (limité à une association). Les écritures exigent "
        "l'en-tête If-Match (ETag de la version lue) : 412 si l'enregistrement a changé, 428 s'il manque. "
        "Corps JSON (multipart pour les fichiers). Erreurs, toujours en JSON : 400 (champs), 401 (jeton), "
        "403 (rôle), 404 (objet d'une autre association, jamais 403), 409 (unicité), 413 (fichier trop lourd), "
        "415 (type refusé), 429 (trop de requêtes, Retry-After)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {},
}

# The cache keeps the figures of filtered statistics and the dashboard's tables until the next
# run of the statistics job. With CACHE_URL (Redis, e.g. redis://127.0.0.1:6379/1) every web
# process shares them; without it each process keeps its own.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# Celery. Without a broker, tasks run eagerly in the web process (demo only); the page
# footer says so. With one, real workers (and celery beat) run them.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# A task is acknowledged only once done, and re-delivered if its worker dies: tasks are
# written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Deadline reminders (J-7, J-3, J-1, missed) every morning, Paris time; safe to run twice.
    "deadline-reminders-every-morning": {
        "task": "procedures.send_deadline_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # Background work as rows (config/jobs.py): a row left queued (message lost with the broker)
    # or running without a heartbeat (worker killed) is sent again; claims make duplicates harmless.
    "sweep-background-jobs-every-minute": {
        "task": "config.sweep_jobs",
        "schedule": 60.0,
    },
    # Dossiers printed with real identities keep their file REVEALED_DOSSIER_RETENTION_DAYS days.
    "expire-revealed-dossiers-every-hour": {
        "task": "reports.expire_revealed_dossiers",
        "schedule": crontab(minute=15),
    },
    # Statistics: the day's changes, every night (a full rebuild is `compute_statistics --full`).
    "statistics-every-night": {
        "task": "reports.compute_statistics_nightly",
        "schedule": crontab(hour=2, minute=30),
    },
}
REVEALED_DOSSIER_RETENTION_DAYS = env.int("REVEALED_DOSSIER_RETENTION_DAYS", default=7)
# Lawyers' e-filing messages (RPVA / e-barreau) refuse attachments above a size: a larger dossier is
# also offered as numbered parts, each at most this many bytes.
RPVA_MAX_BYTES = env.int("RPVA_MAX_BYTES", default=10 * 1024 * 1024)
# Access log: CNIL recommendation on logging (2021), 6 months to 1 year; purged every night.
ACCESS_LOG_RETENTION_MONTHS = env.int("ACCESS_LOG_RETENTION_MONTHS", default=12)
# Closed cases: deleted this many years after closing (civil prescription, Code civil art. 2224;
# see cases/privacy/retention.py), by `purge_closed_cases --apply`.
CASE_RETENTION_YEARS = env.int("CASE_RETENTION_YEARS", default=5)
CELERY_BEAT_SCHEDULE["purge-access-log-every-night"] = {
    "task": "cases.purge_access_log",
    "schedule": crontab(hour=3, minute=40),
}
# Modules of tasks other than each app's own tasks.py (autodiscovery only looks there).
CELERY_IMPORTS = ["procedures.imports.tasks", "reports.statistics.tasks", "config.jobs"]
# Each app's background work as rows: its kinds of job and its sweeper (config/jobs.py).
BACKGROUND_JOBS = ["reports.jobs", "procedures.jobs", "linking.jobs"]

# Queues: a long dossier or a full statistics rebuild never delays the morning reminders. Each
# queue has its own worker in production (deploy/), with its concurrency, a hard time limit for
# its tasks and a memory ceiling per worker process (config/worker_limits.py): a runaway job fails
# with its reason instead of taking the host down. A worker started without -Q takes all four.
WORKER_QUEUES = {
    "default": {"time_limit": 600, "memory_mb": env.int("WORKER_MEMORY_MB_DEFAULT", default=768)},
    "dossiers": {
        "time_limit": env.int("DOSSIER_TIME_LIMIT", default=300) + 30,
        "memory_mb": env.int("WORKER_MEMORY_MB_DOSSIERS", default=1536),
    },
    "statistics": {"time_limit": 3600, "memory_mb": env.int("WORKER_MEMORY_MB_STATISTICS", default=1024)},
    "imports": {"time_limit": 3600, "memory_mb": env.int("WORKER_MEMORY_MB_IMPORTS", default=1024)},
}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = {name: {"exchange": name, "routing_key": name} for name in WORKER_QUEUES}
CELERY_TASK_ROUTES = {
    "reports.render_dossier": {"queue": "dossiers"},
    "reports.render_dossier_chunk": {"queue": "dossiers"},
    "reports.render_statistics_report": {"queue": "dossiers"},
    "reports.compute_statistics": {"queue": "statistics"},
    "reports.compute_statistics_after_import": {"queue": "statistics"},
    "reports.compute_statistics_nightly": {"queue": "statistics"},
    "procedures.run_import": {"queue": "imports"},
    "linking.run": {"queue": "statistics"},
    "linking.persons_arrive": {"queue": "statistics"},
}
# The limits of a task are its queue's: the soft one raises inside the task 30 s before the hard
# one kills its process (a dossier's: DOSSIER_TIME_LIMIT, then 30 s to write its reason).
CELERY_TASK_ANNOTATIONS = {
    task: {
        "time_limit": WORKER_QUEUES[route["queue"]]["time_limit"],
        "soft_time_limit": WORKER_QUEUES[route["queue"]]["time_limit"] - 30,
    }
    for task, route in CELERY_TASK_ROUTES.items()
}

# Every absolute link (e-mails, ICS feeds) is built from this, never from the request's Host
# header, which a client chooses.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Panels and sections other apps add to the pages of `cases` (see cases/panels.py).
HOME_PANELS = {
    "lawyer": [
        "procedures.panels.my_deadlines_panel",
        "procedures.panels.upcoming_hearings_panel",
        "reports.statistics.panels.statistics_panel",
    ],
    "staff": ["procedures.panels.upcoming_hearings_panel", "reports.panels.staff_dossiers_panel"],
    "admin": ["reports.statistics.panels.statistics_panel", "config.health.queues_panel"],
}
CASE_PAGE_SECTIONS = ["procedures.case_summary.case_summary_section", "reports.panels.case_dossiers_section"]
PROCEDURE_PAGE_SECTIONS = ["linking.panels.procedure_duplicates_section", "linking.panels.procedure_persons_section"]
PARTY_PAGE_SECTIONS = ["linking.panels.party_persons_section"]
# Who says two suspects of a case are one person, for the prescription engine (art. 9-2 last al.).
SAME_PERSON_SUSPECTS = "linking.selectors.suspects_same_person"

# Dossiers (reports app): time and size limits, rendering chunk sizes, stale-job recovery.
DOSSIER_TIME_LIMIT = env.int("DOSSIER_TIME_LIMIT", default=300)
DOSSIER_MAX_PAGES = env.int("DOSSIER_MAX_PAGES", default=2000)
DOSSIER_CHUNK_ROWS = env.int("DOSSIER_CHUNK_ROWS", default=250)
DOSSIER_PASS_ROWS = env.int("DOSSIER_PASS_ROWS", default=1500)
DOSSIER_STALE_AFTER = env.int("DOSSIER_STALE_AFTER", default=180)
DOSSIER_MAX_ATTEMPTS = env.int("DOSSIER_MAX_ATTEMPTS", default=3)

# Demo data, app by app, in dependency order (seed_demo calls each).
DEMO_SEEDERS = ["cases.demo_cases.seed", "procedures.demo.seed", "reports.statistics.demo.seed"]
# The case at the reference scale (23,051 procedures), loaded after the seeders, outside their
# transaction; `seed_demo --sans-reference` or SEED_DEMO_SANS_REFERENCE=1 skip it.
DEMO_REFERENCE_SEEDER = "procedures.reference_case.reference_case_seed"
# Seeders that read every case, the reference one included: run last.
DEMO_FINAL_SEEDERS = ["linking.demo.seed"]

# Statistics: a published cross-association cell under this many victims or procedures is masked.
STATISTICS_K_THRESHOLD = env.int("STATISTICS_K_THRESHOLD", default=5)

# Exhibits (pièces): size limit and the types accepted, checked on the content, not the name.
EXHIBIT_MAX_BYTES = env.int("EXHIBIT_MAX_BYTES", default=50 * 1024 * 1024)
EXHIBIT_ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/tiff": ".tif",
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024


# Logs go to stderr, one JSON object per line in production (LOG_FORMAT=json, config/log_format.py),
# readable text in development; each carries the request id (config/request_context.py), Celery
# workers' lines too.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT is json (one JSON object per line) or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "config.request_context.RequestContextFilter"},
        "redact_calendar_secrets": {"()": "config.log_filters.RedactCalendarSecrets"},
        "redact_query_strings": {"()": "config.log_filters.RedactQueryStrings"},
    },
    "formatters": {
        "json": {
            "()": "config.log_format.JsonLineFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
            "json_ensure_ascii": False,
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_context", "redact_calendar_secrets", "redact_query_strings"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "axes": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        # Django's own handlers (its development console, mail to ADMINS) give way to the one above,
        # so every line has the same format and filters. Never DEBUG, whatever LOG_LEVEL: at DEBUG
        # Django logs each SQL statement with its parameters and each failed template lookup with
        # the context, which hold names, searches and e-mail addresses. To see queries, use
        # django.test.utils.CaptureQueriesContext or connection.queries.
        "django": {"handlers": [], "level": "INFO"},
        "django.db.backends": {"level": "INFO"},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
