"""Settings for CSC Careers.

Everything comes from the environment, with defaults that let a developer run the site locally with
no set-up (DEBUG on, e-mail printed to the console). The database is always PostgreSQL, named by
DATABASE_URL; manage.py and the run command set it to the checkout's own server when it is unset.
With DEBUG off the production hardening switches on, and a missing SECRET_KEY, ALLOWED_HOSTS='*'
or a SITE_URL on this machine stops the start-up instead of falling back to an unsafe default.
"""

import ipaddress
import os
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Time zone rules from the tzdata package (IANA's release, locked in uv.lock), never the operating
# system's copy, which lags: Debian's 2025b still has Vancouver on UTC-8 in winter after British
# Columbia's move to permanent UTC-7 (November 2026), and the PostgreSQL server uses the newer
# rules. Python and the database must agree on when a posting closes.
zoneinfo.reset_tzpath(to=[])
zoneinfo.ZoneInfo.clear_cache()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off: export SECRET_KEY to a long random value."
        )
    # Only ever used with DEBUG on, on a developer's own machine.
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and "*" in ALLOWED_HOSTS:
    # Any Host header would be believed: absolute links (feed, sitemap, the pages' language links,
    # cached for every visitor) could be made to point at another site.
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must name the site's host names when DEBUG is off, not '*': "
        "export ALLOWED_HOSTS=careers.example.ca (comma-separated)."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # modeltranslation must come before the admin so that its admin integration takes effect.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    "positions",
    "applications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves the (compressed, hashed) static files itself, before any session or database work.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "csc_careers.middleware.RejectNullCharactersMiddleware",
    # Before any view or page (its other-language link) reads request.GET.
    "csc_careers.middleware.RejectTooManyFieldsMiddleware",
    "csc_careers.middleware.RejectFailingAdminFiltersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as django-axes requires: locks out repeated failed sign-ins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "csc_careers.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "csc_careers.wsgi.application"

# PostgreSQL is the only database, everywhere.
if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. manage.py and ./scripts/run start the checkout's own PostgreSQL "
        "when it is unset; anything else (gunicorn, scripts/serve) needs DATABASE_URL=postgres://…"
    )
DATABASES = {
    "default": dj_database_url.parse(
        os.environ["DATABASE_URL"],
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("PostgreSQL is the only database: DATABASE_URL must be postgres://…")


def describe_database() -> str:
    """Name the database of DATABASE_URL for an error message, without its password."""
    db = DATABASES["default"]
    host = db["HOST"] or "the default socket"
    where = f"{host}:{db['PORT']}" if db["PORT"] else host
    return f"{db['NAME']!r} as {db['USER'] or 'the current user'!r} on {where}"


DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Both official languages, English first: modeltranslation adds an _en and a _fr column to every
# translated text field, and English is the fallback when a French text is still missing.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True
# Short dates year first in both languages, as Canada.ca writes them (csc_careers/formats).
FORMAT_MODULE_PATH = ["csc_careers.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))

# Public uploads (occupation images). Applicants' files will use separate private storage.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Applicants' résumés: outside MEDIA_ROOT, never served by URL (only permission-checked views).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # With DEBUG off: compressed files with content hashes in their names, cached for a year
    # (needs `manage.py collectstatic`, which scripts/serve runs).
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Résumés on S3-compatible object storage (django-storages) when RESUME_BUCKET is set: a private
# bucket, files reached only through short-lived signed URLs handed out by the permission-checked
# download view. Credentials come from the usual AWS_* variables or the machine's role.
RESUME_BUCKET = os.environ.get("RESUME_BUCKET", "")
if RESUME_BUCKET:
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": RESUME_BUCKET,
            "endpoint_url": os.environ.get("RESUME_BUCKET_ENDPOINT_URL") or None,
            "region_name": os.environ.get("RESUME_BUCKET_REGION") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": "AES256"},
        },
    }

# One cache shared by every app server: Redis when REDIS_URL is set. Without it, local memory
# for development and a directory shared by the processes of one machine in production.
# Two aliases: "pages" holds the public pages and the parts of them kept for everyone
# (csc_careers.page_cache), as many as there are searches; "default" holds what must last its
# time: rate-limit counters, the pages' generation, locks. A full file cache deletes a random
# third of its entries: a flood of new searches culls pages, never a counter.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": alias,
        }
        for alias in ("default", "pages")
    }
elif DEBUG:
    CACHES = {
        alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
        for alias in ("default", "pages")
    }
else:
    cache_dir = Path(os.environ.get("CACHE_DIR", str(BASE_DIR / "cache")))
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(cache_dir),
            # Counters of visitors sending forms within the hour; Django's default is 300.
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(cache_dir / "pages"),
            # Each write past this lists the directory and culls a third: a few thousand pages.
            "OPTIONS": {"MAX_ENTRIES": 3_000},
        },
    }
# Seconds a public page (home, lists, details, feed) is served from the cache; any change HR makes
# to postings or the catalogue makes every cached page stale at once.
PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", "300"))
# /bench/hello, the framework's ceiling for bench/speed_benchmark.py; off unless asked for.
BENCHMARK_ENDPOINTS = env_bool("BENCHMARK_ENDPOINTS", False)

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)


def is_public_url(url: str) -> bool:
    """Return whether the URL is http(s) on a host other than this machine."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed [IPv6 address
        return False
    host = parts.hostname or ""
    if parts.scheme not in {"http", "https"} or not host or host == "localhost":
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return not host.endswith(".localhost")
    return not (address.is_loopback or address.is_unspecified)


# The public address of the site, for links in e-mails (sent from background tasks, which have
# no request to build them from). The local default would send applicants 127.0.0.1 links.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
if not DEBUG and not is_public_url(SITE_URL):
    raise ImproperlyConfigured(
        f"SITE_URL must be the site's public address when DEBUG is off, not {SITE_URL!r}: links in "
        "applicants' e-mails use it. Export SITE_URL=https://careers.example.ca (for example)."
    )
if not DEBUG and urlsplit(SITE_URL).scheme != "https":
    # Mailbox providers only follow an HTTPS one-click unsubscribe (RFC 8058), and the site
    # redirects plain HTTP: an http:// link in an e-mail would lose the POST.
    raise ImproperlyConfigured(
        f"SITE_URL must be an https:// address when DEBUG is off, not {SITE_URL!r}: e-mails' "
        "links and one-click unsubscribe use it."
    )
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "careers-carrieres@csc-scc.gc.ca")

# Uploaded occupation images: largest accepted file, and the width of the rendition shown on pages.
OCCUPATION_IMAGE_MAX_BYTES = 5 * 1024 * 1024
OCCUPATION_IMAGE_RENDITION_WIDTH = 960

# Lists shown to the public.
PAGINATE_BY = 12

# Applications: résumé size limit, accepted types (checked from the content), and a per-client
# limit on submissions (django-ratelimit; answered with a 429 page).
RESUME_MAX_BYTES = int(os.environ.get("RESUME_MAX_BYTES", 5 * 1024 * 1024))
# The whole application request: the résumé plus the form's text, with room for multipart framing.
APPLICATION_MAX_REQUEST_BYTES = RESUME_MAX_BYTES + 256 * 1024
# A PDF résumé is checked in a child process killed after this many seconds of CPU time,
# with at most RESUME_CHECKS_AT_ONCE such checks on this machine at a time (one per CPU by
# default; scripts/serve runs 2 x CPUs + 1 workers), so uploads can neither take a worker for long
# nor tie up every worker at once. The
# slots are lock files in RESUME_CHECK_LOCK_DIR, shared by the processes of one machine.
RESUME_CHECK_SECONDS = float(os.environ.get("RESUME_CHECK_SECONDS", "2"))
_cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
RESUME_CHECKS_AT_ONCE = int(os.environ.get("RESUME_CHECKS_AT_ONCE", _cpus))
RESUME_CHECK_LOCK_DIR = os.environ.get(
    "RESUME_CHECK_LOCK_DIR", str(BASE_DIR / "cache" / "resume-checks")
)
# A résumé that passed its checks on a form sent back with errors is kept this long (private
# storage, for the same browser session) so that it need not be chosen again: see
# applications/kept_resumes.py and `manage.py clear_kept_resumes`.
RESUME_KEEP_HOURS = float(os.environ.get("RESUME_KEEP_HOURS", "3"))
APPLICATION_RATE = os.environ.get("APPLICATION_RATE", "10/h")
STATUS_LINK_RATE = os.environ.get("STATUS_LINK_RATE", "5/h")
# How long a status link e-mailed to an applicant works (asking for it again sends a fresh one).
STATUS_LINK_MAX_AGE_DAYS = int(os.environ.get("STATUS_LINK_MAX_AGE_DAYS", "30"))
# Job alerts (positions/models/alerts.py): a sign-up not confirmed within this many days is
# deleted; so is a confirmed one paused, or sent nothing, for ALERT_DORMANT_DAYS. The links in
# alert e-mails (manage, unsubscribe) work for ALERT_LINK_MAX_AGE_DAYS; each e-mail has fresh ones.
ALERT_CONFIRMATION_DAYS = int(os.environ.get("ALERT_CONFIRMATION_DAYS", "7"))
ALERT_DORMANT_DAYS = int(os.environ.get("ALERT_DORMANT_DAYS", "365"))
ALERT_LINK_MAX_AGE_DAYS = int(os.environ.get("ALERT_LINK_MAX_AGE_DAYS", "60"))
# Sign-ups per visitor (IP address) and per e-mail address (django-ratelimit rates).
ALERT_SIGNUP_RATE = os.environ.get("ALERT_SIGNUP_RATE", "10/h")
ALERT_SIGNUP_EMAIL_RATE = os.environ.get("ALERT_SIGNUP_EMAIL_RATE", "3/h")
# Where the 429 page sends people who need help before the limit resets.
CAREERS_CONTACT_EMAIL = os.environ.get("CAREERS_CONTACT_EMAIL", "careers-carrieres@csc-scc.gc.ca")
RATELIMIT_VIEW = "applications.views.rate_limited"
# How many proxies (load balancer, CDN) stand in front of the app and append to X-Forwarded-For;
# 0 when visitors reach gunicorn directly. Limits per client use csc_careers.client_address.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
RATELIMIT_IP_META_KEY = "csc_careers.client_address.client_address"
# Days after an application reached a final stage (screened out, not retained, withdrawn) before
# `manage.py purge_applications` erases its personal information and résumé.
APPLICATION_RETENTION_DAYS = int(os.environ.get("APPLICATION_RETENTION_DAYS", "730"))
# HR reports (applications/reports.py): an employment equity count under this is not shown, nor
# any count from which it could be worked out by subtraction.
EQUITY_SUPPRESSION_THRESHOLD = int(os.environ.get("EQUITY_SUPPRESSION_THRESHOLD", "5"))
# Seconds the funnel, time and reach reports are shown as counted before they are counted again
# (applications.report_cache); 0 counts them at every request.
REPORT_CACHE_SECONDS = int(os.environ.get("REPORT_CACHE_SECONDS", "300"))
# Months a candidate stays qualified in a posting's pool (applications/pools.py) unless HR extends
# it, with a reason: the pool's expiry date is counted from the day they join.
POOL_VALIDITY_MONTHS = int(os.environ.get("POOL_VALIDITY_MONTHS", "12"))

# Background tasks (django-tasks): run at once locally (DEBUG on) and in tests; with DEBUG off they
# go to the database queue, and `manage.py db_worker` sends them. Sending e-mail inside the request
# would make applicants wait on the mail server, and would let the time the status-link page takes
# reveal whether an address has applied.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if DEBUG
            else "django_tasks_db.backend.DatabaseBackend",
        )
    }
}

# Content-Security-Policy (django-csp): nothing from other origins, no inline script. The GC Design
# System components (Stencil) set style attributes and a <style> element, hence inline styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Sign-in protection (django-axes): failed sign-ins are counted three ways, each with its limit,
# and reaching one locks that out for AXES_COOLOFF_HOURS: one user name from one address
# (AXES_FAILURE_LIMIT), one user name from anywhere (guesses spread over many addresses) and one
# address across user names (one password tried on many accounts). The last two are higher:
# colleagues share an office's address, and one person signs in from several machines.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_USERNAME_FAILURE_LIMIT = int(os.environ.get("AXES_USERNAME_FAILURE_LIMIT", "20"))
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "50"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
# Holds each of those counts against its own limit (stock axes has one limit for all).
AXES_HANDLER = "csc_careers.sign_in.AxesPerParameterLimitsHandler"
AXES_CLIENT_IP_CALLABLE = "csc_careers.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "locked_out.html"

# Staff sessions end after SESSION_IDLE_MINUTES without a request, and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Status links are keys to personal information: no log line carries one (gunicorn's access
    # log has its own filter, csc_careers.log_privacy.AccessLogger).
    "filters": {"status_links": {"()": "csc_careers.log_privacy.RedactStatusLinks"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["status_links"]},
        # The development server's request lines, as Django logs them, without status links.
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["status_links"],
        },
    },
    "loggers": {
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
