"""Settings for each environment, read from the process environment."""
import os
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
INSTANCE = ROOT / "instance"


class ConfigError(RuntimeError):
    """A setting the chosen environment needs is missing or unsafe."""


DEV_SECRET_KEY = "dev-only-not-secret"


def _count(value, name):
    try:
        return max(0, int(value or 0))
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None


def _engine_options(database_url):
    """The connection pool of a production process. Under gevent one process answers many requests
    at once and each holds a connection for the whole request, so the pool keeps as many open as
    are usually in flight (DB_POOL_SIZE, 20 by default): with SQLAlchemy's default of 5, every
    request past the fifth opened a connection and closed it after (on PostgreSQL a new server
    process each time). DB_MAX_OVERFLOW more (10) absorb a burst; past them a request waits for a
    free connection. Mind PostgreSQL's max_connections: processes x (size + overflow)."""
    from sqlalchemy.engine import make_url

    options = {"pool_pre_ping": True}
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return options  # one in-memory database per connection: no pool to size
    return {**options, "pool_size": _count(os.environ.get("DB_POOL_SIZE") or 20, "DB_POOL_SIZE"),
            "max_overflow": _count(os.environ.get("DB_MAX_OVERFLOW") or 10, "DB_MAX_OVERFLOW")}


def _job_queue(value, redis_url, production=False):
    """JOB_QUEUE: "rq" or "inline"; unset, "rq" in production when REDIS_URL is set, else "inline"."""
    mode = (value or "").strip().lower() or ("rq" if production and redis_url else "inline")
    if mode not in ("inline", "rq"):
        raise ConfigError(f"JOB_QUEUE must be inline or rq, not {value!r}")
    if mode == "rq" and not redis_url:
        raise ConfigError("JOB_QUEUE=rq needs REDIS_URL (the queue is on Redis)")
    return mode


def _seconds(value, name):
    """"10,60,300" -> (10, 60, 300): the waits before each retry of a failed job."""
    try:
        return tuple(max(0, int(part)) for part in (value or "").split(",") if part.strip())
    except ValueError:
        raise ConfigError(f"{name} must be whole seconds separated by commas, not {value!r}") from None


def _names(value):
    """"a.example, b.example" -> ["a.example", "b.example"] (None when empty)."""
    names = [name.strip() for name in (value or "").split(",") if name.strip()]
    return names or None


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE / 'civiclab.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL") or None

    # Flask-Babel: Italian first, English second; times shown in Rome.
    LANGUAGES = ("it", "en")
    BABEL_DEFAULT_LOCALE = "it"
    BABEL_DEFAULT_TIMEZONE = "Europe/Rome"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")

    # Mail: in development it is written to instance/mail, in tests captured in memory.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes")
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "").lower() in ("1", "true", "yes")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "CivicLab <noreply@civiclab.local>")
    MAIL_FILE_DIR = None  # when set, mail is written there as .eml files instead of sent
    # Mail sent while answering a request leaves after the commit, in the background: the answer
    # never waits for the mail server (tests send at once and capture it).
    MAIL_IN_BACKGROUND = True
    # Jobs (core/jobs.py): mail, digests and reminders. "inline" (the embedded default) sends them from
    # the app process after the commit; "rq" queues them on REDIS_URL for `flask --app wsgi jobs
    # worker` (the default in production when REDIS_URL is set). JOB_QUEUE_NAME: the RQ queue;
    # JOB_RETRY_INTERVALS: seconds before each retry of a job that failed (then the failed-jobs page);
    # JOB_TIMEOUT: seconds a job may run; JOB_RESULT_TTL / JOB_FAILURE_TTL: seconds Redis keeps a
    # done / failed job (its arguments hold mail bodies: not for ever).
    JOB_QUEUE = (os.environ.get("JOB_QUEUE") or "inline").strip().lower()  # checked by check()
    JOB_QUEUE_NAME = os.environ.get("JOB_QUEUE_NAME") or "civiclab"
    JOB_RETRY_INTERVALS = _seconds(os.environ.get("JOB_RETRY_INTERVALS", "10,60,300"), "JOB_RETRY_INTERVALS")
    JOB_TIMEOUT = _count(os.environ.get("JOB_TIMEOUT") or 300, "JOB_TIMEOUT")
    JOB_RESULT_TTL = _count(os.environ.get("JOB_RESULT_TTL") or 3600, "JOB_RESULT_TTL")
    JOB_FAILURE_TTL = _count(os.environ.get("JOB_FAILURE_TTL") or 14 * 24 * 3600, "JOB_FAILURE_TTL")
    # Where people write about accessibility and personal data (footer pages).
    CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "civiclab@example.org")

    # Accounts
    CONFIRM_TOKEN_MAX_AGE = 3 * 24 * 3600
    RESET_TOKEN_MAX_AGE = 3600
    # Sign-in counts only failed attempts, per client address (RATELIMIT_LOGIN; a class signing
    # in from one school address is not held back) and per account, wherever the guesses come
    # from (RATELIMIT_LOGIN_ACCOUNT). RATELIMIT_LOGIN also limits every POST of the password pages.
    RATELIMIT_LOGIN = "10 per minute;50 per hour"
    RATELIMIT_LOGIN_ACCOUNT = "10 per 15 minutes"
    RATELIMIT_REGISTER = "5 per minute;30 per hour"
    # The limits below may be raised from the environment for a run that must not meet them (the
    # schemathesis run of tests/integration/test_api_schemathesis.py).
    RATELIMIT_WRITE = os.environ.get("RATELIMIT_WRITE", "30 per minute")
    RATELIMIT_API_READ = os.environ.get("RATELIMIT_API_READ", "300 per minute")  # per token, or per address
    RATELIMIT_HEADERS_ENABLED = True
    # Co-design: posting comments, per signed-in user (a burst beyond it gets a clear message).
    RATELIMIT_COMMENT = os.environ.get("RATELIMIT_COMMENT", "5 per minute;60 per hour")
    # Attachments of proposals: images and PDF, checked by content, stored under instance/uploads.
    # Site search: proposals are ranked among this many newest matches (20 pages of 10), and
    # counted up to it ("more than 200" past it), so a common word costs what a rare one does.
    SEARCH_CANDIDATES = int(os.environ.get("SEARCH_CANDIDATES", "200"))
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE / "uploads"))
    UPLOAD_MAX_BYTES = 5 * 1024 * 1024
    UPLOADS_PER_PROPOSAL = 5
    # An image past this many pixels is refused from its header (a phone photo is 12 MP).
    UPLOAD_MAX_PIXELS = int(os.environ.get("UPLOAD_MAX_PIXELS", "24000000"))
    # What one user may attach in 24 hours, counted as received (deleting a file does not give it back).
    UPLOAD_QUOTA_FILES_PER_DAY = int(os.environ.get("UPLOAD_QUOTA_FILES_PER_DAY", "30"))
    UPLOAD_QUOTA_BYTES_PER_DAY = int(os.environ.get("UPLOAD_QUOTA_BYTES_PER_DAY", str(50 * 1024 * 1024)))

    # Rooms: new messages per user over every connection and process (in the rate-limit storage,
    # Redis when REDIS_URL is set; on whatever RATELIMIT_ENABLED says; empty turns it off), and
    # how long a presence entry lives in Redis unless its process refreshes it.
    RATELIMIT_ROOM_MESSAGE = "10 per 10 seconds"
    # Guests (booking without an account): the share of an event's seats guests may hold, upcoming
    # guest bookings per address, and booking links asked per address (+tags removed) and per event.
    GUEST_SEATS_SHARE = float(os.environ.get("GUEST_SEATS_SHARE", "0.5"))
    GUEST_BOOKINGS_PER_ADDRESS = int(os.environ.get("GUEST_BOOKINGS_PER_ADDRESS", "3"))
    RATELIMIT_GUEST_ADDRESS = "3 per hour;10 per day"
    RATELIMIT_GUEST_EVENT = "30 per hour"
    ROOMS_PRESENCE_TTL = 90
    # Socket.IO connections one user may hold at once on /rooms (all processes together, counted in
    # Redis with REDIS_URL); the next is refused with a reason. 0 turns the cap off.
    ROOMS_MAX_SOCKETS_PER_USER = int(os.environ.get("ROOMS_MAX_SOCKETS_PER_USER") or 10) or None
    # Arrivals in a room are told to the others at once, then gathered for this many seconds while
    # more arrive (rooms/arrivals.py): a room filling up costs each client a few events, not one per person.
    ROOMS_PRESENCE_BATCH = float(os.environ.get("ROOMS_PRESENCE_BATCH") or 0.5)

    # Socket.IO: threading (simple-websocket) in development and tests; gevent in production.
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "threading")

    # The site's public address: every link in a mail or a calendar is built from it, never from
    # the Host a request claims (required in production).
    CIVICLAB_BASE_URL = os.environ.get("CIVICLAB_BASE_URL", "http://127.0.0.1:5000")
    # Host names requests may carry (Flask answers others 400); None accepts any. Production
    # defaults to the host of CIVICLAB_BASE_URL.
    TRUSTED_HOSTS = _names(os.environ.get("TRUSTED_HOSTS"))
    # How many proxies stand in front of the app and set X-Forwarded-For/-Proto (nginx alone: 1).
    # 0 believes no forwarded header: the client's address is the connection's.
    TRUSTED_PROXY_COUNT = _count(os.environ.get("TRUSTED_PROXY_COUNT"), "TRUSTED_PROXY_COUNT")

    # Open data: the body that publishes the datasets and their DCAT-AP_IT catalogue (its name and
    # its code in the Indice della Pubblica Amministrazione, IPA: identifiers read "<ipa>:<dataset>"),
    # the address for questions about the data, the catalogue's title and its date of first issue.
    CIVICLAB_PUBLISHER_NAME = os.environ.get("CIVICLAB_PUBLISHER_NAME", "CivicLab – Rete dei Laboratori aperti")
    CIVICLAB_PUBLISHER_IPA = os.environ.get("CIVICLAB_PUBLISHER_IPA", "civiclab")
    CIVICLAB_OPENDATA_EMAIL = os.environ.get("CIVICLAB_OPENDATA_EMAIL", CONTACT_EMAIL)
    CIVICLAB_CATALOGUE_TITLE = os.environ.get("CIVICLAB_CATALOGUE_TITLE", "CivicLab: dati aperti")
    CIVICLAB_CATALOGUE_ISSUED = os.environ.get("CIVICLAB_CATALOGUE_ISSUED", "2025-01-01")

    # Public pages for visitors, kept per process until the next committed change (core/page_cache.py):
    # how many bytes of pages each process keeps, and the time bucket bounding what changes with
    # the clock alone (registration opening or closing, upcoming becoming past).
    PAGE_CACHE_ENABLED = os.environ.get("PAGE_CACHE_ENABLED", "1").lower() not in ("0", "false", "no")
    PAGE_CACHE_MAX_BYTES = int(os.environ.get("PAGE_CACHE_MAX_BYTES", str(64 * 1024 * 1024)))
    PAGE_CACHE_SECONDS = 60

    # The app's log on stderr: "text" (readable, development) or "json" (one object per line with
    # the request id, production's default; core/logs.py).
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    # SPID and CIE through an OpenID Connect gateway (accounts/oidc.py). OIDC_ISSUER: the gateway's
    # issuer URL (discovery at <issuer>/.well-known/openid-configuration); empty turns it all off.
    OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").strip().rstrip("/")
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")  # client_secret_basic
    OIDC_PRIVATE_KEY_FILE = os.environ.get("OIDC_PRIVATE_KEY_FILE", "")  # PEM: private_key_jwt instead
    OIDC_PRIVATE_KEY_ID = os.environ.get("OIDC_PRIVATE_KEY_ID", "")  # its `kid`, as registered
    OIDC_SCOPES = os.environ.get("OIDC_SCOPES", "openid profile email")
    OIDC_SPID_ENABLED = os.environ.get("OIDC_SPID_ENABLED", "").lower() in ("1", "true", "yes")  # the button
    OIDC_CIE_ENABLED = os.environ.get("OIDC_CIE_ENABLED", "").lower() in ("1", "true", "yes")
    # Extra authorization parameters per button, "key=value&...", e.g. the gateway's IdP hint.
    OIDC_SPID_PARAMS = os.environ.get("OIDC_SPID_PARAMS", "")
    OIDC_CIE_PARAMS = os.environ.get("OIDC_CIE_PARAMS", "")
    OIDC_TIMEOUT = float(os.environ.get("OIDC_TIMEOUT") or 10)  # seconds to wait for the gateway
    # The HMAC key of fiscal numbers (accounts/identity_services.py); SECRET_KEY when empty.
    IDENTITY_HASH_KEY = os.environ.get("IDENTITY_HASH_KEY", "")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PREFERRED_URL_SCHEME = "http"
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024  # a form with two attachments at their limit
    WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session
    PER_PAGE = 20

    @classmethod
    def check(cls):
        """Raise ConfigError when the environment is unsafe for this config."""
        cls.JOB_QUEUE = _job_queue(cls.JOB_QUEUE, cls.REDIS_URL)


class DevelopmentConfig(Config):
    DEBUG = False  # the reloader breaks Socket.IO threads; FLASK_DEBUG=1 turns it on by hand
    MAIL_FILE_DIR = str(INSTANCE / "mail")


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-only"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    MAIL_SUPPRESS_SEND = True
    MAIL_IN_BACKGROUND = False
    WTF_CSRF_ENABLED = False  # tests that check CSRF switch it back on
    RATELIMIT_ENABLED = False  # tests that check rate limits switch it back on
    RATELIMIT_STORAGE_URI = "memory://"
    REDIS_URL = None
    JOB_QUEUE = "inline"  # tests of the queue switch it to rq on a Redis of their own
    SERVER_NAME = "localhost"
    CIVICLAB_BASE_URL = "http://localhost"
    TRUSTED_HOSTS = None
    TRUSTED_PROXY_COUNT = 0
    # On in tests, as in production: every test that commits a change and then reads a public
    # page as a visitor checks that the change threw the stored page away.
    PAGE_CACHE_ENABLED = True
    ROOMS_PRESENCE_BATCH = 0  # every arrival told at once (tests of batches set it)
    LOG_FORMAT = "text"  # tests of the JSON log set it


class ProductionConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "gevent")
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls):
        # Read at start-up, not import, so a server started with the wrong environment stops.
        secret = os.environ.get("SECRET_KEY", "")
        database = os.environ.get("DATABASE_URL", "")
        if len(secret) < 32 or secret == DEV_SECRET_KEY or _placeholder(secret):
            raise ConfigError("production needs SECRET_KEY: a random string of 32+ characters")
        if not database:
            raise ConfigError("production needs DATABASE_URL (PostgreSQL)")
        cls.SECRET_KEY = secret
        cls.SQLALCHEMY_DATABASE_URI = database
        cls.SQLALCHEMY_ENGINE_OPTIONS = _engine_options(database)
        cls.CIVICLAB_BASE_URL = _public_base_url(os.environ.get("CIVICLAB_BASE_URL", ""))
        cls.TRUSTED_HOSTS = (_names(os.environ.get("TRUSTED_HOSTS"))
                             or [urlsplit(cls.CIVICLAB_BASE_URL).hostname])
        cls.TRUSTED_PROXY_COUNT = _count(os.environ.get("TRUSTED_PROXY_COUNT"), "TRUSTED_PROXY_COUNT")
        issuer = os.environ.get("OIDC_ISSUER", "").strip()
        if issuer and urlsplit(issuer).scheme != "https":
            raise ConfigError("OIDC_ISSUER must be an https:// address in production")
        identity_key = os.environ.get("IDENTITY_HASH_KEY", "")
        if issuer and (len(identity_key) < 32 or _placeholder(identity_key) or identity_key == secret):
            # Its own key: rotating SECRET_KEY after a leak must not unlink every SPID/CIE identity.
            raise ConfigError("production with OIDC_ISSUER needs IDENTITY_HASH_KEY: a random string of 32+ "
                              "characters, not SECRET_KEY, kept for good")
        cls.IDENTITY_HASH_KEY = identity_key
        cls.JOB_QUEUE = _job_queue(os.environ.get("JOB_QUEUE"), os.environ.get("REDIS_URL"), production=True)


def _placeholder(value):
    """A value copied from an example (deploy/civiclab.env) instead of made: never a secret."""
    return "change-me" in value.lower() or "changeme" in value.lower()


def _public_base_url(value):
    """The production site's address, checked: links in mails are built from it."""
    parts = urlsplit(value.strip())
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError("production needs CIVICLAB_BASE_URL: the site's public address, "
                          "e.g. https://civiclab.example.org")
    return value.strip().rstrip("/")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name=None):
    """The config class for CIVICLAB_ENV (development by default)."""
    name = name or os.environ.get("CIVICLAB_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigError(f"CIVICLAB_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
