"""Sessions are signed with a key nobody can read in the source: forging a login cookie fails."""

import logging
import stat

from flask import request
from flask.sessions import SecureCookieSessionInterface

import rs_service
from config import load_config
from rs_service import create_app
from rs_service.secret_key import instance_secret_key

# The constant every server started without configuration used to sign sessions with.
OLD_CONSTANT_KEY = "development-only-secret-key"


def forged_session_cookie(app, secret_key: str, person_id: int) -> str:
    forger = app.__class__(__name__)
    forger.secret_key = secret_key
    return SecureCookieSessionInterface().get_signing_serializer(forger).dumps({"_user_id": str(person_id)})


def test_a_server_started_without_configuration_ignores_a_cookie_forged_with_the_old_constant(tmp_path, monkeypatch):
    monkeypatch.setattr(rs_service, "INSTANCE_DIR", tmp_path)
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite'}"})
    cookie = forged_session_cookie(app, OLD_CONSTANT_KEY, 1)
    with app.test_request_context(headers={"Cookie": f"session={cookie}"}):
        assert app.session_interface.open_session(app, request).get("_user_id") is None


def test_a_cookie_signed_with_the_servers_own_key_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(rs_service, "INSTANCE_DIR", tmp_path)
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite'}"})
    cookie = forged_session_cookie(app, app.config["SECRET_KEY"], 1)
    with app.test_request_context(headers={"Cookie": f"session={cookie}"}):
        assert app.session_interface.open_session(app, request).get("_user_id") == "1"


def test_no_environment_has_a_built_in_key():
    for env in ("development", "testing"):
        assert load_config(env, {})["SECRET_KEY"] is None


def test_without_secret_key_a_random_key_is_made_once_owner_only_and_reused(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="rs_service.secret_key"):
        first = instance_secret_key(tmp_path)
        second = instance_secret_key(tmp_path / ".." / tmp_path.name)
    assert first == second and len(first) == 64
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert "generated a random key" in caplog.text
    assert instance_secret_key(tmp_path.parent / "elsewhere") != first


def test_a_key_file_others_can_read_is_made_private(tmp_path):
    (tmp_path / "secret_key").write_text("k" * 64)
    (tmp_path / "secret_key").chmod(0o644)
    assert instance_secret_key(tmp_path) == "k" * 64
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_an_app_started_without_secret_key_signs_with_the_instance_key(tmp_path, monkeypatch):
    monkeypatch.setattr(rs_service, "INSTANCE_DIR", tmp_path)
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite'}"})
    assert app.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()
    again = create_app("development", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite'}"})
    assert again.config["SECRET_KEY"] == app.config["SECRET_KEY"]


def test_rs_demo_refuses_to_run_in_production(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 64)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'production.sqlite'}")
    app = create_app("production")
    result = app.test_cli_runner().invoke(args=["rs", "demo"])
    assert result.exit_code != 0
    assert "refuses to run in production" in result.output
