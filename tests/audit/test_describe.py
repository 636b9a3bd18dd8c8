"""The audit trail in sentences: who changed whom, from what to what, and why."""

from flask_babel import force_locale

from rs_service.audit.describe import EventFacts, describe, people_in
from rs_service.audit.service import readable_trail, record_event, trail
from rs_service.extensions import db
from tests.factories import QueryCounter, make_org, make_person

MAYA, ANA, BEN = 7, 164, 165
NAMES = {MAYA: "Maya Okafor", ANA: "Ana Ruiz", BEN: "Ben Carter"}


def test_a_correction_names_the_person_the_change_and_the_reason(app):
    event = EventFacts(
        "attendance.corrected",
        MAYA,
        ANA,
        before={"status": "present", "minutes": None},
        after={"status": "late", "minutes": 45},
        reason="joined late",
    )
    assert describe(event, NAMES) == [
        "Maya Okafor changed Ana Ruiz from present to late (45 min) — reason: joined late"
    ]


def test_a_saved_roster_is_one_sentence_per_person_changed(app):
    event = EventFacts(
        "attendance.saved",
        MAYA,
        before={str(BEN): None, str(ANA): {"status": "present", "minutes": None}},
        after={str(BEN): {"status": "left_early", "minutes": 60}, str(ANA): {"status": "absent", "minutes": None}},
    )
    assert describe(event, NAMES) == [
        "Maya Okafor changed Ana Ruiz from present to absent",
        "Maya Okafor marked Ben Carter left early (60 min)",
    ]
    assert people_in([event]) == {MAYA, ANA, BEN}


def test_other_kinds_of_event_read_as_sentences_too(app):
    signed = EventFacts("attendance.signed_off", MAYA, after={str(ANA): {"status": "present", "minutes": None}})
    assert describe(signed, NAMES) == ["Maya Okafor signed off the attendance of 1 person"]
    voided = EventFacts("hours.voided", MAYA, ANA, before={"date": "2026-03-03", "minutes": 90}, reason="twice")
    assert describe(voided, NAMES) == ["Maya Okafor voided Ana Ruiz's 1.50 h of Mar 3, 2026 — reason: twice"]
    renamed = EventFacts("person.changed", MAYA, ANA, before={"name": "Ana Ruis"}, after={"name": "Ana Ruiz"})
    assert describe(renamed, NAMES) == ["Maya Okafor changed the name of Ana Ruiz from “Ana Ruis” to “Ana Ruiz”"]
    flagged = EventFacts("certificate.flagged", None, ANA, after={"certificate_id": 3})
    assert describe(flagged, NAMES) == ["Ana Ruiz's certificate was flagged for review"]
    gone = EventFacts("attendance.corrected", 999, 998, before=None, after={"status": "excused"})
    assert describe(gone, NAMES) == ["Someone changed person 998 from no record to excused"]


def test_the_sentences_read_in_spanish(app):
    event = EventFacts(
        "attendance.corrected",
        MAYA,
        ANA,
        before={"status": "present", "minutes": None},
        after={"status": "late", "minutes": 45},
        reason="se conectó tarde",
    )
    with app.test_request_context(), force_locale("es"):
        assert describe(event, NAMES) == [
            "Maya Okafor cambió a Ana Ruiz de presente a llegó tarde (45 min) — motivo: se conectó tarde"
        ]


def test_names_for_the_whole_trail_come_from_one_query(app):
    org = make_org("mi-aimh")
    staff = make_person(org, "staff", name="Dana Whitfield")
    people = [make_person(org, name=f"Person {n}") for n in range(12)]

    def events_for(count):
        for person in people[:count]:
            record_event(
                org.id,
                staff,
                "attendance.saved",
                after={str(person.id): {"status": "present", "minutes": None}},
                before={str(person.id): None},
            )
        db.session.commit()
        events = trail(org.id)
        with QueryCounter() as queries:
            described = readable_trail(events)
        return described, queries.count

    _, few_queries = events_for(2)
    many, many_queries = events_for(12)
    assert few_queries == many_queries == 1
    assert ["Dana Whitfield marked Person 11 present"] in [sentences for _, sentences in many]
