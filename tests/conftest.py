"""The app and a clean database for every test, on SQLite or (RS_TEST_DATABASE_URL) PostgreSQL.

The schema is built by running the Alembic migrations, so every test also exercises them.
Tests commit for real (requests do); each test ends by emptying every table.
"""

import os
import secrets
from datetime import datetime

import flask_migrate
import pytest
import time_machine
from flask import g, request_started
from sqlalchemy import MetaData, text

from config import normalise_database_url
from rs_service import create_app
from rs_service.extensions import db, limiter
from tests.factories import ApiClient, make_org, make_person

TEST_DATABASE_URL = os.environ.get("RS_TEST_DATABASE_URL")
# The whole run at a set moment of a ticking clock (ISO 8601 with an offset), e.g. 02:30 UTC, when
# UTC and America/Detroit disagree on the date: `make test` runs the SQLite half a second time so.
TEST_CLOCK = os.environ.get("RS_TEST_CLOCK")


def pytest_report_header(config):
    clock = f", clock from {TEST_CLOCK}" if TEST_CLOCK else ""
    return f"rs_service test database: {'PostgreSQL' if TEST_DATABASE_URL else 'SQLite'}{clock}"


def pytest_configure(config):
    """Move every wall clock the service reads (not the monotonic one timers use) for the whole run;
    tests that travel further nest inside it."""
    if TEST_CLOCK:
        config.rs_clock = time_machine.travel(datetime.fromisoformat(TEST_CLOCK), tick=True)
        config.rs_clock.start()


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgresql` prove what only PostgreSQL does: the SQLite run deselects them."""
    if TEST_DATABASE_URL:
        return
    deselected = [item for item in items if item.get_closest_marker("postgresql")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgresql")]


def pytest_unconfigure(config):
    if getattr(config, "rs_clock", None) is not None:
        config.rs_clock.stop()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if TEST_DATABASE_URL:
        return normalise_database_url(TEST_DATABASE_URL)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'rs_test.sqlite'}"


@pytest.fixture(scope="session")
def session_app(database_url, tmp_path_factory):
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "OUTBOX_DIR": str(tmp_path_factory.mktemp("outbox")),
            "PUBLIC_URL": "http://rs.test",
            "SECRET_KEY": secrets.token_hex(32),
        },
    )
    with app.app_context():
        drop_everything()
        flask_migrate.upgrade()
        db.session.remove()
    return app


def drop_everything():
    """Start from an empty database, whatever an earlier run left behind."""
    existing = MetaData()
    existing.reflect(db.engine)
    existing.drop_all(db.engine)


def empty_all_tables():
    """TRUNCATE on PostgreSQL, which the ledger's row triggers do not see; on SQLite the triggers
    that refuse DELETE are set aside for the emptying and put back as they were."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            return
        triggers = connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
        for name, _ in triggers:
            connection.execute(text(f"DROP TRIGGER {name}"))
        for table in tables:
            connection.execute(text(f"DELETE FROM {table}"))
        for _, sql in triggers:
            connection.execute(text(sql))


def forget_request_state(sender, **extra):
    """Tests hold an app context that requests reuse; start each request with an empty `g`
    (flask-login caches the logged-in person there), as a real server would."""
    for name in list(g):
        g.pop(name)


@pytest.fixture
def app(session_app):
    with session_app.app_context(), request_started.connected_to(forget_request_state, session_app):
        yield session_app
        db.session.remove()
        empty_all_tables()
        limiter.reset()  # login failures and other counts start from zero in every test


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def api(app):
    return ApiClient(app.test_client())


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def org(app):
    """An association like MI-AIMH, in America/Detroit."""
    return make_org("mi-aimh")


@pytest.fixture
def staff(org):
    return make_person(org, "staff", name="Dana Whitfield")


@pytest.fixture
def facilitator(org):
    return make_person(org, "facilitator", name="Maya Okafor")
