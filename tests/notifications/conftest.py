"""A real SMTP server on loopback for the jobs' tests, and the people and groups they mail."""

import asyncio
import email
import email.policy
import socket
from contextlib import contextmanager
from dataclasses import dataclass, field

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
    mail_options: list[str] = field(default_factory=list)

    @property
    def message(self) -> email.message.EmailMessage:
        if "SMTPUTF8" in self.mail_options:  # headers are UTF-8 (RFC 6532), which the bytes parser cannot read
            return email.message_from_string(self.content.decode("utf-8"), policy=email.policy.default)
        return email.message_from_bytes(self.content, policy=email.policy.default)


class Mailbox:
    """What the SMTP server accepted; `delay` slows every DATA so concurrent senders overlap."""

    def __init__(self, delay: float = 0.0, smtputf8: bool = False):
        self.received: list[Received] = []
        self.delay = delay
        self.smtputf8 = smtputf8  # whether the server offers SMTPUTF8 (international addresses)
        self.controller: Controller | None = None
        self.port = free_port()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.received.append(Received(list(envelope.rcpt_tos), envelope.original_content, list(envelope.mail_options)))
        return "250 Message accepted for delivery"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=self.smtputf8)
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


@contextmanager
def serving(app, box: Mailbox):
    """The app's mail pointed at `box`, a fresh local SMTP server, and put back afterwards."""
    box.start()
    saved = {key: app.config[key] for key in ("SMTP_HOST", "SMTP_PORT", "MAIL_FROM")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=box.port, MAIL_FROM=MAIL_FROM)
    try:
        yield box
    finally:
        app.config.update(saved)
        box.stop()


@pytest.fixture
def mailbox(app):
    """A server without SMTPUTF8, like many relays."""
    with serving(app, Mailbox()) as box:
        yield box


@pytest.fixture
def smtputf8_mailbox(app):
    """A server that offers SMTPUTF8, so it takes addresses such as josé@example.org."""
    with serving(app, Mailbox(smtputf8=True)) as box:
        yield box


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
