"""Configuration per environment, read from the process environment when the app is built."""

import os
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


class ConfigError(RuntimeError):
    """The environment cannot run the service as configured."""


class Config:
    # Never a constant: without SECRET_KEY, development makes a random key once in instance/ and
    # production refuses to start (rs_service.secret_key, load_config).
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI: str | None = f"sqlite:///{INSTANCE_DIR / 'rs_service.sqlite'}"
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None
    API_TITLE = "rs_service"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    # The people import carries the checked file (up to 2 MB, so 2.7 MB in base64) from its preview
    # to the import in one form field, and a corrected file of up to 2 MB may come with it;
    # Werkzeug's default limit for one field is 500 kB.
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 3 * 1024 * 1024
    # werkzeug's scrypt: memory-hard, the modern default for stored passwords.
    PASSWORD_HASH_METHOD = "scrypt"
    SMTP_HOST = None
    SMTP_PORT = 25
    SMTP_USERNAME = None
    SMTP_PASSWORD = None
    SMTP_STARTTLS = False
    SMTP_SSL = False
    MAIL_FROM = "rs_service <no-reply@localhost>"
    OUTBOX_DIR = str(INSTANCE_DIR / "outbox")
    # Public base URL of every absolute link (emails, certificates, calendar feeds), never the Host header.
    PUBLIC_URL = "http://127.0.0.1:5000"
    # Flask-Limiter's counters: memory:// is per process; with several workers name a shared
    # redis://host:6379/N so every worker counts the same login failures.
    RATELIMIT_STORAGE_OPTIONS: ClassVar[dict] = {"wrap_exceptions": True}
    # Failed logins per email (then that email is refused for the same period) and per address.
    LOGIN_FAILURES_PER_EMAIL = "10 per 15 minutes"
    LOGIN_FAILURES_PER_ADDRESS = "50 per 15 minutes"
    # Links asked for on /password/forgot, per email and per address.
    PASSWORD_LINKS_PER_EMAIL = "3 per hour"
    PASSWORD_LINKS_PER_ADDRESS = "20 per hour"
    API_TOKEN_DAYS = 90
    # The Ed25519 key that signs Open Badges credentials: RS_SIGNING_KEY (PEM or JWK), else this
    # file, generated on first use and readable by its owner only. Never commit either.
    RS_SIGNING_KEY = None
    SIGNING_KEY_FILE = str(INSTANCE_DIR / "signing-key.pem")
    # Host names requests may carry (others answer 400); None accepts any. See trusted_hosts().
    TRUSTED_HOSTS: ClassVar[list[str] | None] = None
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Lookups by a secret in the URL (calendar feeds, certificate codes), per client address.
    LOOKUP_RATE_LIMIT = "60 per minute"
    # "json": one JSON object per log line (production's default); "text" for a person at a terminal.
    LOG_FORMAT = "text"
    # Proxies in front of the service that set X-Forwarded-For/-Proto (0: clients connect directly).
    PROXY_COUNT = 0
    TESTING = False


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = True
    # Hashing is most of the suite's time; tests check behaviour, not the hash's strength.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"


class ProductionConfig(Config):
    LOG_FORMAT = "json"
    SQLALCHEMY_DATABASE_URI = None
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


ENVIRONMENTS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

# Variables taken from the environment as they are, and the ones that are numbers or switches.
_PLAIN = (
    "SECRET_KEY",
    "SMTP_HOST",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "MAIL_FROM",
    "PUBLIC_URL",
    "OUTBOX_DIR",
    "RATELIMIT_STORAGE_URI",
    "RS_SIGNING_KEY",
    "SIGNING_KEY_FILE",
    "LOOKUP_RATE_LIMIT",
    "LOG_FORMAT",
)
_INTEGERS = ("SMTP_PORT", "API_TOKEN_DAYS", "PROXY_COUNT")
_SWITCHES = ("SMTP_STARTTLS", "SMTP_SSL")


def load_config(env: str | None = None, environ=os.environ) -> dict:
    """Settings for `env` (default: RS_ENV, else development) with the environment applied."""
    env = env or environ.get("RS_ENV", "development")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"RS_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    cls = ENVIRONMENTS[env]
    settings = {key: getattr(cls, key) for key in dir(cls) if key.isupper()}
    settings["RS_ENV"] = env
    for key in _PLAIN:
        if environ.get(key):
            settings[key] = environ[key]
    for key in _INTEGERS:
        if environ.get(key):
            try:
                settings[key] = int(environ[key])
            except ValueError:
                raise ConfigError(f"{key} must be a whole number, not {environ[key]!r}") from None
    for key in _SWITCHES:
        if key in environ:
            settings[key] = environ[key].strip().lower() in ("1", "true", "yes", "on")
    if environ.get("DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(environ["DATABASE_URL"])
    settings["TRUSTED_HOSTS"] = trusted_hosts(env, environ)
    if env == "production":
        missing = [
            name
            for name, key in (("SECRET_KEY", "SECRET_KEY"), ("DATABASE_URL", "SQLALCHEMY_DATABASE_URI"))
            if not settings.get(key)
        ]
        if missing:
            raise ConfigError(f"production (RS_ENV=production) refuses to start without {' and '.join(missing)}")
    return settings


def trusted_hosts(env: str, environ) -> list[str] | None:
    """TRUSTED_HOSTS (comma-separated) as given; in production, by default PUBLIC_URL's host and the
    machine itself (for health checks)."""
    if environ.get("TRUSTED_HOSTS"):
        return [host.strip() for host in environ["TRUSTED_HOSTS"].split(",") if host.strip()]
    if env == "production" and environ.get("PUBLIC_URL"):
        return [urlsplit(environ["PUBLIC_URL"]).hostname or "", "localhost", "127.0.0.1"]
    return None


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
