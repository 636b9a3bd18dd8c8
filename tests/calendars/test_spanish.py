"""Invites and feeds in the reader's language; the group's own name and description stay as written."""

from datetime import UTC, datetime

import icalendar

from rs_service.calendars.ics import build_invite
from rs_service.calendars.service import occurrence, series_info
from rs_service.extensions import db
from rs_service.groups.service import sessions_of
from tests.factories import enroll, make_group, make_person, token_for


def test_a_spanish_invite_description_parses_and_reads_in_spanish(org, facilitator):
    group = make_group(org, [facilitator], name="Grupo RS; martes, 10:00", join_url="https://meet.example.org/rs")
    group.description = "Traiga su cuaderno, por favor."
    db.session.commit()
    ics = build_invite(
        series_info(group, language="es"),
        occurrence(sessions_of(group)[0]),
        method="REQUEST",
        organizer_email="rs@example.org",
        organizer_name="MI-AIMH",
        attendee_email="ana@example.org",
        attendee_name="Ana Peña",
        stamp=datetime(2026, 1, 1, tzinfo=UTC),
    )
    event = next(c for c in icalendar.Calendar.from_ical(ics).walk("VEVENT"))
    assert str(event["summary"]) == "Grupo RS; martes, 10:00"  # escaped on the wire, intact when parsed
    description = str(event["description"])
    assert description == (
        "Grupo de supervisión reflexiva. Facilitado por Maya Okafor.\n\n"
        "Traiga su cuaderno, por favor.\n\n"
        "Unirse: https://meet.example.org/rs"
    )


def test_an_english_invite_is_unchanged(org, facilitator):
    group = make_group(org, [facilitator], join_url="https://meet.example.org/rs")
    description = series_info(group, language="en").description
    assert description == "Reflective supervision group. Facilitated by Maya Okafor."
    assert series_info(group, language="en").join_label == "Join"


def test_a_spanish_subscribers_feed_is_in_spanish(api, client, org, facilitator):
    group = make_group(org, [facilitator], join_url="https://meet.example.org/rs")
    participant = make_person(org, name="Ana Peña")
    participant.language = "es"
    db.session.commit()
    enroll(group, participant)
    url = api.get(f"/people/{participant.id}/calendar-feed", token_for(participant)).get_json()["url"]
    feed = icalendar.Calendar.from_ical(client.get(url, headers={"Accept-Language": "en"}).data)
    assert str(feed["X-WR-CALNAME"]) == "Supervisión reflexiva: Ana Peña"
    event = next(c for c in feed.walk("VEVENT"))
    assert str(event["description"]).startswith("Grupo de supervisión reflexiva. Facilitado por Maya Okafor.")
    assert "Unirse: https://meet.example.org/rs" in str(event["description"])
