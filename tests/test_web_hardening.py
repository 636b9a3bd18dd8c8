"""Security headers, trusted hosts, absolute URLs from PUBLIC_URL, Allow on 405, equal login work, limits."""

import io
import re
import secrets
from datetime import date

import pypdf
import pytest

from rs_service import create_app
from rs_service.accounts import auth
from rs_service.endorsement import service as endorsement
from rs_service.extensions import db, limiter
from tests.endorsement.helpers import full_year, provider
from tests.factories import PASSWORD, make_org, make_person, token_for


def test_pages_and_api_answers_carry_security_headers(client, api):
    for response in (client.get("/login"), api.get("/requirements"), client.get("/healthz")):
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "Strict-Transport-Security" not in headers  # only in production, over HTTPS


def test_no_page_carries_inline_styles_or_scripts_the_policy_would_block():
    from pathlib import Path

    for template in (Path(__file__).parent.parent / "templates").rglob("*.html"):
        text = template.read_text()
        if template.name == "_layout.html" or '{% extends "notifications/_layout.html" %}' in text:
            continue  # emails: read by mail clients (which want inline styles), not under the site's policy
        inline_scripts = re.findall(r"<script(?![^>]*\bsrc=\"\{\{ url_for\('static')", text)
        assert not inline_scripts and "<style" not in text and ' style="' not in text, template.name


def production_app(tmp_path, monkeypatch, **environ):
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite'}")
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    return create_app("production")


def test_production_sends_hsts_and_refuses_a_foreign_host(tmp_path, monkeypatch):
    app = production_app(tmp_path, monkeypatch, PUBLIC_URL="https://rs.mi-aimh.example.org")
    client = app.test_client()
    response = client.get("/login", base_url="https://rs.mi-aimh.example.org")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert client.get("/login", base_url="https://evil.example").status_code == 400
    assert client.get("/login", base_url="http://localhost:8000").status_code == 200  # health checks on the box


def test_trusted_hosts_can_be_named(tmp_path, monkeypatch):
    app = production_app(tmp_path, monkeypatch, TRUSTED_HOSTS="rs.example.org, .aimh.example.org")
    client = app.test_client()
    assert client.get("/login", base_url="https://ct.aimh.example.org").status_code == 200
    assert client.get("/login", base_url="https://localhost").status_code == 400


def test_a_forged_host_header_cannot_redirect_feed_urls(api, staff):
    response = api.get(f"/people/{staff.id}/calendar-feed", token_for(staff), headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert response.get_json()["url"].startswith("http://rs.test/calendar/")


@pytest.fixture
def certificate(org, staff):
    person = make_person(org, "participant", name="Jordan Avery", pursuing_category="IFS")
    full_year(person, provider(org, "IMHS"))
    issued = endorsement.issue_certificate(person, "IFS", staff, as_of=date(2026, 1, 15))
    db.session.commit()
    return issued


def test_verify_links_and_the_pdf_with_its_qr_code_use_the_public_url(api, client, staff, certificate):
    """The PDF's QR code encodes the same verify URL that the PDF prints."""
    verify_url = f"http://rs.test/verify/{certificate.code}"
    issued = api.post(
        "/certificates",
        token_for(staff),
        {"person_id": certificate.person_id, "category": "IFS", "as_of": "2026-01-15"},
        headers={"Host": "evil.example"},
    )
    assert issued.status_code in (201, 409)
    response = api.get(f"/certificates/{certificate.code}.pdf", token_for(staff), headers={"Host": "evil.example"})
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.data)).pages)
    assert verify_url in text.replace("\n", "") and "evil" not in text


def test_405_answers_say_which_methods_are_allowed(client, api):
    page = client.delete("/login")
    assert page.status_code == 405 and set(page.headers["Allow"].split(", ")) >= {"GET", "POST"}
    answer = api.call("DELETE", "/requirements")
    assert answer.status_code == 405 and "GET" in answer.headers["Allow"]
    assert set(answer.get_json()) == {"code", "status", "message", "errors"}


@pytest.fixture
def hash_checks(monkeypatch):
    checks = []
    real = auth.check_password_hash

    def counting(stored, password):
        checks.append(stored)
        return real(stored, password)

    monkeypatch.setattr(auth, "check_password_hash", counting)
    return checks


def test_logging_in_costs_the_same_work_whether_an_email_is_in_one_association_two_or_none(app, hash_checks):
    make_person(make_org(), email="solo@example.org")
    for org in (make_org(), make_org()):
        make_person(org, email="both@example.org")
    work = {}
    for email, password in (
        ("solo@example.org", PASSWORD),
        ("solo@example.org", "wrong password"),
        ("both@example.org", PASSWORD),
        ("both@example.org", "wrong password"),
        ("nobody@example.org", PASSWORD),
    ):
        hash_checks.clear()
        found = auth.authenticate(email, password)
        assert (found is not None) == (password == PASSWORD and email != "nobody@example.org")
        work[(email, password)] = len(hash_checks)
    assert set(work.values()) == {auth.PASSWORD_CHECKS_PER_LOGIN}


def test_feed_and_verify_lookups_are_rate_limited(app, client, api, certificate):
    app.config["LOOKUP_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    try:
        for path, call in (
            ("/calendar/not-a-token.ics", client.get),
            (f"/verify/{certificate.code}", client.get),
            (f"/certificates/{certificate.code}", api.get),
        ):
            answers = [call(path).status_code for _ in range(4)]
            assert answers[-1] == 429 and 429 not in answers[:3], (path, answers)
        refused = api.get(f"/certificates/{certificate.code}")
        assert set(refused.get_json()) == {"code", "status", "message", "errors"} and "Retry-After" in refused.headers
    finally:
        app.config["LOOKUP_RATE_LIMIT"] = "60 per minute"
        limiter.reset()


def test_the_limiter_counts_in_redis_when_configured(tmp_path):
    redis_url = "redis://127.0.0.1:6379/6"
    app = create_app(
        "testing",
        {
            "SECRET_KEY": secrets.token_hex(32),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite'}",
            "RATELIMIT_STORAGE_URI": redis_url,
            "LOOKUP_RATE_LIMIT": "2 per minute",
        },
    )
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    with app.app_context():
        from rs_service.extensions import db as database

        database.create_all()
    client = app.test_client()
    answers = [client.get("/calendar/no-such-token.ics").status_code for _ in range(3)]
    assert answers == [404, 404, 429]
    assert redis.Redis.from_url(redis_url).keys("LIMITS*")
