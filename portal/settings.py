"""Settings for the conference portal, driven by environment variables.

With no variables set this is the *embedded default*: SQLite, an in-memory channel
layer, a local-memory cache and Celery tasks run eagerly in-process, so a newcomer can
run the whole portal with no services. Production sets DATABASE_URL (PostgreSQL),
REDIS_URL (channel layer, cache, Celery broker), SECRET_KEY, ALLOWED_HOSTS and storage.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The embedded default needs no secret; production must set one (check --deploy says so).
SECRET_KEY = env("SECRET_KEY", default="django-insecure-embedded-default-not-for-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",  # runserver serves ASGI, so websockets work in the embedded default
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_htmx",
    "allauth",
    "allauth.account",
    "portal",
    "schedule",
    "chat",
    "posters",
    "keynotes",
    "booths",
    "people",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.ConferencePerRequestMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.timezones.ViewerTimeZoneMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

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
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# portal.prepared.PreparedQuery: PREPARE / EXECUTE on each connection. Off behind a pooler that
# hands each transaction another server connection (PgBouncer's transaction pooling).
PORTAL_PREPARED_STATEMENTS = env.bool("PORTAL_PREPARED_STATEMENTS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A transaction takes the write lock when it begins, so a read-then-write (the chat's
    # rate limit: count recent posts, then store one) cannot interleave with another.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, cache, Celery ----------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # redis-py's async pool defaults to 100 connections: a burst of 1,000 websocket
    # connects (each a group_add) then failed with HTTP 500 (DESIGN.md, "Realtime").
    _redis_host = {"address": REDIS_URL, "max_connections": env.int("CHANNEL_REDIS_MAX_CONNECTIONS", default=2000)}
    # Pub/sub channels are not per Redis database: two portals (or two test runs) on one
    # Redis keep apart only by prefix.
    _channel_prefix = env("CHANNEL_LAYER_PREFIX", default="asgi")
    # PubSub: a group_send is one PUBLISH and each process fans out locally; the core
    # layer pushes a copy per member through Redis. Measured in bench/chat_fanout.py
    # (docs/benchmarks.md); chat.link covers what PubSub does not notice (a lost Redis).
    if env("CHANNEL_LAYER", default="pubsub") == "pubsub":
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [_redis_host], "prefix": _channel_prefix},
            }
        }
    else:
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [_redis_host], "capacity": 1500, "expiry": 30, "prefix": _channel_prefix},
            }
        }
    # The cache may live on a Redis of its own (CACHE_URL): one that evicts (allkeys-lru),
    # where the broker's and the channel layer's must not (noeviction; docs/deploy.md).
    CACHE_URL = env("CACHE_URL", default=REDIS_URL)
    CACHES = {
        "default": {
            # django-redis; allauth's rate-limit locks fail open without Redis (log-in works).
            "BACKEND": "portal.redis_cache.RedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {
                # Pages must render with Redis gone (DESIGN.md): a cache miss, not a 500.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True

CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_TIME_LIMIT = 60 * 60
# Long jobs (video processing) are acknowledged late: a worker takes one message at a time
# (CELERY_BROKER_TRANSPORT_OPTIONS below for how long Redis waits for the acknowledgement).
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE = {
    # Lets /healthz tell whether beat and a worker are alive.
    "heartbeat": {"task": "portal.tasks.heartbeat", "schedule": 30.0},
    "daily-heartbeat-log": {"task": "portal.tasks.heartbeat", "schedule": crontab(minute=0, hour=0)},
    "chat-retention": {"task": "chat.tasks.apply_retention", "schedule": crontab(minute=30, hour=3)},
    # Agenda reminders (e-mail + on-site notice), each sent once (schedule/reminders.py).
    "schedule-reminders": {"task": "schedule.tasks.send_reminders", "schedule": 60.0},
    # Releases the day's recordings at 02:00 NZ time; every minute, so it catches up after downtime.
    "release-recordings": {"task": "schedule.tasks.release_recordings", "schedule": 60.0},
    # Re-queues videos whose processing fell silent (a killed worker): schedule/recordings/processing.py.
    "sweep-stuck-processing": {"task": "schedule.tasks.sweep_stuck_processing", "schedule": 60.0},
    # Ends "meet someone now" offers nobody answered in time (people/matching.py); sockets also do it on time.
    "people-expire-matches": {"task": "people.tasks.expire_matches", "schedule": 10.0},
    # Self-organised booths close after BOOTH_PRIVATE_HOURS; their chat is deleted with them.
    "close-private-booths": {"task": "booths.tasks.close_expired_private_booths", "schedule": 300.0},
}
# The conference's phase (before / live / archived) comes from its dates, or from the
# organisers' choice in admin; a deployment may pin it here (a rehearsal copy kept "live",
# a fallback host kept "archived"). Empty: not pinned.
PORTAL_PHASE = env("PORTAL_PHASE", default="")
if PORTAL_PHASE not in ("", "before", "live", "archived"):
    raise ValueError(f"PORTAL_PHASE is “{PORTAL_PHASE}”: it is before, live, archived or empty.")
# The static export as a fallback copy (docs/deploy.md, "Fallback and archive"): rewritten
# into PORTAL_EXPORT_DIR every PORTAL_EXPORT_EVERY_MINUTES minutes by beat (0: off).
PORTAL_EXPORT_DIR = env("PORTAL_EXPORT_DIR", default="")
PORTAL_EXPORT_EVERY_MINUTES = env.int("PORTAL_EXPORT_EVERY_MINUTES", default=0)
PORTAL_EXPORT_MEDIA = env.bool("PORTAL_EXPORT_MEDIA", default=False)
PORTAL_EXPORT_JOBS = env.int("PORTAL_EXPORT_JOBS", default=1)  # processes rendering pages
if PORTAL_EXPORT_DIR and PORTAL_EXPORT_EVERY_MINUTES > 0:
    CELERY_BEAT_SCHEDULE["static-export"] = {
        "task": "portal.tasks.refresh_static_export",
        "schedule": PORTAL_EXPORT_EVERY_MINUTES * 60.0,
    }

# --- Accounts -------------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
# Django's and allauth's, with the visitor's row read by a prepared statement.
AUTHENTICATION_BACKENDS = [
    "portal.auth_backends.ModelBackend",
    "portal.auth_backends.AuthenticationBackend",
]
SITE_ID = 1
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# Roles come from verified addresses only (portal.models.verified_addresses): an account
# cannot log in before it confirms its address, so nobody signs up as an author to act
# as one. Mails go to the console in the embedded default (EMAIL_URL).
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
# allauth's rate limits (log-in, sign-up, password reset) count per client address. Behind
# a proxy every request comes from the proxy, so the address is the one it reports in this
# header (deploy/nginx sets X-Real-IP to its peer's address; a client cannot forge it). Set
# only behind such a proxy (deploy/start.sh does for gunicorn); unset, the peer address.
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("TRUSTED_CLIENT_IP_HEADER", default="") or None
ACCOUNT_LOGOUT_ON_GET = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_SERIALIZER = "django.contrib.sessions.serializers.JSONSerializer"
# Sessions live in the database and are read from the cache (Redis in production): a
# logged-in page view then costs no session query. Without Redis it is the local cache.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Portal ---------------------------------------------------------------------------
# Anyone may browse the minimum viable conference; live links and chat need registration.
PORTAL_PUBLIC_BROWSING = env.bool("PORTAL_PUBLIC_BROWSING", default=True)
# The day's videos are released at this hour in this zone (DESIGN.md, "Release rule").
PORTAL_RELEASE_TIME_ZONE = env("PORTAL_RELEASE_TIME_ZONE", default="Pacific/Auckland")
PORTAL_RELEASE_HOUR = env.int("PORTAL_RELEASE_HOUR", default=2)
PORTAL_DEFAULT_TIME_ZONE = "UTC"
PORTAL_TIME_ZONE_COOKIE = "tz"
# How long a shared cache (nginx) may keep a public page (portal/public.py): an edit in
# admin shows within it. A page whose content changes with the clock sooner says so
# itself. Shorter lifetimes cost renders that a crowd waits for (docs/architecture.md).
PORTAL_PUBLIC_PAGE_SECONDS = env.int("PORTAL_PUBLIC_PAGE_SECONDS", default=60)
# A change with the clock reaches shared copies within this many seconds after its
# instant, each page at a point of its own: pages that change together (the 02:00
# release) are rendered afresh over these seconds, not all at once (portal/public.py).
PORTAL_PUBLIC_CHANGE_SPREAD_SECONDS = env.int("PORTAL_PUBLIC_CHANGE_SPREAD_SECONDS", default=30)
# The portal's public address, for links in e-mails sent outside a request (reminders).
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# --- Recordings (schedule/recordings/) -------------------------------------------------
# Largest upload accepted (video, slides); files stream to a temporary file on disk
# (TemporaryFileUploadHandler) above FILE_UPLOAD_MAX_MEMORY_SIZE, never whole into memory.
PORTAL_UPLOAD_MAX_BYTES = env.int("PORTAL_UPLOAD_MAX_BYTES", default=500 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.TemporaryFileUploadHandler"]
FILE_UPLOAD_PERMISSIONS = 0o644
PORTAL_FFMPEG = env("PORTAL_FFMPEG", default="ffmpeg")
PORTAL_FFPROBE = env("PORTAL_FFPROBE", default="ffprobe")
PORTAL_X264_PRESET = env("PORTAL_X264_PRESET", default="veryfast")
PORTAL_PROCESSING_TIMEOUT = env.int("PORTAL_PROCESSING_TIMEOUT", default=3 * 60 * 60)
# What an upload may cost to process, checked by ffprobe before anything is decoded (issue
# 13: an 8K, 240 s file of 2.9 MB took ~265 s of two cores). Renditions are 720p at most,
# so a larger source only costs decoding: 1080p at 60 fps bounds a 5-minute poster talk to
# about a minute of CPU and the longest talk (keynote, 60 min) to minutes. A video is at
# most PORTAL_VIDEO_MAX_SECONDS long whatever its kind (each kind has its own, lower limit:
# schedule/recordings/models.py), well within PORTAL_PROCESSING_TIMEOUT.
PORTAL_VIDEO_MAX_WIDTH = env.int("PORTAL_VIDEO_MAX_WIDTH", default=1920)
PORTAL_VIDEO_MAX_HEIGHT = env.int("PORTAL_VIDEO_MAX_HEIGHT", default=1080)
PORTAL_VIDEO_MAX_PIXELS = env.int("PORTAL_VIDEO_MAX_PIXELS", default=1920 * 1080)
PORTAL_VIDEO_MAX_FPS = env.int("PORTAL_VIDEO_MAX_FPS", default=60)
PORTAL_VIDEO_MAX_SECONDS = env.int("PORTAL_VIDEO_MAX_SECONDS", default=2 * 60 * 60)
# A version in processing with no sign of life (queued, or its run's heartbeat every 15 s)
# for this long is queued again by the beat; after this many starts it fails with the reason.
PORTAL_PROCESSING_STUCK_SECONDS = env.int("PORTAL_PROCESSING_STUCK_SECONDS", default=10 * 60)
PORTAL_PROCESSING_MAX_ATTEMPTS = env.int("PORTAL_PROCESSING_MAX_ATTEMPTS", default=3)
# Redis gives an unacknowledged message (a late-acknowledged job whose worker died) to
# another worker after visibility_timeout: it must outlast the longest job, the processing
# timeout plus the task's margin (schedule/tasks.py), or a job still running would start twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": PORTAL_PROCESSING_TIMEOUT + 60 * 60}
# Production: nginx serves checked media from its internal /protected-media/ location.
PORTAL_MEDIA_ACCEL = env.bool("PORTAL_MEDIA_ACCEL", default=False)
PORTAL_MEDIA_ACCEL_PREFIX = "/protected-media/"
# Optional host to serve *released* media first (same paths: /media/recordings/<id>/<asset>).
PORTAL_MEDIA_MIRROR_URL = env("PORTAL_MEDIA_MIRROR_URL", default="")
# Mirrors of the released media (object storage in another region, a host reachable where
# the main one is blocked), tried in order when the first source fails; the player offers
# "another server". Each holds the same paths; `manage.py sync_mirror` fills file:// or
# local-path mirrors, rclone the others (docs/deploy.md, "Fallback and archive").
MEDIA_MIRRORS = env.list("MEDIA_MIRRORS", default=[])

# Hosts of video-call services ("*." also matches any subdomain): a link to one is a call
# link, refused in public text and cut out of feeds (schedule/call_links.py). Extra hosts
# (an institution's own meeting server) may be added with CALL_LINK_EXTRA_HOSTS.
CALL_LINK_HOSTS = [
    "zoom.us", "*.zoom.us", "zoom.com", "*.zoom.com", "zoomgov.com", "*.zoomgov.com",
    "meet.google.com", "hangouts.google.com", "teams.microsoft.com", "teams.live.com",
    "webex.com", "*.webex.com", "meet.jit.si", "8x8.vc", "whereby.com", "*.whereby.com",
    "gotomeeting.com", "*.gotomeeting.com", "meet.goto.com", "bluejeans.com", "*.bluejeans.com",
    "chime.aws", "*.chime.aws", "*.skype.com", "join.skype.com", "meet.lync.com",
    *env.list("CALL_LINK_EXTRA_HOSTS", default=[]),
]  # fmt: skip

# --- Keynotes' Q&A ------------------------------------------------------------------------
# Per person, across keynotes: at most this many questions in this many seconds ("slow down").
KEYNOTES_QUESTIONS_PER_WINDOW = env.int("KEYNOTES_QUESTIONS_PER_WINDOW", default=3)
KEYNOTES_QUESTION_WINDOW_SECONDS = env.int("KEYNOTES_QUESTION_WINDOW_SECONDS", default=60)
# Vote counts go out at most once per question in this many seconds (keynotes/votecounts.py).
KEYNOTES_VOTE_UPDATE_SECONDS = env.float("KEYNOTES_VOTE_UPDATE_SECONDS", default=0.25)

# --- Booths ---------------------------------------------------------------------------
# Self-organised booths (booths/services/private.py): at most this many people, open this
# many hours, with a video call made per booth from this template ({token}: a random
# per-booth name; the host must be in CALL_LINK_HOSTS so the link never reaches public text).
BOOTH_PRIVATE_MAX_MEMBERS = env.int("BOOTH_PRIVATE_MAX_MEMBERS", default=3)
BOOTH_PRIVATE_HOURS = env.float("BOOTH_PRIVATE_HOURS", default=24)
BOOTH_PRIVATE_CALL_URL = env("BOOTH_PRIVATE_CALL_URL", default="https://meet.jit.si/portal-{token}")

# --- Chat -----------------------------------------------------------------------------
# Per person, across rooms: at most this many posts in this many seconds.
CHAT_RATE_LIMIT_MESSAGES = env.int("CHAT_RATE_LIMIT_MESSAGES", default=5)
CHAT_RATE_LIMIT_SECONDS = env.int("CHAT_RATE_LIMIT_SECONDS", default=10)
CHAT_EDIT_WINDOW_SECONDS = 600
# Threads for the sockets' database work in each ASGI process (chat/services/db.py).
CHAT_DB_THREADS = env.int("CHAT_DB_THREADS", default=4)
# How often a server process checks its channel-layer link while it has room sockets
# open (chat/link.py); 0 = never (the in-memory layer of the embedded default).
CHAT_LINK_CHECK_SECONDS = env.float("CHAT_LINK_CHECK_SECONDS", default=2.0 if REDIS_URL else 0)
# Days after the conference's last day that each kind of room keeps its messages;
# None keeps them for the archive (chat.services.retention, run daily by beat).
# --- Meeting people (people/) ---------------------------------------------------------------
# Introductions one person may ask for in 24 hours (against spam).
PEOPLE_INTRODUCTIONS_PER_DAY = env.int("PEOPLE_INTRODUCTIONS_PER_DAY", default=5)
# Seconds each side of a "meet someone now" match has to accept or skip.
PEOPLE_MATCH_ANSWER_SECONDS = env.int("PEOPLE_MATCH_ANSWER_SECONDS", default=60)
# People matched (or introduced) are not matched again for this many hours.
PEOPLE_MATCH_REPEAT_HOURS = env.int("PEOPLE_MATCH_REPEAT_HOURS", default=24)

# Authors are asked to answer at least this many questions in each paper's room (all, when
# fewer are asked); shown to authors with their progress, and to organisers in admin.
ENGAGEMENT_MIN_ANSWERS_PER_PAPER = env.int("ENGAGEMENT_MIN_ANSWERS_PER_PAPER", default=3)

CHAT_RETENTION_DAYS = {"corridor": 14, "booth": 30, "paper": None, "keynote": None}

# --- I18N / time ----------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=False)
# Without collectstatic (the embedded default, `make demo`) WhiteNoise serves straight
# from the apps' and project's static folders, whatever DEBUG says.
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
STORAGES = {
    "default": {"BACKEND": env("DEFAULT_FILE_STORAGE", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        # Production runs collectstatic and sets STATIC_MANIFEST=1 for hashed names.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- E-mail ---------------------------------------------------------------------------
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="conference@localhost")

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["portal.permissions.CanBrowse"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    # JSON only: people read the API at /api/docs/ (ReDoc); DRF's browsable pages failed
    # axe (no lang, an unnamed button, contrast) and duplicated it.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's three, with JSON nested too deeply a 400 (portal/visitor_input.py).
    "DEFAULT_PARSER_CLASSES": [
        "portal.visitor_input.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Conference portal API",
    "DESCRIPTION": "Papers, poster sessions, schedule and chat of the virtual conference.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "REDOC_DIST": "SIDECAR",
}

# --- Security (production) ------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
