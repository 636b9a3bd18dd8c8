"""Requirement sets, ledger conversion, renewal, the queue and certificate flags, at the service level."""

from datetime import date

import pytest

from rs_service import policy
from rs_service.accounts.models import Person
from rs_service.audit.models import AuditEvent
from rs_service.audit.service import record_event
from rs_service.domain_errors import Conflict, InvalidInput
from rs_service.endorsement import requirements, rules, service
from rs_service.endorsement.models import Certificate, Requirement, RequirementSet
from rs_service.extensions import db
from rs_service.hours.ledger import ProviderSnapshot
from rs_service.hours.models import EntryCredential, HourEntry
from tests.endorsement.helpers import AS_OF, add_hours, full_year, make_session, monthly, provider
from tests.factories import give_credential, make_org, make_person


@pytest.fixture
def imhs(org):
    return provider(org, "IMHS", name="Alice Adams")


def sets_of(org):
    return db.session.scalars(db.select(RequirementSet).where(RequirementSet.organization_id == org.id)).all()


# ----------------------------------------------------------------------------- requirement sets


def test_every_new_association_starts_with_the_baseline_and_seeding_is_idempotent(org):
    assert requirements.seed_baseline(org).version == 1
    db.session.commit()
    (baseline,) = sets_of(org)
    assert baseline.effective_from == requirements.BASELINE_EFFECTIVE_FROM
    assert len(baseline.requirements) == 14
    ifs = next(r for r in baseline.requirements if r.category == "IFS")
    assert (ifs.required_minutes, ifs.renewal_minutes, ifs.max_sources) == (1440, 720, 2)


def test_the_set_in_force_is_the_latest_started_and_the_newer_of_a_same_day_pair(org, staff):
    v2 = requirements.new_requirement_set_version(
        org, staff, effective_from=date(2024, 1, 1), changes={"IFS": {"required_minutes": 1500}}
    )
    v3 = requirements.new_requirement_set_version(
        org, staff, effective_from=date(2024, 1, 1), changes={"IFS": {"required_minutes": 1560}}
    )
    v4 = requirements.new_requirement_set_version(
        org, staff, effective_from=date(2026, 1, 1), changes={"IFS": {"min_span_months": 6}}
    )
    assert (v2.version, v3.version, v4.version) == (2, 3, 4)
    assert requirements.requirement_set_in_force(org.id, date(2023, 12, 31)).version == 1
    assert requirements.requirement_set_in_force(org.id, date(2024, 1, 1)).version == 3
    assert requirements.requirement_set_in_force(org.id, date(2026, 1, 1)).version == 4
    # v4 copied the set in force on its date (v3), not v1
    assert requirements.requirement_in_force(org.id, "IFS", date(2026, 1, 1)).required_minutes == 1560


def test_a_new_version_copies_changes_and_records_who_why_and_what(org, staff):
    created = requirements.new_requirement_set_version(
        org,
        staff,
        effective_from=date(2025, 7, 1),
        note="ORIMHA counts 25 h; adds ECMHS providers",
        changes={
            "IFS": {"required_minutes": 1500, "provider_categories": ["IMHM-C", "IMHS", "IMHS"]},
            "IMHS": {"window_months": 24},
        },
    )  # unchanged: not recorded as a change
    db.session.commit()
    rows = {r.category: r for r in created.requirements}
    assert rows["IFS"].required_minutes == 1500 and rows["IFS"].provider_categories == ["IMHS", "IMHM-C"]
    assert rows["IMHS"].required_minutes == 3000
    original = next(r for r in requirements.requirement_set_version(org.id, 1).requirements if r.category == "IFS")
    assert original.required_minutes == 1440 and set(original.provider_categories) == {"IFRS", "IMHS", "IMHM-C"}
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "requirements.new_version"))
    assert event.actor_id == staff.id and event.reason.startswith("ORIMHA")
    assert event.after["version"] == 2 and event.after["based_on_version"] == 1
    assert set(event.after["changes"]) == {"IFS"}
    assert event.after["changes"]["IFS"]["required_minutes"] == [1440, 1500]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"IFS": {"required_minutes": -1}}, "IFS.required_minutes"),
        ({"IFS": {"required_minutes": 0}}, "IFS.required_minutes"),
        ({"IFS": {"required_minutes": "24"}}, "IFS.required_minutes"),
        ({"IFS": {"window_months": 0}}, "IFS.window_months"),
        ({"IFS": {"min_span_months": 30}}, "IFS.min_span_months"),
        ({"IFS": {"provider_categories": ["IMHS", "WIZARD"]}}, "IFS.provider_categories"),
        ({"IFS": {"provider_categories": []}}, "IFS.provider_categories"),
        ({"IFS": {"max_sources": 0}}, "IFS.max_sources"),
        ({"IFS": {"majority_rule": "yes"}}, "IFS.majority_rule"),
        ({"IFS": {"renewal_minutes": 0}}, "IFS.renewal_minutes"),
        ({"IFS": {"renewal_due": "02-29"}}, "IFS.renewal_due"),
        ({"IFS": {"renewal_due": "13-01"}}, "IFS.renewal_due"),
        ({"IFS": {"renewal_due": "Dec 31"}}, "IFS.renewal_due"),
        ({"IFS": {"renewal_due": None}}, "IFS.renewal_due"),
        ({"IFS": {"colour": "blue"}}, "IFS.colour"),
        ({"WIZARD": {"required_minutes": 60}}, "category"),
        ({"IFS": {"required_minutes": 1440}}, "requirements"),
        ({}, "requirements"),
    ],
)
def test_invalid_versions_are_refused_naming_the_field(org, staff, changes, field):
    with pytest.raises(InvalidInput) as refusal:
        requirements.new_requirement_set_version(org, staff, effective_from=date(2025, 1, 1), changes=changes)
    assert refusal.value.field == field
    db.session.rollback()
    assert len(sets_of(org)) == 1


def test_an_effective_date_out_of_range_is_refused(org, staff):
    with pytest.raises(InvalidInput) as refusal:
        requirements.new_requirement_set_version(
            org, staff, effective_from=date(1999, 12, 31), changes={"IFS": {"required_minutes": 1500}}
        )
    assert refusal.value.field == "effective_from"


def test_an_association_without_any_set_gets_a_clear_conflict(org):
    person = make_person(org, "participant")
    db.session.execute(db.delete(Requirement))
    db.session.execute(db.delete(RequirementSet))
    db.session.commit()
    with pytest.raises(Conflict):
        service.eligibility_for(person, "IFS", AS_OF)
    assert service.ready_to_certify(org, AS_OF) == []
    assert service.progress_for(person, AS_OF).eligibility is None


# ----------------------------------------------------------------------------- the ledger as the rules see it


def test_provider_keys_identify_sources(org, imhs):
    person = make_person(org, "participant")
    by_account = add_hours(person, imhs, [date(2025, 1, 10)])[0]
    external = add_hours(person, ProviderSnapshot.external("  Cara   COLE ", "IMHS", "x-1"), [date(2025, 1, 11)])[0]
    same_external = add_hours(person, ProviderSnapshot.external("cara cole", "IMHS", "X-1"), [date(2025, 1, 12)])[0]
    unnamed = add_hours(person, ProviderSnapshot(None, None), [date(2025, 1, 13)])[0]
    assert service.provider_key(by_account) == rules.ProviderKey.account(imhs.id)
    assert service.provider_key(external) == rules.ProviderKey.outside("cara cole|imhs|x-1")
    assert service.provider_key(external) == service.provider_key(same_external)
    assert service.provider_key(unnamed) is None
    converted = service.ledger_entry(by_account)
    assert (converted.credentials, converted.peer, converted.verified) == (
        (rules.StampedCredential("IMHS", date(2020, 1, 1), None),),
        False,
        True,
    )


def test_unverified_entries_never_count(org, imhs):
    person = make_person(org, "participant")
    full_year(person, imhs, verified=False)
    result = service.eligibility_for(person, "IFS", AS_OF)
    assert result.counted_minutes == 0 and {why for _, why in result.excluded} == {"not verified"}


def test_other_associations_entries_never_count(org, imhs):
    person = make_person(org, "participant")
    full_year(person, imhs)
    stray = HourEntry(
        organization_id=make_org("ct-aimh").id,
        person_id=person.id,
        entry_date=date(2025, 5, 5),
        minutes=600,
        format="group",
        provider_id=imhs.id,
        credentials=[EntryCredential(category="IMHS", valid_from=date(2020, 1, 1))],
    )
    db.session.add(stray)
    db.session.commit()
    assert stray.id not in service.eligibility_for(person, "IFS", AS_OF).counted_entry_ids


# ----------------------------------------------------------------------------- renewal and progress


def test_renewal_needs_12_hours_in_the_past_year_for_people_already_endorsed(org, imhs):
    person = make_person(org, "participant", pursuing_category="IMHS")
    assert service.renewal_for(person, AS_OF) is None  # not endorsed yet
    give_credential(person, "IFS", date(2022, 5, 1))
    add_hours(person, imhs, monthly(date(2025, 7, 1), 6), 90)  # 9 h
    renewal = service.renewal_for(person, AS_OF)  # 31 December: the day the renewal is due
    assert (renewal.category, renewal.status, renewal.required_minutes, renewal.counted_minutes) == (
        "IFS",
        "due",
        720,
        540,
    )
    assert (renewal.window_start, renewal.due_on, renewal.days_left) == (date(2025, 1, 1), AS_OF, 0)
    add_hours(person, imhs, [date(2025, 12, 1), date(2025, 12, 2)], 90)
    assert service.renewal_for(person, AS_OF).status == "met"


def test_credentials_without_renewal_rsc_renew_without_hours(org):
    person = make_person(org, "participant")
    give_credential(person, "IFA", date(2022, 5, 1))
    renewal = service.renewal_for(person, AS_OF)
    assert (renewal.category, renewal.status, renewal.required_minutes) == ("IFA", "met", 0)


def test_progress_for_a_participant(org, imhs, staff):
    person = make_person(org, "participant", pursuing_category="IFS")
    add_hours(person, imhs, monthly(date(2025, 1, 1), 12), 90)
    progress = service.progress_for(person, AS_OF)
    assert progress.eligibility.category == "IFS" and progress.eligibility.counted_minutes == 1080
    assert progress.renewal is None and progress.certificates == []
    nobody = service.progress_for(make_person(org, "participant"), AS_OF)
    assert nobody.eligibility is None


# ----------------------------------------------------------------------------- the queue


def test_the_queue_lists_the_eligible_and_the_nearly_eligible(org, imhs, staff):
    ready = make_person(org, "participant", name="Ready Rae", pursuing_category="IFS")
    near = make_person(org, "participant", name="Near Ned", pursuing_category="IFS")
    far = make_person(org, "participant", name="Far Fay", pursuing_category="IFS")
    done = make_person(org, "participant", name="Done Dee", pursuing_category="IFS")
    no_rsc = make_person(org, "participant", name="Assoc Al", pursuing_category="IFA")
    make_person(org, "participant", name="Not Pursuing")
    full_year(ready, imhs)
    add_hours(near, imhs, monthly(date(2025, 1, 1), 12), 100)  # 20 h: 4 h short
    add_hours(far, imhs, monthly(date(2025, 1, 1), 12), 60)  # 12 h: 12 h short
    full_year(done, imhs)
    service.issue_certificate(done, "IFS", staff, as_of=AS_OF)
    db.session.commit()
    queue = service.ready_to_certify(org, AS_OF)
    assert [(c.person.name, c.result.eligible, c.shortfall_minutes) for c in queue] == [
        ("Ready Rae", True, 0),
        ("Near Ned", False, 240),
    ]
    assert no_rsc not in [c.person for c in queue]
    assert [c.person.name for c in service.ready_to_certify(org, AS_OF, within_minutes=12 * 60)] == [
        "Ready Rae",
        "Near Ned",
        "Far Fay",
    ]


# ----------------------------------------------------------------------------- certificates


def test_a_certificate_records_what_it_was_judged_under(org, imhs, staff):
    person = make_person(org, "participant", pursuing_category="IFS")
    entries = full_year(person, imhs)
    certificate = service.issue_certificate(person, "IFS", staff, as_of=AS_OF)
    db.session.commit()
    assert certificate.requirement.requirement_set.version == 1 and certificate.requirement.category == "IFS"
    assert (certificate.counted_minutes, certificate.window_start, certificate.window_end) == (
        1440,
        date(2024, 1, 1),
        AS_OF,
    )
    assert [e.id for e in service.certified_entries(certificate)] == [
        e.id for e in sorted(entries, key=lambda e: e.entry_date)
    ]
    assert len(certificate.code) >= 32 and service.CODE_PATTERN.fullmatch(certificate.code)
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "certificate.issued"))
    assert event.person_id == person.id and event.actor_id == staff.id
    assert event.after["requirement_version"] == 1 and len(event.after["counted_entry_ids"]) == 24


def test_codes_are_never_reused(org):
    codes = {service.new_certificate_code() for _ in range(200)}
    assert len(codes) == 200 and all(len(code) >= 32 for code in codes)


def test_a_correction_flags_the_certificates_that_counted_the_entry(org, imhs, staff):
    person = make_person(org, "participant")
    other = make_person(org, "participant")
    entries = full_year(person, imhs)
    other_entries = full_year(other, imhs)
    flagged = service.issue_certificate(person, "IFS", staff, as_of=AS_OF)
    untouched = service.issue_certificate(other, "IFS", staff, as_of=AS_OF)
    db.session.commit()

    result = service.flag_certificates_for_entries([entries[3].id, entries[3].id], "attendance corrected: absent")
    db.session.commit()
    assert result == [flagged]
    assert flagged.review_flagged_at is not None and flagged.review_reason == "attendance corrected: absent"
    assert untouched.review_flagged_at is None
    first_flag = flagged.review_flagged_at
    service.flag_certificates_for_entries([entries[5].id], "minutes corrected")
    assert flagged.review_flagged_at == first_flag
    assert flagged.review_reason == "attendance corrected: absent; minutes corrected"
    assert service.certificates_for_review(org.id) == [flagged]
    assert service.flag_certificates_for_entries([], "nothing") == []

    service.revoke_certificate(untouched, staff, "entered in error")
    assert service.flag_certificates_for_entries([other_entries[0].id], "late correction") == []

    with pytest.raises(InvalidInput):
        service.clear_review_flag(flagged, staff, "  ")
    service.clear_review_flag(flagged, staff, "Still 24 h without that session's minutes? No: checked, stands.")
    db.session.commit()
    assert flagged.review_flagged_at is None and service.certificates_for_review(org.id) == []
    with pytest.raises(Conflict):
        service.clear_review_flag(flagged, staff, "again")
    actions = db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("certificate.flagged") == 2 and "certificate.review_cleared" in actions


def test_the_evidence_trail_keeps_to_the_person_and_their_sessions(org, imhs, staff):
    person = make_person(org, "participant")
    other = make_person(org, "participant")
    session = make_session(org)
    add_hours(person, imhs, [date(2025, 3, 4)], 90, session_id=session.id)
    mine = record_event(org.id, imhs, "attendance.saved", session_id=session.id, person_id=person.id)
    signed = record_event(org.id, imhs, "session.signed_off", session_id=session.id)
    record_event(org.id, imhs, "attendance.saved", session_id=session.id, person_id=other.id)
    record_event(org.id, imhs, "session.signed_off", session_id=make_session(org, "Other group").id)
    db.session.commit()
    trail = service.evidence_trail(person, {session.id})
    assert {e.id for e in trail} == {mine.id, signed.id}
    assert {e.id for e in service.evidence_trail(person, set())} == {mine.id}


def test_certificate_document_lists_the_counted_sessions(org, imhs, staff):
    person = make_person(org, "participant", name="Zoë Ång")
    session = make_session(org, "Tuesday RS group")
    full_year(person, imhs)
    add_hours(person, imhs, [date(2025, 3, 4)], 90, session_id=session.id)
    certificate = service.issue_certificate(person, "IFS", staff, as_of=AS_OF)
    document = service.certificate_document(certificate, "http://rs.test/verify/" + certificate.code)
    assert document.person_name == "Zoë Ång" and document.rule_version == 1 and len(document.lines) == 25
    labelled = [line for line in document.lines if line.session_label]
    assert labelled[0].session_label == "Tuesday RS group, 2025-03-04 10:00 (90 min)"
    assert (
        labelled[0].provider_credential.startswith("IMHS #IMHS-") and "to open-ended" in labelled[0].provider_credential
    )
    assert sum(line.minutes for line in document.lines) == certificate.counted_minutes


def test_lookups_by_code_are_walled_by_association_except_public_verification(org, imhs, staff):
    person = make_person(org, "participant")
    full_year(person, imhs)
    certificate = service.issue_certificate(person, "IFS", staff, as_of=AS_OF)
    db.session.commit()
    other = make_org("ct-aimh")
    assert service.certificate_by_code(certificate.code) == certificate
    assert service.certificate_in_association(certificate.code, org.id) == certificate
    assert service.certificate_in_association(certificate.code, other.id) is None
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 1
    assert policy.find_in_association(Person, person.id, other.id) is None
    assert policy.find_in_association(Person, 2**40, org.id) is None
