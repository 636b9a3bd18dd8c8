"""A credential recorded late reaches past entries through a restamp: reversal, new entry, reason and audit."""

from datetime import date

import pytest

from rs_service.audit.models import AuditEvent
from rs_service.extensions import db
from rs_service.hours.models import HourEntry
from tests.factories import csrf_token_from, enroll, give_credential, log_in, make_group, make_person, token_for


@pytest.fixture
def late_renewal(api, org, staff):
    """Owen's IMHS lapsed on 31 January 2026; he led sessions in January, February and March, and the
    renewal was not recorded until after they were signed off."""
    owen = make_person(org, "facilitator", name="Owen Brooks")
    give_credential(owen, "IMHS", date(2019, 2, 1), date(2026, 1, 31), number="MI-19")
    group = make_group(org, [owen])
    people = [make_person(org, name=name, pursuing_category="IFS") for name in ("Ana", "Ben")]
    for person in people:
        enroll(group, person)
    token = token_for(owen)
    sessions = api.get(f"/groups/{group.id}/sessions", token).get_json()[:6]  # 6 and 20 Jan .. 3 and 17 Mar
    for session in sessions:
        records = [{"person_id": p.id, "status": "present"} for p in people]
        api.put(f"/sessions/{session['id']}/attendance", token, json={"records": records})
        assert api.post(f"/sessions/{session['id']}/sign-off", token).status_code == 200
    return owen, people, token_for(staff)


def record_renewal(api, staff_token, owen):
    body = {"category": "IMHS", "number": "MI-19", "valid_from": "2026-02-01", "valid_until": "2027-01-31"}
    assert api.post(f"/people/{owen.id}/credentials", staff_token, json=body).status_code == 201


def counted(api, staff_token, person):
    url = f"/people/{person.id}/eligibility?category=IFS&as_of=2026-06-30"
    return api.get(url, staff_token).get_json()["counted_minutes"]


def test_a_renewal_recorded_late_counts_once_the_provider_is_restamped(api, late_renewal):
    owen, (ana, ben), staff_token = late_renewal
    assert counted(api, staff_token, ana) == 2 * 90  # January only: later sessions carry the lapsed IMHS
    record_renewal(api, staff_token, owen)
    assert counted(api, staff_token, ana) == 2 * 90  # recording the renewal changes no past stamp by itself
    response = api.post(f"/people/{owen.id}/restamp", staff_token, json={"reason": "Renewal recorded late"})
    assert response.status_code == 200 and response.get_json() == {"restamped": 8}  # 4 sessions, 2 people
    assert counted(api, staff_token, ana) == counted(api, staff_token, ben) == 6 * 90
    entries = api.get(f"/people/{ana.id}/hours", staff_token).get_json()["entries"]
    assert len(entries) == 6 and all(e["provider_categories"] == ["IMHS"] for e in entries)
    assert api.post(f"/people/{owen.id}/restamp", staff_token, json={"reason": "again"}).get_json() == {"restamped": 0}


def test_a_restamp_keeps_everything_and_says_who_when_and_why(api, late_renewal, staff):
    owen, (ana, _), staff_token = late_renewal
    record_renewal(api, staff_token, owen)
    api.post(f"/people/{owen.id}/restamp", staff_token, json={"reason": "Renewal recorded late"})
    minutes = db.session.scalars(
        db.select(HourEntry.minutes).where(HourEntry.person_id == ana.id).order_by(HourEntry.id)
    ).all()
    assert minutes == [90] * 6 + [-90, 90] * 4  # reversed and added again, nothing edited
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "hours.restamped", AuditEvent.person_id == ana.id)
    )
    assert event.actor_id == staff.id and event.reason == "Renewal recorded late"
    assert set(event.before["entries"].values()) == {"IMHS"} and len(event.after["entries"]) == 4
    assert db.session.scalar(db.select(AuditEvent.after).where(AuditEvent.action == "hours.restamped_as_provider")) == {
        "restamped": 8
    }


def test_a_restamp_needs_a_reason_and_staff(api, late_renewal, org):
    owen, (ana, _), staff_token = late_renewal
    record_renewal(api, staff_token, owen)
    missing = api.post(f"/people/{owen.id}/restamp", staff_token, json={})
    assert missing.status_code == 422 and "reason" in missing.get_json()["errors"]
    assert api.post(f"/people/{owen.id}/restamp", staff_token, json={"reason": "  "}).status_code == 422
    assert api.post(f"/people/{owen.id}/restamp", token_for(owen), json={"reason": "mine"}).status_code == 403
    assert api.post(f"/people/{owen.id}/restamp", token_for(ana), json={"reason": "x"}).status_code == 403
    assert api.post("/people/999999/restamp", staff_token, json={"reason": "x"}).status_code == 404
    assert counted(api, staff_token, ana) == 2 * 90


def test_the_providers_page_says_how_many_entries_a_restamp_would_change(client, api, late_renewal, staff):
    owen, (ana, _), staff_token = late_renewal
    log_in(client, staff)
    page = client.get(f"/people/{owen.id}/hours").get_data(as_text=True)
    assert "No entry this person provided would change" in page  # no renewal on record yet
    record_renewal(api, staff_token, owen)
    page = client.get(f"/people/{owen.id}/hours").get_data(as_text=True)
    assert "A restamp would change 8 entries" in page and "Restamp 8 entries" in page
    refused = client.post(f"/people/{owen.id}/restamp", data={"csrf_token": csrf_token_from(page), "reason": ""})
    assert refused.status_code == 422 and counted(api, staff_token, ana) == 2 * 90
    done = client.post(
        f"/people/{owen.id}/restamp", data={"csrf_token": csrf_token_from(page), "reason": "Renewal recorded late"}
    )
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "8 entries restamped" in page and "No entry this person provided would change" in page
    assert counted(api, staff_token, ana) == 6 * 90


def test_the_providers_page_takes_as_many_queries_whatever_the_entries(client, api, late_renewal, staff, org):
    from rs_service.hours.ledger import ProviderSnapshot
    from tests.endorsement.helpers import add_hours
    from tests.factories import QueryCounter

    owen, (ana, _), staff_token = late_renewal
    record_renewal(api, staff_token, owen)
    log_in(client, staff)

    def queries(person):
        with QueryCounter() as counter:
            assert client.get(f"/people/{person.id}/hours").status_code == 200
        return counter.count

    before = queries(owen), queries(ana)
    unstamped = ProviderSnapshot(owen.id, owen.name)  # as if signed off before any credential was recorded
    for n in range(6):
        add_hours(make_person(org, name=f"P{n}"), unstamped, [date(2026, 2, 10 + n)], fmt="individual")
        add_hours(ana, owen, [date(2026, 4, 10 + n)], fmt="individual")
    page = client.get(f"/people/{owen.id}/hours").get_data(as_text=True)
    assert "A restamp would change 14 entries" in page
    assert (queries(owen), queries(ana)) == before
