"""Settings for Resursråd, read from environment variables.

Fails closed: without DEBUG=true this is production, which needs SECRET_KEY,
ALLOWED_HOSTS, FEDERATION_NAME, CONTROLLER_NAME and PERSONAL_NUMBER_HASH_KEY.
`make run` sets DEBUG=true; development then runs on embedded defaults (SQLite,
a file-system Celery broker, e-mail to the console). Production is this same
file with the variables listed in README.md.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from resursrad.env import env_bool, env_choice, env_int, env_list, env_str, env_time

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)


def _production_required(name: str) -> str:
    """A variable production cannot run without; the message says how to develop instead."""
    value = env_str(name)
    if not value:
        raise ImproperlyConfigured(
            f"{name} must be set when DEBUG is false (production). For development set DEBUG=true."
        )
    return value


if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY", "development-only-key-not-for-production-use-0123456789")
else:
    SECRET_KEY = _production_required("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is false.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The federation (samordningsförbund) this deployment serves and the member
# party that is the controller (personuppgiftsansvarig) of the personal data.
# Production must name them: a demo name in the privacy notice would be wrong.
if DEBUG:
    FEDERATION_NAME = env_str("FEDERATION_NAME", "Samordningsförbundet Södertörn (demo)")
    CONTROLLER_NAME = env_str("CONTROLLER_NAME", "Haninge kommun (demo)")
else:
    FEDERATION_NAME = _production_required("FEDERATION_NAME")
    CONTROLLER_NAME = _production_required("CONTROLLER_NAME")
# Days after consent is withdrawn or expires before the case's personal data is erased.
ERASURE_AFTER_CONSENT_ENDED_DAYS = env_int("ERASURE_AFTER_CONSENT_ENDED_DAYS", 30)
# Days after a referral is declined or closed before its personal data is erased.
ERASURE_AFTER_CLOSED_DAYS = env_int("ERASURE_AFTER_CLOSED_DAYS", 365)
# The coordinator's inbox highlights referrals that have waited this many days.
INBOX_LONG_WAIT_DAYS = env_int("INBOX_LONG_WAIT_DAYS", 14, minimum=1)
# "Mina ärenden" warns the case worker of consent that expires within this many days.
CONSENT_EXPIRY_WARNING_DAYS = env_int("CONSENT_EXPIRY_WARNING_DAYS", 30, minimum=1)
# Each query run from a compiled shape (resursrad.compiled) is also built by the ORM and compared:
# for the test suite (tests/conftest.py), never in production, where it would undo the saving.
COMPILED_QUERIES_CHECK = False
# The person responsible for a step of a meeting's plan is reminded this many days before it is due.
PLAN_ITEM_REMINDER_DAYS = env_int("PLAN_ITEM_REMINDER_DAYS", 7, minimum=1)
# The council's coordinators are reminded this many days before a case's follow-up date.
FOLLOW_UP_REMINDER_DAYS = env_int("FOLLOW_UP_REMINDER_DAYS", 7, minimum=1)
# The steering group answers a deviation's reporter within this many days of the report.
DEVIATION_ANSWER_DAYS = env_int("DEVIATION_ANSWER_DAYS", 60, minimum=1)
# A request for a statement about a deviation suggests an answer within this many days.
DEVIATION_STATEMENT_DAYS = env_int("DEVIATION_STATEMENT_DAYS", 21, minimum=1)
# The handler and the party's contact are reminded this many days before a deviation deadline.
DEVIATION_REMINDER_DAYS = env_int("DEVIATION_REMINDER_DAYS", 7, minimum=1)
# The consent form suggests this validity, counted in months from the day consent is given.
CONSENT_DEFAULT_VALIDITY_MONTHS = env_int("CONSENT_DEFAULT_VALIDITY_MONTHS", 12, minimum=1)
# The key of the keyed hash (HMAC) of personal identity numbers, kept in the
# access log so that a person's access history survives erasure. Changing it
# breaks that link for older entries: set it once per deployment.
PERSONAL_NUMBER_HASH_KEY = env_str(
    "PERSONAL_NUMBER_HASH_KEY",
    "development-only-hash-key-0123456789" if DEBUG else None,
    required=not DEBUG,
)
if len(PERSONAL_NUMBER_HASH_KEY) < 32:
    raise ImproperlyConfigured("PERSONAL_NUMBER_HASH_KEY must be at least 32 characters long.")

INSTALLED_APPS = [
    "resursrad",
    "cases",
    "meetings",
    "deviations",
    "followup",
    "resursrad.notifications",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "resursrad.apps.AxesConfig",
]

# No LocaleMiddleware: the interface is Swedish whatever the browser asks for.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "resursrad.middleware.RequestIdMiddleware",
    # Before the session and everything else: bad bytes never reach the database.
    "resursrad.middleware.RejectBadInputMiddleware",
    "resursrad.middleware.PrivateResponseMiddleware",
    "resursrad.middleware.MethodNotAllowedPageMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "resursrad.middleware.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "resursrad.urls"
WSGI_APPLICATION = "resursrad.wsgi.application"

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
                "csp.context_processors.nonce",
                "resursrad.context_processors.navigation",
                "resursrad.notifications.context_processors.notifications",
            ],
        },
    },
]

# Database: SQLite by default; DATABASE_URL (postgres://...) for PostgreSQL.
_default_db = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
# A stopped or frozen database must end a request within seconds (an error
# page), not hold a worker until the proxy gives up.
DATABASE_CONNECT_TIMEOUT_SECONDS = env_int("DATABASE_CONNECT_TIMEOUT_SECONDS", 5, minimum=1)
DATABASE_STATEMENT_TIMEOUT_SECONDS = env_int("DATABASE_STATEMENT_TIMEOUT_SECONDS", 15, minimum=1)
try:
    _database = dj_database_url.parse(
        env_str("DATABASE_URL", _default_db), conn_max_age=60, conn_health_checks=True
    )
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if _database["ENGINE"] not in {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}:
    raise ImproperlyConfigured("DATABASE_URL must be a postgres:// or sqlite:// URL.")
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # The worker, the scheduler and the web server share one file: wait for
    # locks instead of failing at once.
    _database["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    _database["CONN_MAX_AGE"] = 0
    VAR_DIR.mkdir(parents=True, exist_ok=True)
else:
    _database["OPTIONS"] = {
        **_database.get("OPTIONS", {}),
        "connect_timeout": DATABASE_CONNECT_TIMEOUT_SECONDS,
        "options": f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_SECONDS * 1000}",
    }
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "resursrad.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "resursrad.backends.EmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions expire after a period without activity: every request renews them.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# Renewed at most once a minute (resursrad.middleware.IdleSessionMiddleware),
# not on every request: the idle timeout holds to within a minute.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Lockout after repeated failed logins (django-axes): a user name after
# AXES_FAILURE_LIMIT failures from any addresses, and an address after as many
# failures for any user names (each list item is counted on its own).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "resursrad.views.lockout"
# Axes would clear the address's failures too on a successful log-in, so one
# valid account could reset a password-guessing run against others: only the
# user's own failures are cleared (resursrad.signals).
AXES_RESET_ON_SUCCESS = False
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "resursrad.backends.lockout_username"
# The client's address: REMOTE_ADDR, or with N trusted reverse proxies the N-th
# address from the right of X-Forwarded-For (django-ipware is not installed).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "resursrad.backends.client_ip"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["username", "password"]

LANGUAGE_CODE = "sv"
# Swedish only: the interface does not follow the browser's Accept-Language.
LANGUAGES = [("sv", _("Swedish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: the console by default, SMTP when EMAIL_HOST is set (production
# should set it: without it, notification e-mails are written to the log).
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true.")
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT_SECONDS", 10, minimum=1)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "resursrad@localhost")
# The address links in e-mails start with (scheme and host, no trailing slash).
SITE_URL = env_str(
    "SITE_URL",
    f"http://127.0.0.1:{env_int('PORT', 8000, minimum=1)}" if DEBUG else f"https://{ALLOWED_HOSTS[0]}",
).rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, not {SITE_URL!r}.")

# Notifications (resursrad.notifications): the daily digest goes at this local
# time; a row claimed for sending and not sent within the lease is claimed
# again; a temporary failure is retried until the attempts run out.
NOTIFICATION_DIGEST_TIME = env_time("NOTIFICATION_DIGEST_TIME", "07:00")
NOTIFICATION_LEASE_MINUTES = env_int("NOTIFICATION_LEASE_MINUTES", 5, minimum=1)
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 8, minimum=1)

# Security headers.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "resursrad.errors.csrf_failure"
# Sent on every response by resursrad.middleware.PrivateResponseMiddleware.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), "
    "screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()"
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The container's health check asks over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if SECURE_HSTS_SECONDS and not SECURE_HSTS_PRELOAD:
        # Preload is an organisational decision; the check is told so.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Celery: a broker that needs no server by default, Redis via CELERY_BROKER_URL.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if not CELERY_BROKER_URL.startswith(("filesystem://", "redis://", "rediss://")):
    raise ImproperlyConfigured("CELERY_BROKER_URL must be filesystem://, redis:// or rediss://.")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT = "resursrad.celery:FileSystemTransport"
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "control"):
        (VAR_DIR / "celery" / _folder).mkdir(parents=True, exist_ok=True)
else:
    # Short socket timeouts: a stopped or hanging Redis costs a web request at
    # most a few seconds (notify publishes once, without retrying; the outbox
    # keeps what is due). The worker waits on BRPOP in its event loop, which
    # these do not cut short. Every task's time limit is below the visibility
    # timeout, so a running task is never handed to a second worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_timeout": 2,
        "socket_connect_timeout": 2,
        "visibility_timeout": 3600,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The worker never gives up on the broker: it reconnects for as long as it runs.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TASK_IGNORE_RESULT = True
# acks_late and reject_on_worker_lost are set on each task that is safe to run
# twice (resursrad/tasks.py, cases/tasks.py, resursrad/notifications/tasks.py),
# not globally: a new task must choose.
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
# A task cut off by a lost connection runs again: every task is safe to repeat.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "resursrad.tasks.record_heartbeat", "schedule": 60.0},
    # Everything due, not only what fell due in the last minute: a missed run is caught up.
    "send-due-notifications": {
        "task": "resursrad.notifications.tasks.sweep_due_notifications",
        "schedule": 60.0,
    },
    "end-lapsed-consents": {"task": "cases.tasks.end_referrals_with_lapsed_consent", "schedule": 3600.0},
    # Reminders that follow from time passing: consent that will expire, long waits.
    "plan-case-reminders": {"task": "cases.tasks.plan_reminders", "schedule": 3600.0},
    # A held case whose follow-up date has come returns to the backlog; reminders of
    # records not finalised, plan steps due and follow-ups coming due.
    "return-follow-ups-to-backlog": {
        "task": "meetings.tasks.return_follow_ups_to_backlog",
        "schedule": 3600.0,
    },
    "plan-meeting-reminders": {"task": "meetings.tasks.plan_reminders", "schedule": 3600.0},
    # A statement's deadline and the answer deadline of deviations, near and passed.
    "plan-deviation-reminders": {"task": "deviations.tasks.plan_reminders", "schedule": 3600.0},
    # Nightly, at quiet hours: erasure (gallring) and expired sessions.
    "erase-due-personal-data": {
        "task": "cases.tasks.erase_due_personal_data",
        "schedule": crontab(hour=2, minute=30),
    },
    "clear-expired-sessions": {
        "task": "resursrad.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=0),
    },
}
# How old the last heartbeat may be before the status page calls the worker down.
HEARTBEAT_STALE_AFTER = timedelta(minutes=3)

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "resursrad.middleware.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s upstream=%(upstream_request_id)s] "
            "%(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

if DEBUG:
    # Static files come straight from the apps and static/ in development.
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
    import warnings

    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
