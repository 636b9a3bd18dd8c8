"""The facilitator's attendance page, through the browser's forms."""

import io
import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest

from rs_service.extensions import db
from rs_service.hours.models import HourEntry
from tests.factories import csrf_token_from, enroll, give_credential, log_in, make_group, make_org, make_person

REPORTS = Path(__file__).parent / "reports"


@pytest.fixture
def march_session(app, client):
    """3 March 2026, 10:00-11:30 Detroit, facilitator Maria Lopez logged in; three participants."""
    org = make_org("mi-aimh")
    facilitator = make_person(org, "facilitator", name="Maria Lopez", email="maria.lopez@example.org")
    give_credential(facilitator, "IMHS", date(2022, 1, 1))
    group = make_group(org, [facilitator])
    people = [
        make_person(org, name=n, email=e)
        for n, e in (
            ("Ben Carter", "ben.carter@example.org"),
            ("Priya Natarajan", "priya.natarajan@example.org"),
            ("Tomás Ibarra", "tomas.ibarra@example.org"),
        )
    ]
    for person in people:
        enroll(group, person)
    from rs_service.groups.service import sessions_of

    session = sessions_of(group)[4]
    log_in(client, facilitator)
    return session, people


def page(client, session):
    response = client.get(f"/sessions/{session.id}/attendance")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_roster_saves_and_signs_off_from_the_form(client, march_session):
    session, (ben, priya, tomas) = march_session
    html = page(client, session)
    assert "Ben Carter" in html and 'name="viewport"' in html
    form = {
        "csrf_token": csrf_token_from(html),
        "version": "0",
        "action": "sign_off",
        f"status-{ben.id}": "present",
        f"status-{priya.id}": "left_early",
        f"minutes-{priya.id}": "42",
        f"status-{tomas.id}": "excused",
    }
    response = client.post(f"/sessions/{session.id}/attendance", data=form)
    assert response.status_code == 302
    assert "Signed off by Maria Lopez" in page(client, session)
    minutes = dict(db.session.execute(db.select(HourEntry.person_id, HourEntry.minutes)).all())
    assert minutes == {ben.id: 90, priya.id: 42}


def test_a_failed_save_keeps_what_was_typed_and_saves_nothing(client, march_session):
    session, (ben, priya, tomas) = march_session
    form = {
        "csrf_token": csrf_token_from(page(client, session)),
        "action": "save",
        f"status-{ben.id}": "present",
        f"status-{priya.id}": "late",
        f"minutes-{priya.id}": "500",
        f"status-{tomas.id}": "absent",
    }
    response = client.post(f"/sessions/{session.id}/attendance", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "at most 90" in html and 'value="500"' in html
    assert re.search(rf'name="status-{ben.id}" value="present" checked', html)
    assert "Signed off" not in html and 'value="0"' in html  # version unchanged: nothing saved


def test_every_problem_is_listed_at_the_top_and_links_to_its_field(client, march_session):
    session, (ben, priya, tomas) = march_session
    response = client.post(
        f"/sessions/{session.id}/attendance",
        data={
            "csrf_token": csrf_token_from(page(client, session)),
            "action": "save",
            f"status-{ben.id}": "present",
            f"status-{priya.id}": "late",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html[html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))]
    assert "There are 2 problems to fix" in summary
    assert f'href="#minutes-{priya.id}">Priya Natarajan: give the minutes present for &#39;late&#39;' in summary
    assert f'href="#status-{tomas.id}-present">Tomás Ibarra: Choose a status' in summary
    assert f'id="status-{tomas.id}-present"' in html and f'id="minutes-{priya.id}"' in html
    assert re.search(rf'name="status-{priya.id}" value="late" checked', html)  # the taps are kept


def test_mark_everyone_present_without_javascript_fills_the_roster_and_saves_nothing(client, march_session):
    session, people = march_session
    response = client.post(
        f"/sessions/{session.id}/attendance",
        data={"csrf_token": csrf_token_from(page(client, session)), "action": "all_present"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert all(re.search(rf'name="status-{p.id}" value="present" checked', html) for p in people)
    assert 'value="0"' in html and db.session.scalar(db.select(db.func.count()).select_from(HourEntry)) == 0


def test_a_session_in_the_future_offers_no_sign_off(client, march_session):
    from datetime import timedelta

    from rs_service import clock
    from rs_service.groups.service import sessions_of

    session, (ben, _, _) = march_session
    soon = clock.now().date() + timedelta(days=30)
    from rs_service.accounts.models import Organization

    group = make_group(
        db.session.get(Organization, session.group.organization_id),
        list(session.group.facilitators),
        name="Next year",
        first_date=soon.isoformat(),
        until=(soon + timedelta(days=60)).isoformat(),
    )
    enroll(group, ben)
    html = page(client, sessions_of(group)[0])
    assert 'value="sign_off"' not in html and "You can sign off once the session has started" in html
    assert 'value="sign_off"' in page(client, session)


def test_zoom_report_prefills_the_roster_without_saving(client, march_session):
    session, (ben, priya, tomas) = march_session
    data = {
        "csrf_token": csrf_token_from(page(client, session)),
        "report": (io.BytesIO((REPORTS / "zoom_participants.csv").read_bytes()), "participants.csv"),
    }
    response = client.post(f"/sessions/{session.id}/attendance/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(rf'name="status-{ben.id}" value="present" checked', html)
    # Two joins of 42 and 47 minutes add up to within the 5-minute grace of the 90: present.
    assert re.search(rf'name="status-{priya.id}" value="present" checked', html)
    assert re.search(rf'name="status-{tomas.id}" value="late" checked', html)
    assert re.search(rf'name="minutes-{tomas.id}"[^>]*value="70"', html)  # waiting-room time not counted
    assert "Sam Reyes" in html and "Jordan&#39;s iPad" in html  # unknown rows listed, not guessed
    assert db.session.scalar(db.select(db.func.count()).select_from(HourEntry)) == 0


def upload_zoom_report(client, session):
    data = {
        "csrf_token": csrf_token_from(page(client, session)),
        "report": (io.BytesIO((REPORTS / "zoom_participants.csv").read_bytes()), "participants.csv"),
    }
    response = client.post(f"/sessions/{session.id}/attendance/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def hidden_fields(html: str) -> dict[str, str]:
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
    return {name: unescape(value) for name, value in found}


def test_unmatched_rows_come_first_nobody_is_marked_absent_and_a_row_can_be_linked(client, march_session):
    session, (ben, priya, tomas) = march_session
    from rs_service.accounts.models import Organization

    lee = make_person(db.session.get(Organization, session.group.organization_id), name="Lee Park")
    enroll(session.group, lee)
    html = upload_zoom_report(client, session)
    # Lee is not in the report: left for the facilitator, not marked absent.
    assert not re.search(rf'name="status-{lee.id}" value="[a-z_]+" checked', html)
    # The unmatched rows sit above the roster's buttons; the facilitator (the host) is not among them.
    assert html.index('id="unmatched"') < html.index('value="all_present"') < html.index('class="action-bar"')
    unmatched = html[html.index('id="unmatched"') : html.index("</section>", html.index('id="unmatched"'))]
    assert "Sam Reyes" in unmatched and "Jordan&#39;s iPad" in unmatched and "Maria Lopez" not in unmatched

    form = hidden_fields(html)
    sam = next(k.split("-")[1] for k, v in form.items() if k.endswith("-name") and v == "Sam Reyes")
    form.update(
        {
            "action": "link",
            f"link-{sam}": str(lee.id),
            f"status-{ben.id}": "present",
            f"status-{priya.id}": "present",
            f"status-{tomas.id}": "late",
            f"minutes-{tomas.id}": "70",
        }
    )
    linked = client.post(f"/sessions/{session.id}/attendance", data=form)
    assert linked.status_code == 200
    html = linked.get_data(as_text=True)
    assert re.search(rf'name="status-{lee.id}" value="present" checked', html)  # 88 of 90 minutes
    assert re.search(rf'name="status-{tomas.id}" value="late" checked', html)  # the other taps are kept
    assert "Sam Reyes" not in html[html.index('id="unmatched"') :] and "Jordan&#39;s iPad" in html

    # A failed save keeps the rows still to link.
    form = hidden_fields(html) | {"action": "save", f"status-{ben.id}": "present"}
    failed = client.post(f"/sessions/{session.id}/attendance", data=form)
    assert failed.status_code == 422 and "Jordan&#39;s iPad" in failed.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(HourEntry)) == 0


def test_a_bad_upload_gets_a_clear_message(client, march_session):
    session, _ = march_session
    data = {
        "csrf_token": csrf_token_from(page(client, session)),
        "report": (io.BytesIO((REPORTS / "not_a_report_group_roster.csv").read_bytes()), "roster.csv"),
    }
    response = client.post(f"/sessions/{session.id}/attendance/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and "Zoom or Teams" in response.get_data(as_text=True)


def test_correction_after_sign_off_needs_a_reason(client, march_session):
    session, (ben, priya, tomas) = march_session
    form = {
        "csrf_token": csrf_token_from(page(client, session)),
        "action": "sign_off",
        f"status-{ben.id}": "present",
        f"status-{priya.id}": "present",
        f"status-{tomas.id}": "present",
    }
    client.post(f"/sessions/{session.id}/attendance", data=form)
    token = csrf_token_from(page(client, session))
    no_reason = client.post(
        f"/sessions/{session.id}/attendance/{ben.id}/correct", data={"csrf_token": token, "status": "absent"}
    )
    assert no_reason.status_code == 422
    fixed = client.post(
        f"/sessions/{session.id}/attendance/{ben.id}/correct",
        data={"csrf_token": token, "status": "absent", "reason": "Camera on, not present"},
    )
    assert fixed.status_code == 302
    total = db.session.scalar(db.select(db.func.sum(HourEntry.minutes)).where(HourEntry.person_id == ben.id))
    assert total == 0


def test_participants_cannot_open_the_attendance_page(app, march_session):
    session, (ben, _, _) = march_session
    with app.test_client() as other:
        log_in(other, ben)
        assert other.get(f"/sessions/{session.id}/attendance").status_code == 403


def test_staff_see_the_sessions_audit_trail_on_its_page(app, client, march_session):
    session, (ben, priya, tomas) = march_session
    form = {
        "csrf_token": csrf_token_from(page(client, session)),
        "action": "sign_off",
        f"status-{ben.id}": "present",
        f"status-{priya.id}": "present",
        f"status-{tomas.id}": "absent",
    }
    client.post(f"/sessions/{session.id}/attendance", data=form)
    with app.test_client() as staff_client:
        from rs_service.accounts.models import Organization

        log_in(staff_client, make_person(db.session.get(Organization, session.group.organization_id), "staff"))
        html = staff_client.get(f"/sessions/{session.id}").get_data(as_text=True)
        assert "Audit trail" in html and "Maria Lopez signed off the attendance of 3 people" in html
        assert "Maria Lopez marked Tomás Ibarra absent" in html and "{&#39;status&#39;" not in html


def test_minutes_typed_as_a_superscript_digit_are_refused_not_a_crash(client, march_session):
    session, (ben, priya, tomas) = march_session
    form = {
        "csrf_token": csrf_token_from(page(client, session)),
        "action": "save",
        f"status-{ben.id}": "present",
        f"status-{priya.id}": "late",
        f"minutes-{priya.id}": "²",
        f"status-{tomas.id}": "absent",
    }
    response = client.post(f"/sessions/{session.id}/attendance", data=form)
    assert response.status_code == 422
    assert "give the minutes present for &#39;late&#39;" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(HourEntry)) == 0


def test_the_roster_and_its_errors_read_in_spanish(client, march_session):
    session, (_, priya, _) = march_session
    facilitator = session.group.facilitators[0]
    facilitator.language = "es"
    db.session.commit()
    html = page(client, session)
    assert "Marcar a todos como presentes" in html and "Guardar y firmar la asistencia" in html
    response = client.post(
        f"/sessions/{session.id}/attendance",
        data={"csrf_token": csrf_token_from(html), "action": "save", f"status-{priya.id}": "late"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Hay 3 problemas que corregir" in html
    assert "Ben Carter: Elija un estado" in html and "Priya Natarajan: indique los minutos presente" in html
