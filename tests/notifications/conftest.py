"""A real SMTP server on loopback for the jobs' tests, and the people and groups they mail."""

import asyncio
import email
import email.policy
import socket
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller

from rs_service.extensions import db
from tests.factories import enroll, make_group, make_org, make_person

MAIL_FROM = "MI-AIMH RS <rs@mi-aimh.example.org>"
ORGANIZER_EMAIL = "rs@mi-aimh.example.org"


@dataclass
class Received:
    rcpt_tos: list[str]
    content: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.content, policy=email.policy.default)


class Mailbox:
    """What the SMTP server accepted; `delay` slows every DATA so concurrent senders overlap."""

    def __init__(self, delay: float = 0.0):
        self.received: list[Received] = []
        self.delay = delay
        self.controller: Controller | None = None
        self.port = free_port()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.received.append(Received(list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return [r.message for r in self.received]

    def to(self, person) -> list[email.message.EmailMessage]:
        return [r.message for r in self.received if r.rcpt_tos == [person.email]]

    def clear(self):
        self.received.clear()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def mailbox(app):
    """The app's mail pointed at a fresh local SMTP server, and put back afterwards."""
    box = Mailbox()
    box.start()
    saved = {key: app.config[key] for key in ("SMTP_HOST", "SMTP_PORT", "MAIL_FROM")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=box.port, MAIL_FROM=MAIL_FROM)
    try:
        yield box
    finally:
        app.config.update(saved)
        box.stop()


@dataclass
class Cohort:
    org: object
    facilitator: object
    participants: list
    group: object
    sessions: list

    def session_on(self, day: str):
        return next(s for s in self.sessions if s.starts_at.date().isoformat() == day)


@pytest.fixture
def cohort(app):
    """1st and 3rd Tuesdays 10:00-11:30 America/Detroit from March 2026: 3 Mar is 15:00Z (EST)."""
    from rs_service.groups.service import sessions_of

    org = make_org("mi-aimh")
    facilitator = make_person(org, "facilitator", name="Maya Okafor")
    participants = [make_person(org, "participant", name=name) for name in ("Priya Raman", "Zoë Lindqvist")]
    group = make_group(
        org,
        [facilitator],
        first_date="2026-03-01",
        join_url="https://meet.example.org/rs-1",
        name="Home visitors RS group",
    )
    for person in participants:
        enroll(group, person)
    db.session.commit()
    return Cohort(org, facilitator, participants, group, sessions_of(group))


def parts(message) -> dict:
    return {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}


def calendar_part(message):
    return parts(message)["text/calendar"]


def ics_of(message) -> bytes:
    return calendar_part(message).get_content().encode("utf-8")
