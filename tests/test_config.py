import os
import subprocess
import sys

import pytest

from config import ConfigError, load_config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_development_defaults_to_an_sqlite_file_in_instance():
    settings = load_config(environ={})
    assert settings["RS_ENV"] == "development"
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert settings["SQLALCHEMY_DATABASE_URI"].endswith("instance/rs_service.sqlite")


def test_database_url_overrides_the_database_in_any_environment():
    settings = load_config("development", {"DATABASE_URL": "postgresql://u@db.example/rs"})
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/rs"


@pytest.mark.parametrize(
    "environ, missing",
    [
        ({}, "SECRET_KEY and DATABASE_URL"),
        ({"SECRET_KEY": "s" * 40}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://u@db/rs"}, "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_secret_key_and_database_url(environ, missing):
    with pytest.raises(ConfigError, match=missing):
        load_config("production", environ)


def test_production_uses_secure_cookies():
    settings = load_config("production", {"SECRET_KEY": "s" * 40, "DATABASE_URL": "postgresql://u@db/rs"})
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]


def test_unknown_environment_and_bad_port_are_clear_errors():
    with pytest.raises(ConfigError, match="RS_ENV"):
        load_config("staging", {})
    with pytest.raises(ConfigError, match="SMTP_PORT"):
        load_config("development", {"SMTP_PORT": "twenty-five"})


def test_wsgi_in_production_without_secrets_exits_with_a_message_not_a_traceback():
    environ = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    environ["RS_ENV"] = "production"
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "refuses to start without SECRET_KEY and DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_stored_passwords_use_a_memory_hard_hash_outside_tests(app):
    from werkzeug.security import check_password_hash, generate_password_hash

    for env in ("development", "production"):
        method = load_config(env, {"SECRET_KEY": "s" * 40, "DATABASE_URL": "postgresql://u@db/rs"})[
            "PASSWORD_HASH_METHOD"
        ]
        stored = generate_password_hash("a long enough passphrase", method=method)
        assert stored.startswith("scrypt:") and check_password_hash(stored, "a long enough passphrase")
