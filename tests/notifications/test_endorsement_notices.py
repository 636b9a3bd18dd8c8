"""Renewal notices and certificates sent to their holders, through a real SMTP server."""

import io
from datetime import UTC, date, datetime

import pypdf
import pytest

from rs_service.endorsement import service
from rs_service.extensions import db
from rs_service.notifications.jobs import run_due_jobs
from tests.endorsement.helpers import AS_OF, add_hours, full_year, monthly, provider
from tests.factories import give_credential, make_org, make_person, token_for
from tests.notifications.conftest import parts


def at(day: str) -> datetime:
    """Mid-morning in Detroit on `day`."""
    return datetime.fromisoformat(f"{day}T15:00:00+00:00").astimezone(UTC)


def text(message) -> str:
    return parts(message)["text/plain"].get_content()


@pytest.fixture
def association(app):
    org = make_org("mi-aimh")
    imhs = provider(org, "IMHS", name="Alice Adams")
    give_credential(imhs, "IMHS", date(2020, 1, 1))  # her own hours: met, so she gets no notice
    add_hours(imhs, provider(org, "IMHM-C"), monthly(date(2025, 1, 1), 12), 60)
    return org, imhs


# ----------------------------------------------------------------------------- renewal notices


def test_renewal_notices_60_and_14_days_before_to_those_short_once_each(association, mailbox):
    org, imhs = association
    short = make_person(org, "participant", name="Sam Short")
    give_credential(short, "IFS", date(2024, 1, 1))
    add_hours(short, imhs, monthly(date(2025, 1, 1), 4), 90)  # 6 h of 12
    met = make_person(org, "participant", name="Mia Met")
    give_credential(met, "IFS", date(2024, 1, 1))
    add_hours(met, imhs, monthly(date(2025, 1, 1), 8), 90)
    make_person(org, "participant", name="Nell Never")  # not endorsed: nothing to renew

    assert run_due_jobs(at("2025-10-31")).sent["renewal_notice"] == 0  # 61 days before
    summary = run_due_jobs(at("2025-11-01"))
    assert summary.sent["renewal_notice"] == 1 and summary.ok
    [notice] = mailbox.to(short)
    assert " ".join(str(notice["Subject"]).split()) == "Renewal of your IFS endorsement is due December 31, 2025"
    body = text(notice)
    assert "12.00 clock hours" in body and "So far 6.00 count; 6.00 are still needed." in body
    assert "http://rs.test/my/hours" in body
    assert notice["Content-Language"] == "en"

    for day in ("2025-11-02", "2025-12-01", "2025-12-16"):  # inside 60 days, outside 14: already told
        assert run_due_jobs(at(day)).sent["renewal_notice"] == 0
    assert run_due_jobs(at("2025-12-17")).sent["renewal_notice"] == 1  # 14 days before
    assert run_due_jobs(at("2025-12-17")).sent["renewal_notice"] == 0
    assert run_due_jobs(at("2025-12-30")).sent["renewal_notice"] == 0
    assert len(mailbox.to(short)) == 2 and mailbox.to(met) == [] and mailbox.to(imhs) == []


def test_someone_first_short_inside_14_days_gets_only_the_14_day_notice(association, mailbox):
    org, _ = association
    late = make_person(org, "participant", name="Lee Late")
    give_credential(late, "IFS", date(2024, 1, 1))
    run_due_jobs(at("2025-12-20"))
    run_due_jobs(at("2025-12-21"))
    [notice] = mailbox.to(late)
    assert "So far 0.00 count; 12.00 are still needed." in text(notice)


def test_renewals_are_judged_again_the_same_day_only_when_what_they_depend_on_changed(
    association, mailbox, monkeypatch
):
    org, _ = association
    from rs_service.endorsement import renewal_service

    judged = []
    real = renewal_service.renewals
    monkeypatch.setattr(renewal_service, "renewals", lambda *args: judged.append(args[1]) or real(*args))
    run_due_jobs(at("2025-11-01"))
    run_due_jobs(at("2025-11-01").replace(minute=1))  # an idle minute: nothing to judge again
    assert len(judged) == 1

    newly = make_person(org, "participant", name="Lee Late")
    give_credential(newly, "IFS", date(2024, 1, 1))  # a credential recorded that morning
    run_due_jobs(at("2025-11-01").replace(minute=2))
    assert len(judged) == 2 and len(mailbox.to(newly)) == 1
    run_due_jobs(at("2025-11-02"))  # a new day
    assert len(judged) == 3


def test_a_renewal_notice_in_spanish(association, mailbox):
    org, _ = association
    person = make_person(org, "participant", name="Ana Ruiz")
    person.language = "es"
    give_credential(person, "IFS", date(2024, 1, 1))
    run_due_jobs(at("2025-11-01"))
    [notice] = mailbox.to(person)
    assert notice["Content-Language"] == "es"
    assert "31 de diciembre de 2025" in " ".join(str(notice["Subject"]).split())
    assert 'lang="es"' in parts(notice)["text/html"].get_content()


# ----------------------------------------------------------------------------- certificates reach their holders


@pytest.fixture
def eligible(association):
    org, imhs = association
    person = make_person(org, "participant", name="Zoë Lindqvist", pursuing_category="IFS")
    full_year(person, imhs)
    return person


def test_an_issued_certificate_reaches_its_holder_with_the_pdf_and_the_verify_link(app, association, eligible, mailbox):
    org, _ = association
    response = app.test_client().post(
        "/api/v1/certificates",
        json={"person_id": eligible.id, "category": "IFS", "as_of": AS_OF.isoformat()},
        headers={"Authorization": f"Bearer {token_for(make_person(org, 'staff'))}"},
    )
    assert response.status_code == 201
    code = response.get_json()["code"]

    summary = run_due_jobs(at("2026-01-05"))
    assert summary.sent["certificate_issued"] == 1
    [sent] = mailbox.to(eligible)
    assert " ".join(str(sent["Subject"]).split()) == "Your IFS certificate of reflective supervision hours"
    assert f"http://rs.test/verify/{code}" in text(sent)
    assert "24.00 clock hours" in text(sent) and "Infant Family Specialist (IFS)" in text(sent)
    [pdf] = [part for part in sent.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == "Zoë Lindqvist - IFS RSC certificate.pdf"
    document = pypdf.PdfReader(io.BytesIO(pdf.get_content()))
    assert code in "".join(page.extract_text() for page in document.pages)

    assert run_due_jobs(at("2026-01-06")).sent["certificate_issued"] == 0  # once


def test_a_refused_certificate_sends_nothing(app, association, mailbox):
    org, imhs = association
    short = make_person(org, "participant", pursuing_category="IFS")
    add_hours(short, imhs, monthly(date(2025, 6, 1), 3), 60)
    with pytest.raises(service.NotEligible):
        service.issue_certificate(short, "IFS", make_person(org, "staff"), as_of=AS_OF)
    db.session.rollback()
    assert run_due_jobs(at("2026-01-05")).sent["certificate_issued"] == 0


def test_the_holders_email_is_in_their_language(association, eligible, mailbox):
    org, _ = association
    eligible.language = "es"
    db.session.commit()
    service.issue_certificate(eligible, "IFS", make_person(org, "staff"), as_of=AS_OF)
    db.session.commit()
    run_due_jobs(at("2026-01-05"))
    [sent] = mailbox.to(eligible)
    assert sent["Content-Language"] == "es"
    assert "1 de enero de 2024" in text(sent) and "31 de diciembre de 2025" in text(sent)
