import threading
from datetime import date

import pytest

from rs_service.audit.models import AuditEvent
from rs_service.extensions import db
from rs_service.hours.models import HourEntry
from tests.factories import enroll, give_credential, make_group, make_org, make_person, token_for


@pytest.fixture
def setting(app):
    """A past cohort (January-June 2026) with an IMHM-C facilitator and four participants."""
    org = make_org("mi-aimh")
    facilitator = make_person(org, "facilitator", name="Maya Okafor")
    give_credential(facilitator, "IMHM-C", date(2020, 1, 1), number="MI-77")
    group = make_group(org, [facilitator])
    people = [make_person(org, name=name) for name in ("Ana", "Ben", "Cleo", "Dev")]
    for person in people:
        enroll(group, person)
    return org, facilitator, group, people


def first_session_id(api, token, group):
    return api.get(f"/groups/{group.id}/sessions", token).get_json()[0]["id"]


def full_roster(people, statuses=("present", "late", "left_early", "absent"), minutes=(None, 60, 45, None)):
    return [{"person_id": p.id, "status": s, "minutes": m} for p, s, m in zip(people, statuses, minutes, strict=False)]


def test_facilitator_saves_signs_off_and_hours_are_right_to_the_minute(api, setting):
    org, facilitator, group, people = setting
    token = token_for(facilitator)
    session_id = first_session_id(api, token, group)
    saved = api.put(f"/sessions/{session_id}/attendance", token, json={"records": full_roster(people)})
    assert saved.status_code == 200, saved.get_json()
    assert {r["name"]: r["minutes"] for r in saved.get_json()["records"]} == {
        "Ana": 90,
        "Ben": 60,
        "Cleo": 45,
        "Dev": 0,
    }
    signed = api.post(f"/sessions/{session_id}/sign-off", token)
    assert signed.status_code == 200 and signed.get_json()["signed_off"] is True
    staff_token = token_for(make_person(org, "staff"))
    hours = api.get(f"/people/{people[1].id}/hours", staff_token).get_json()
    assert hours["total_minutes"] == hours["group_minutes"] == 60
    entry = hours["entries"][0]
    assert entry["date"] == "2026-01-06" and entry["session_id"] == session_id and entry["format"] == "group"
    assert (entry["provider_id"], entry["provider_name"], entry["provider_category"]) == (
        facilitator.id,
        "Maya Okafor",
        "IMHM-C",
    )
    assert api.get(f"/people/{people[3].id}/hours", staff_token).get_json()["entries"] == []


def test_nothing_enters_the_ledger_before_sign_off(api, setting):
    _, facilitator, group, people = setting
    token = token_for(facilitator)
    api.put(f"/sessions/{first_session_id(api, token, group)}/attendance", token, json={"records": full_roster(people)})
    assert db.session.scalar(db.select(db.func.count(HourEntry.id))) == 0


@pytest.mark.parametrize(
    "record, field",
    [
        ({"status": "late"}, "records.1.minutes"),
        ({"status": "left_early", "minutes": 0}, "records.1.minutes"),
        ({"status": "late", "minutes": 91}, "records.1.minutes"),
        ({"status": "asleep"}, "records"),
    ],
)
def test_any_invalid_record_refuses_the_whole_save(api, setting, record, field):
    _, facilitator, group, people = setting
    token = token_for(facilitator)
    session_id = first_session_id(api, token, group)
    records = [{"person_id": people[0].id, "status": "present"}, {"person_id": people[1].id, **record}]
    response = api.put(f"/sessions/{session_id}/attendance", token, json={"records": records})
    assert response.status_code == 422, response.get_json()
    assert str(response.get_json()["errors"]).find(field.split(".")[0]) >= 0
    if "." in field:
        assert field in response.get_json()["errors"]
    assert api.get(f"/sessions/{session_id}/attendance", token).get_json()["records"] == []


def test_someone_who_joined_later_is_not_on_an_earlier_roster(api, setting):
    org, facilitator, group, _people = setting
    late_joiner = make_person(org, name="Eve")
    enroll(group, late_joiner, joined_on=date(2026, 3, 1))
    token = token_for(facilitator)
    response = api.put(
        f"/sessions/{first_session_id(api, token, group)}/attendance",
        token,
        json={"records": [{"person_id": late_joiner.id, "status": "absent"}]},
    )
    assert response.status_code == 422
    assert "not enrolled" in response.get_json()["errors"]["records.0.person_id"][0]


def test_sign_off_rules(api, setting):
    org, facilitator, group, people = setting
    token = token_for(facilitator)
    session_id = first_session_id(api, token, group)
    api.put(f"/sessions/{session_id}/attendance", token, json={"records": full_roster(people)[:3]})
    missing = api.post(f"/sessions/{session_id}/sign-off", token)
    assert missing.status_code == 409 and "Dev" in missing.get_json()["message"]
    api.put(f"/sessions/{session_id}/attendance", token, json={"records": full_roster(people)})
    staff_token = token_for(make_person(org, "staff"))
    assert api.post(f"/sessions/{session_id}/sign-off", staff_token).status_code == 403
    assert api.post(f"/sessions/{session_id}/sign-off", token).status_code == 200
    assert api.post(f"/sessions/{session_id}/sign-off", token).status_code == 409
    again = api.put(f"/sessions/{session_id}/attendance", token, json={"records": full_roster(people)})
    assert again.status_code == 409


def test_a_future_session_cannot_be_signed_off(api, setting):
    org, facilitator, _, people = setting
    future = make_group(org, [facilitator], name="2027 group", first_date="2027-01-01", until="2027-03-31")
    enroll(future, people[0], joined_on=date(2026, 12, 1))
    token = token_for(facilitator)
    session_id = first_session_id(api, token, future)
    api.put(
        f"/sessions/{session_id}/attendance",
        token,
        json={"records": [{"person_id": people[0].id, "status": "present"}]},
    )
    response = api.post(f"/sessions/{session_id}/sign-off", token)
    assert response.status_code == 409 and "not started" in response.get_json()["message"]


def test_correction_reverses_and_replaces_with_reason_and_audit(api, setting):
    _org, facilitator, group, people = setting
    token = token_for(facilitator)
    session_id = first_session_id(api, token, group)
    url = f"/sessions/{session_id}/attendance/{people[0].id}/correct"
    assert api.post(url, token, json={"status": "late", "minutes": 30, "reason": "x"}).status_code == 409
    api.put(f"/sessions/{session_id}/attendance", token, json={"records": full_roster(people)})
    api.post(f"/sessions/{session_id}/sign-off", token)
    assert "reason" in api.post(url, token, json={"status": "late", "minutes": 30}).get_json()["errors"]
    response = api.post(url, token, json={"status": "late", "minutes": 30, "reason": "Joined at 10:60 per Zoom"})
    assert response.status_code == 200, response.get_json()
    hours = api.get(f"/people/{people[0].id}/hours", token_for(people[0])).get_json()
    assert hours["total_minutes"] == 30 and [e["minutes"] for e in hours["entries"]] == [30]
    ledger = db.session.scalars(
        db.select(HourEntry).where(HourEntry.person_id == people[0].id).order_by(HourEntry.id)
    ).all()
    assert [e.minutes for e in ledger] == [90, -90, 30]  # nothing edited or deleted
    assert ledger[1].reverses_id == ledger[0].id and ledger[2].provider_category == "IMHM-C"
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.session_id == session_id).order_by(AuditEvent.id)
    ).all()
    assert actions == ["attendance.saved", "attendance.signed_off", "attendance.corrected"]
    correction = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "attendance.corrected"))
    assert correction.before == {"status": "present", "minutes": None}
    assert correction.after == {"status": "late", "minutes": 30}
    assert correction.reason == "Joined at 10:60 per Zoom" and correction.actor_id == facilitator.id


def test_attendance_is_walled(api, setting):
    _org, facilitator, group, people = setting
    session_id = first_session_id(api, token_for(facilitator), group)
    assert api.get(f"/sessions/{session_id}/attendance", token_for(people[0])).status_code == 403
    assert api.get(f"/sessions/{session_id}/attendance", token_for(make_person(make_org(), "staff"))).status_code == 404


def test_version_check_refuses_a_stale_save(api, setting):
    _, facilitator, group, people = setting
    token = token_for(facilitator)
    session_id = first_session_id(api, token, group)
    first = api.put(f"/sessions/{session_id}/attendance", token, json={"records": full_roster(people), "version": 0})
    assert first.get_json()["version"] == 1
    stale = api.put(
        f"/sessions/{session_id}/attendance",
        token,
        json={"records": full_roster(people, ("absent",) * 4, (None,) * 4), "version": 0},
    )
    assert stale.status_code == 409


def test_concurrent_saves_never_lose_duplicate_or_fail(app, api, setting):
    _, facilitator, group, people = setting
    token = token_for(facilitator)
    session_id = first_session_id(api, token, group)
    saves = [full_roster(people), full_roster(people, ("absent",) * 4, (None,) * 4)]
    answers = []

    def save(records):
        with app.test_client() as client:
            answers.append(
                client.put(
                    f"/api/v1/sessions/{session_id}/attendance",
                    json={"records": records},
                    headers={"Authorization": f"Bearer {token}"},
                ).status_code
            )

    threads = [threading.Thread(target=save, args=(records,)) for records in saves for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == len(threads)  # every request answered: none died on an exception
    assert set(answers) <= {200, 409} and 200 in answers
    final = api.get(f"/sessions/{session_id}/attendance", token).get_json()["records"]
    assert len(final) == len(people)
    statuses = [r["status"] for r in final]
    assert statuses in ([s["status"] for s in saves[0]], [s["status"] for s in saves[1]])
