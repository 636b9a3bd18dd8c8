"""One channel per person: a subscriber never sees a session twice, and a calendar holding an
invite is never left with a stale one. Through a real SMTP server and the real feed URL."""

from datetime import UTC, datetime, timedelta

from rs_service.extensions import db
from rs_service.groups.models import Session
from rs_service.groups.service import cancel_session, reschedule_session
from rs_service.notifications.jobs import run_due_jobs
from tests.calendars.icaljs import run_icaljs
from tests.factories import api_feed_url, csrf_token_from, log_in, token_for
from tests.notifications.conftest import ORGANIZER_EMAIL, calendar_part, ics_of, parts

MARCH_3 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # 10:00 EST
MARCH_17 = datetime(2026, 3, 17, 14, 0, tzinfo=UTC)  # 10:00 EDT


def fresh(session) -> Session:
    db.session.expire_all()
    return db.session.get(Session, session.id)


def has_invite(message) -> bool:
    return "text/calendar" in parts(message)


def subscribe(client, api, person):
    """What a calendar app does with the private URL."""
    assert client.get(api_feed_url(api, person)).status_code == 200


def test_reminders_carry_an_invite_until_the_feed_is_fetched_then_come_as_plain_emails(client, api, cohort, mailbox):
    subscriber, other = cohort.participants
    assert api.get(f"/people/{subscriber.id}", token_for(subscriber)).get_json()["calendar_invites"] is True
    run_due_jobs(MARCH_3 - timedelta(hours=24))
    assert has_invite(mailbox.to(subscriber)[0])

    subscribe(client, api, subscriber)
    assert api.get(f"/people/{subscriber.id}", token_for(subscriber)).get_json()["calendar_invites"] is False
    mailbox.clear()
    run_due_jobs(MARCH_17 - timedelta(hours=24))
    [plain] = mailbox.to(subscriber)
    assert not has_invite(plain) and set(parts(plain)) == {"text/plain", "text/html"}
    text = parts(plain)["text/plain"].get_content()
    assert "Home visitors RS group" in text and "10:00 AM–11:30 AM EDT" in text
    assert "No invitation is attached" in text
    assert has_invite(mailbox.to(other)[0])  # someone who has not subscribed still gets invites


def test_a_calendar_holding_an_invite_gets_the_change_and_the_cancellation_as_invites(client, api, cohort, mailbox):
    person = cohort.participants[0]
    session = cohort.session_on("2026-03-03")
    run_due_jobs(MARCH_3 - timedelta(hours=24))  # an invite: now in their primary calendar
    subscribe(client, api, person)  # and later they subscribe
    mailbox.clear()

    reschedule_session(fresh(session), MARCH_3 + timedelta(hours=2))
    db.session.commit()
    run_due_jobs(MARCH_3 - timedelta(hours=20))
    [update] = mailbox.to(person)
    assert calendar_part(update).get_param("method") == "REQUEST"  # else the stale invite stays at 10:00
    [event] = run_icaljs(ics_of(update), MARCH_3 - timedelta(days=1), MARCH_3 + timedelta(days=1))["occurrences"]
    assert event["start"] == MARCH_3 + timedelta(hours=2) and event["sequence"] == 1

    mailbox.clear()
    cancel_session(fresh(session), "Snow day")
    db.session.commit()
    run_due_jobs(MARCH_3 - timedelta(hours=19))
    [cancel] = mailbox.to(person)
    assert calendar_part(cancel).get_param("method") == "CANCEL"
    assert "is cancelled" in parts(cancel)["text/plain"].get_content()


def test_the_profile_choice_wins_over_the_automatic_channel(client, api, cohort, mailbox):
    wants_plain, wants_invites = cohort.participants
    for person, choice in ((wants_plain, "plain"), (wants_invites, "invites")):
        with client.application.test_client() as browser:
            log_in(browser, person)
            page = browser.get("/profile").get_data(as_text=True)
            assert "How session reminders and changes reach you" in page
            answer = browser.post(
                "/profile",
                data={"csrf_token": csrf_token_from(page), "reminders_enabled": "y", "channel": choice},
                follow_redirects=True,
            )
            assert answer.status_code == 200
    subscribe(client, api, wants_invites)  # subscribed, yet asked for invites

    run_due_jobs(MARCH_3 - timedelta(hours=24))
    assert not has_invite(mailbox.to(wants_plain)[0])
    assert has_invite(mailbox.to(wants_invites)[0])
    assert api.get(f"/people/{wants_plain.id}", token_for(wants_plain)).get_json()["calendar_invites"] is False


def test_invites_name_the_associations_organizer_address(runner, cohort, mailbox):
    run_due_jobs(MARCH_3 - timedelta(hours=24))
    [before] = mailbox.to(cohort.participants[0])
    window = (MARCH_3 - timedelta(days=1), MARCH_3 + timedelta(days=1))
    assert run_icaljs(ics_of(before), *window)["occurrences"][0]["organizer"]["email"] == ORGANIZER_EMAIL  # MAIL_FROM

    result = runner.invoke(args=["rs", "set-organizer", cohort.org.slug, "Coordinator@MI-AIMH.example.org"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["rs", "set-organizer", cohort.org.slug, "not an address"]).exit_code != 0
    mailbox.clear()
    run_due_jobs(MARCH_17 - timedelta(hours=24))
    [after] = mailbox.to(cohort.participants[0])
    organizer = run_icaljs(ics_of(after), MARCH_17 - timedelta(days=1), MARCH_17 + timedelta(days=1))
    assert organizer["occurrences"][0]["organizer"] == {
        "email": "Coordinator@mi-aimh.example.org",
        "cn": "MI-AIMH association",
    }
