"""The domain.md scenarios and certificates, through /api/v1."""

from datetime import date

import pytest

from rs_service.endorsement import requirements, service
from rs_service.extensions import db
from rs_service.hours.ledger import ProviderSnapshot, reverse_entry
from tests.endorsement.helpers import AS_OF, add_hours, full_year, monthly, provider
from tests.factories import make_org, make_person, token_for

ERROR_KEYS = {"code", "status", "message", "errors"}


@pytest.fixture
def staff_token(org):
    return token_for(make_person(org, "staff"))


@pytest.fixture
def participant(org):
    return make_person(org, "participant", name="Jordan Avery", pursuing_category="IFS")


@pytest.fixture
def imhs(org):
    return provider(org, "IMHS", name="Alice Adams")


def eligibility(api, token, person, category="IFS", as_of=AS_OF):
    response = api.get(f"/people/{person.id}/eligibility?category={category}&as_of={as_of.isoformat()}", token)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def issue(api, token, person, category="IFS", as_of=AS_OF):
    return api.post(
        "/certificates", token, json={"person_id": person.id, "category": category, "as_of": as_of.isoformat()}
    )


# ----------------------------------------------------------------------------- requirements


def test_requirements_list_the_alliance_baseline(api, staff_token):
    response = api.get("/requirements", staff_token)
    assert response.status_code == 200
    rows = {r["category"]: r for r in response.get_json()}
    assert len(rows) == 14
    assert rows["IFS"] | {"provider_categories": sorted(rows["IFS"]["provider_categories"])} == {
        "category": "IFS",
        "name": "Infant Family Specialist",
        "required_minutes": 1440,
        "window_months": 24,
        "min_span_months": 12,
        "provider_categories": sorted(["IFRS", "IMHS", "IMHM-C"]),
        "max_sources": 2,
        "version": 1,
        "effective_from": "2000-01-01",
        "rsc_required": True,
        "majority_rule": True,
        "renewal_minutes": 720,
        "renewal_due": "12-31",
    }
    assert rows["IMHM-C"]["provider_categories"] == ["IMHM-C"] and rows["IMHM-C"]["required_minutes"] == 3000
    assert rows["IFA"]["rsc_required"] is False


def test_participants_may_read_requirements_too(api, participant):
    assert api.get("/requirements", token_for(participant)).status_code == 200


def test_requirements_need_a_token(api, org):
    assert api.get("/requirements").status_code == 401


# ----------------------------------------------------------------------------- domain.md scenarios


def test_full_year_of_qualifying_hours_is_eligible(api, staff_token, participant, imhs):
    entries = full_year(participant, imhs)
    body = eligibility(api, staff_token, participant)
    assert body["eligible"] is True and body["reasons"] == []
    assert body["counted_minutes"] == 1440 and body["required_minutes"] == 1440
    assert body["window_start"] == "2024-01-01" and body["window_end"] == "2025-12-31"
    assert sorted(body["counted_entry_ids"]) == sorted(e.id for e in entries)
    assert body["rule_version"] == 1 and body["span_months"] == 12


def test_short_span_is_not_eligible(api, staff_token, participant, imhs):
    add_hours(participant, imhs, monthly(date(2025, 6, 1), 7), minutes=240)  # 28 h over Jun..Dec
    body = eligibility(api, staff_token, participant)
    assert body["eligible"] is False
    assert body["counted_minutes"] == 7 * 240
    assert body["reasons"] == ["hours span 7 months, needs at least 12"]


def test_lapsed_provider_counts_only_while_the_credential_was_valid(api, staff_token, participant, org):
    jane = provider(org, "IMHS", valid_from=date(2023, 7, 1), valid_until=date(2025, 6, 30), name="Jane Doe")
    valid = add_hours(participant, jane, [d for d in monthly(date(2024, 10, 1), 12) if d <= date(2025, 6, 30)], 120)
    # After the lapse the ledger records the lapsed credential, so the reason can say so.
    lapsed = add_hours(participant, jane, [d for d in monthly(date(2024, 10, 1), 12) if d > date(2025, 6, 30)], 120)
    body = eligibility(api, staff_token, participant)
    assert body["eligible"] is False
    assert body["counted_entry_ids"] == [e.id for e in valid]
    assert body["counted_minutes"] == 9 * 120
    assert "needs 24.00 h of qualifying RSC, has 18.00 h" in body["reasons"]
    assert "hours span 9 months, needs at least 12" in body["reasons"]
    assert {x["entry_id"] for x in body["excluded"]} == {e.id for e in lapsed}
    assert (
        "3 sessions with Jane Doe after 2025-06-30 do not count: Jane Doe's IMHS credential lapsed on 2025-06-30"
    ) in body["reasons"]


def test_a_lapsed_credential_on_record_is_explained_in_plain_words(api, staff_token, participant):
    lapsed_snapshot = ProviderSnapshot.external("Jane Doe", "IMHS", "MI-1", date(2023, 7, 1), date(2025, 6, 30))
    add_hours(participant, lapsed_snapshot, monthly(date(2024, 10, 1), 12), 120)
    body = eligibility(api, staff_token, participant)
    assert not body["eligible"] and body["counted_minutes"] == 9 * 120
    assert (
        "3 sessions with Jane Doe after 2025-06-30 do not count: Jane Doe's IMHS credential lapsed on 2025-06-30"
    ) in body["reasons"]


def test_peer_group_never_counts_even_with_an_endorsed_peer(api, staff_token, participant, imhs, org):
    mentor = provider(org, "IMHM-C", name="Pat Peer")
    good = full_year(participant, imhs)
    peer = add_hours(participant, mentor, monthly(date(2025, 1, 1), 12), 120, peer=True)
    body = eligibility(api, staff_token, participant)
    assert body["eligible"] and sorted(body["counted_entry_ids"]) == sorted(e.id for e in good)
    assert {x["entry_id"]: x["reason"] for x in body["excluded"]} == {
        e.id: "peer supervision never counts" for e in peer
    }

    only_peer = make_person(org, "participant")
    add_hours(only_peer, mentor, monthly(date(2025, 1, 1), 12), 180, peer=True)
    body = eligibility(api, staff_token, only_peer)
    assert not body["eligible"] and body["counted_minutes"] == 0


def test_two_sources_without_a_majority_are_not_eligible(api, staff_token, participant, imhs, org):
    ben = provider(org, "IMHM-C", name="Ben Brown")
    add_hours(participant, imhs, monthly(date(2025, 1, 1), 12))
    add_hours(participant, ben, monthly(date(2025, 1, 1), 12, day=20))
    body = eligibility(api, staff_token, participant)
    assert body["counted_minutes"] == 1440 and not body["eligible"]
    assert body["reasons"] == [
        "the largest source provides 12.00 h, more than half of the required 24.00 h is needed from one source"
    ]


def test_a_third_source_is_left_out(api, staff_token, participant, imhs, org):
    ben = provider(org, "IMHS", name="Ben Brown")
    cara = ProviderSnapshot.external("Cara Cole", "IMHS", "X-1", date(2020, 1, 1), None)
    add_hours(participant, imhs, monthly(date(2025, 1, 1), 12), 80)  # 16 h
    add_hours(participant, ben, monthly(date(2025, 1, 1), 6, day=20), 60)  # 6 h
    left_out = add_hours(participant, cara, monthly(date(2025, 7, 1), 6, day=22), 60)  # 6 h, an external provider
    body = eligibility(api, staff_token, participant)
    # Ben and Cara tie; providers with an account come before external ones: Cara is left out.
    assert body["counted_minutes"] == 960 + 360
    assert {x["entry_id"] for x in body["excluded"]} == {e.id for e in left_out}
    assert "6.00 h from Cara Cole (a third source) do not count: at most 2 sources count" in body["reasons"]
    assert "needs 24.00 h of qualifying RSC, has 22.00 h" in body["reasons"]


def test_tied_sources_go_to_the_lower_provider_id_as_a_number(api, staff_token, participant, imhs, org):
    ben = provider(org, "IMHS", name="Ben Brown")
    while (tia := provider(org, "IMHS", name="Tia Tran")).id < 10:
        pass  # an id with more digits than Ben's, so that it sorts before his as text
    assert tia.id > ben.id and str(tia.id) < str(ben.id)
    add_hours(participant, imhs, monthly(date(2025, 6, 1), 7), 200)  # Jun..Dec, the majority
    january = add_hours(participant, ben, [date(2025, 1, 10)], 120)  # gives the 12-month span
    left_out = add_hours(participant, tia, [date(2025, 11, 20)], 120)  # ties with Ben
    body = eligibility(api, staff_token, participant)
    assert body["eligible"] is True, body["reasons"]
    assert january[0].id in body["counted_entry_ids"]
    assert [x["entry_id"] for x in body["excluded"]] == [left_out[0].id]


def test_window_boundaries(api, staff_token, participant, imhs):
    as_of = date(2025, 6, 15)
    outside, first_day, last_day, after = (
        add_hours(participant, imhs, [d])[0] for d in (date(2023, 6, 15), date(2023, 6, 16), as_of, date(2025, 6, 16))
    )
    body = eligibility(api, staff_token, participant, as_of=as_of)
    assert body["window_start"] == "2023-06-16" and body["window_end"] == "2025-06-15"
    assert body["counted_entry_ids"] == [first_day.id, last_day.id]
    assert outside.id not in body["counted_entry_ids"] and after.id not in body["counted_entry_ids"]


def test_a_corrected_entry_no_longer_counts(api, staff_token, participant, imhs):
    entries = full_year(participant, imhs)
    reverse_entry(entries[0], reason="was absent", recorded_by=None)
    db.session.commit()
    body = eligibility(api, staff_token, participant)
    assert entries[0].id not in body["counted_entry_ids"] and body["counted_minutes"] == 1380


# ----------------------------------------------------------------------------- eligibility endpoint


def test_a_person_sees_their_own_eligibility_and_defaults_apply(api, participant, imhs):
    full_year(participant, imhs, year=2025)
    body = api.get(f"/people/{participant.id}/eligibility?as_of=2025-12-31", token_for(participant)).get_json()
    assert body["category"] == "IFS" and body["eligible"]  # the category pursued
    today = api.get(f"/people/{participant.id}/eligibility", token_for(participant)).get_json()
    assert today["window_end"] == requirements.today_for(participant.organization).isoformat()


def test_others_eligibility_is_403_for_a_participant(api, participant, org):
    other = make_person(org, "participant")
    assert api.get(f"/people/{other.id}/eligibility?category=IFS", token_for(participant)).status_code == 403


@pytest.mark.parametrize(
    "query, field",
    [
        ("category=XYZ", "category"),
        ("category=IFS&as_of=2025-13-01", "as_of"),
        ("category=IFS&as_of=yesterday", "as_of"),
        ("category=IFS&as_of=0001-01-01", "as_of"),
        ("category=IFS&as_off=2025-01-01", "as_off"),
    ],
)
def test_bad_eligibility_queries_are_422_naming_the_field(api, staff_token, participant, query, field):
    response = api.get(f"/people/{participant.id}/eligibility?{query}", staff_token)
    assert response.status_code == 422
    body = response.get_json()
    assert set(body) == ERROR_KEYS and field in body["errors"]


def test_no_category_pursued_and_none_named_is_422(api, staff_token, org):
    person = make_person(org, "participant")
    response = api.get(f"/people/{person.id}/eligibility", staff_token)
    assert response.status_code == 422 and "category" in response.get_json()["errors"]


@pytest.mark.parametrize("person_id", [999999, 2**31, 10**20])
def test_unknown_people_are_404(api, staff_token, person_id):
    assert api.get(f"/people/{person_id}/eligibility?category=IFS", staff_token).status_code == 404
    response = api.post("/certificates", staff_token, json={"person_id": min(person_id, 2**31 - 1), "category": "IFS"})
    assert response.status_code == 404


# ----------------------------------------------------------------------------- certificates


def test_issue_verify_and_revoke_a_certificate(api, staff_token, participant, imhs, org):
    entries = full_year(participant, imhs)
    response = issue(api, staff_token, participant)
    assert response.status_code == 201, response.get_json()
    issued = response.get_json()
    assert {
        "code",
        "verify_url",
        "person_id",
        "category",
        "counted_minutes",
        "window_start",
        "window_end",
        "issued_at",
    } <= set(issued)
    assert issued["person_id"] == participant.id and issued["category"] == "IFS"
    assert issued["counted_minutes"] == 1440
    assert issued["window_start"] == "2024-01-01" and issued["window_end"] == "2025-12-31"
    assert issued["verify_url"].endswith(f"/verify/{issued['code']}")
    assert issued["issued_at"][-6:] in ("-05:00", "-04:00")  # the association's zone, with its offset
    assert len(issued["code"]) >= 32

    certificate = service.certificate_by_code(issued["code"])
    assert sorted(e.id for e in service.certified_entries(certificate)) == sorted(e.id for e in entries)
    assert certificate.requirement.requirement_set.version == 1

    public = api.get(f"/certificates/{issued['code']}")  # no token
    assert public.status_code == 200
    assert public.get_json() | {"issued_at": None} == {
        "code": issued["code"],
        "status": "valid",
        "under_review": False,
        "review_since": None,
        "person_name": "Jordan Avery",
        "category": "IFS",
        "category_name": "Infant Family Specialist",
        "counted_minutes": 1440,
        "hours": "24.00",
        "window_start": "2024-01-01",
        "window_end": "2025-12-31",
        "issued_at": None,
        "revoked_at": None,
        "issuer": org.name,
    }

    revoked = api.post(f"/certificates/{issued['code']}/revoke", staff_token, json={"reason": "entered in error"})
    assert revoked.status_code == 200 and revoked.get_json()["status"] == "revoked"
    public = api.get(f"/certificates/{issued['code']}").get_json()
    assert public["status"] == "revoked" and public["revoked_at"]
    again = api.post(f"/certificates/{issued['code']}/revoke", staff_token, json={"reason": "twice"})
    assert again.status_code == 409


def test_not_eligible_is_409_with_the_reasons(api, staff_token, participant, imhs):
    add_hours(participant, imhs, monthly(date(2025, 6, 1), 7), minutes=240)
    response = issue(api, staff_token, participant)
    assert response.status_code == 409
    body = response.get_json()
    assert set(body) == ERROR_KEYS
    assert body["errors"]["reasons"] == ["hours span 7 months, needs at least 12"]
    assert service.certificates_of(participant) == []


def test_a_category_without_rsc_has_nothing_to_certify(api, staff_token, participant):
    response = issue(api, staff_token, participant, category="IFA")
    assert response.status_code == 409 and "category" in response.get_json()["errors"]


def test_the_same_judgement_is_not_certified_twice(api, staff_token, participant, imhs):
    full_year(participant, imhs)
    assert issue(api, staff_token, participant).status_code == 201
    assert issue(api, staff_token, participant).status_code == 409
    assert len(service.certificates_of(participant)) == 1


def test_certifying_as_of_a_future_date_is_422(api, staff_token, participant):
    response = issue(api, staff_token, participant, as_of=date(2099, 1, 1))
    assert response.status_code == 422 and "as_of" in response.get_json()["errors"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"category": "IFS"}, "person_id"),
        ({"person_id": "1", "category": "IFS"}, "person_id"),
        ({"person_id": 1.5, "category": "IFS"}, "person_id"),
        ({"person_id": 1, "category": "NOPE"}, "category"),
        ({"person_id": 1, "category": "IFS", "as_of": "31/12/2025"}, "as_of"),
        ({"person_id": 1, "category": "IFS", "colour": "blue"}, "colour"),
    ],
)
def test_bad_certificate_requests_are_422(api, staff_token, body, field):
    response = api.post("/certificates", staff_token, json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_revoke_needs_a_reason(api, staff_token, participant, imhs):
    full_year(participant, imhs)
    code = issue(api, staff_token, participant).get_json()["code"]
    for body in ({}, {"reason": ""}, {"reason": "x" * 501}):
        response = api.post(f"/certificates/{code}/revoke", staff_token, json=body)
        assert response.status_code == 422 and "reason" in response.get_json()["errors"]
    response = api.post(f"/certificates/{code}/revoke", staff_token, json={"reason": "   "})
    assert response.status_code == 422 and "reason" in response.get_json()["errors"]
    assert api.get(f"/certificates/{code}").get_json()["status"] == "valid"


def test_unknown_and_altered_codes_are_404(api, staff_token, participant, imhs):
    full_year(participant, imhs)
    code = issue(api, staff_token, participant).get_json()["code"]
    altered = code[:-1] + ("A" if code[-1] != "A" else "B")
    for candidate in (altered, code[:-1], code + "x", "not-a-code", "x" * 500, "%00"):
        response = api.get(f"/certificates/{candidate}")
        assert response.status_code == 404 and set(response.get_json()) == ERROR_KEYS


def test_participants_may_not_issue_or_revoke(api, staff_token, participant, imhs):
    full_year(participant, imhs)
    code = issue(api, staff_token, participant).get_json()["code"]
    token = token_for(participant)
    assert issue(api, token, participant).status_code == 403
    assert api.post(f"/certificates/{code}/revoke", token, json={"reason": "mine"}).status_code == 403


def test_another_associations_staff_get_404(api, staff_token, participant, imhs):
    full_year(participant, imhs)
    code = issue(api, staff_token, participant).get_json()["code"]
    outsider = token_for(make_person(make_org("ct-aimh"), "staff"))
    assert api.get(f"/people/{participant.id}/eligibility?category=IFS", outsider).status_code == 404
    assert issue(api, outsider, participant).status_code == 404
    assert api.post(f"/certificates/{code}/revoke", outsider, json={"reason": "not ours"}).status_code == 404
    assert api.get(f"/certificates/{code}.pdf", outsider).status_code == 404
    assert api.get(f"/certificates/{code}").get_json()["status"] == "valid"  # and anyone may still verify it


def test_pdf_through_the_api_for_staff_and_the_holder(api, staff_token, participant, imhs, org):
    full_year(participant, imhs)
    code = issue(api, staff_token, participant).get_json()["code"]
    for token in (staff_token, token_for(participant)):
        response = api.get(f"/certificates/{code}.pdf", token)
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert api.get(f"/certificates/{code}.pdf", token_for(make_person(org, "participant"))).status_code == 404
    assert api.get(f"/certificates/{code}.pdf").status_code == 401


# ----------------------------------------------------------------------------- versions


def test_a_new_version_keeps_the_old_one_and_the_certificates_judged_under_it(api, staff_token, participant, imhs, org):
    full_year(participant, imhs)
    first = issue(api, staff_token, participant).get_json()
    staff = make_person(org, "staff")
    requirements.new_requirement_set_version(
        org,
        staff,
        effective_from=date(2025, 12, 31),
        changes={"IFS": {"required_minutes": 25 * 60}},
        note="ORIMHA asks 25 h",
    )
    db.session.commit()

    old = {r["category"]: r for r in api.get("/requirements?as_of=2025-12-30", staff_token).get_json()}
    new = {r["category"]: r for r in api.get("/requirements?as_of=2025-12-31", staff_token).get_json()}
    assert (old["IFS"]["version"], old["IFS"]["required_minutes"]) == (1, 1440)
    assert (new["IFS"]["version"], new["IFS"]["required_minutes"]) == (2, 1500)
    assert new["IMHS"] | {"version": 1, "effective_from": None} == old["IMHS"] | {"effective_from": None}

    assert service.certificate_by_code(first["code"]).requirement.requirement_set.version == 1
    body = eligibility(api, staff_token, participant)
    assert not body["eligible"] and body["rule_version"] == 2
    assert body["reasons"] == ["needs 25.00 h of qualifying RSC, has 24.00 h"]
    add_hours(participant, imhs, [date(2025, 12, 30)], 60)
    api.post(f"/certificates/{first['code']}/revoke", staff_token, json={"reason": "re-issue under v2"})
    second = issue(api, staff_token, participant).get_json()
    assert service.certificate_by_code(second["code"]).requirement.requirement_set.version == 2
    assert service.certificate_by_code(first["code"]).requirement.requirement_set.version == 1
