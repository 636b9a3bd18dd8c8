"""Tests for the mail transport (rs_service.notifications.mail).

SMTP delivery is checked against a real aiosmtpd server on 127.0.0.1.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from rs_service.notifications.mail import (
    Invite,
    MailError,
    MailSettings,
    address_header,
    build_message,
    message_id_for,
    send_message,
)

MAIL_FROM = "RS Service <no-reply@rs.example.org>"


def ics(method: str, summary: str = "RS Group 7") -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//rs_service//EN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        "UID:session-42@rs-service",
        "SEQUENCE:0",
        "DTSTAMP:20250901T120000Z",
        "DTSTART:20250915T140000Z",
        "DTEND:20250915T153000Z",
        f"SUMMARY:{summary}",
        "DESCRIPTION:A rather long description line that has to be folded becaus",
        " e iCalendar limits content lines to 75 octets.",
        "ORGANIZER;CN=RS Service:mailto:no-reply@rs.example.org",
        "ATTENDEE;CN=Zoë;RSVP=TRUE:mailto:zoe@example.org",
        "STATUS:" + ("CANCELLED" if method == "CANCEL" else "CONFIRMED"),
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


# --------------------------------------------------------------------------
# SMTP server fixture
# --------------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.content, policy=email.policy.default)


@dataclass
class CollectingHandler:
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, MailSettings(host="127.0.0.1", port=controller.port, timeout=5.0, mail_from=MAIL_FROM)
    finally:
        controller.stop()


def parts_by_type(msg):
    return {part.get_content_type(): part for part in msg.walk() if not part.is_multipart()}


# --------------------------------------------------------------------------
# SMTP delivery
# --------------------------------------------------------------------------


def test_plain_message_over_smtp(smtp_server):
    handler, settings = smtp_server
    msg = build_message(
        to="Zoë Example <zoe@example.org>",
        subject="Your reflective supervision hours – update",
        text="Hello Zoë,\nyou have 18.00 hours.\n",
        html="<p>Hello Zoë,<br>you have <b>18.00</b> hours.</p>",
        mail_from=settings.mail_from,
    )
    where = send_message(msg, settings)
    assert where == f"smtp:127.0.0.1:{settings.port}"

    assert len(handler.received) == 1
    got = handler.received[0]
    assert got.mail_from == "no-reply@rs.example.org"
    assert got.rcpt_tos == ["zoe@example.org"]
    # The wire format is 7-bit clean.
    got.content.decode("ascii")

    parsed = got.message
    assert parsed["Subject"] == "Your reflective supervision hours – update"
    assert parsed["To"].addresses[0].display_name == "Zoë Example"
    assert parsed["Date"] is not None
    assert re.fullmatch(r"<[^@\s]+@rs-service>", parsed["Message-ID"])
    assert parsed.get_content_type() == "multipart/alternative"
    parts = parts_by_type(parsed)
    assert set(parts) == {"text/plain", "text/html"}
    assert parts["text/plain"].get_content().replace("\r\n", "\n") == "Hello Zoë,\nyou have 18.00 hours.\n"
    assert "<b>18.00</b>" in parts["text/html"].get_content()


def test_text_only_message(smtp_server):
    handler, settings = smtp_server
    send_message(build_message(to="a@example.org", subject="Hi", text="Just text", mail_from=MAIL_FROM), settings)
    parsed = handler.received[0].message
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_content().strip() == "Just text"


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_invite_over_smtp(smtp_server, method):
    handler, settings = smtp_server
    body = ics(method, summary="RS Group 7 – Zoë’s group")
    msg = build_message(
        to="zoe@example.org",
        subject=f"Invitation: RS Group 7 ({method.lower()})",
        text="You are invited.",
        html="<p>You are invited.</p>",
        invite=Invite(method=method, ics=body),
        mail_from=MAIL_FROM,
        message_id_key=f"session-42:{method}:zoe@example.org",
    )
    send_message(msg, settings)

    got = handler.received[0]
    assert got.rcpt_tos == ["zoe@example.org"]
    parsed = got.message
    assert parsed["Message-ID"] == message_id_for(f"session-42:{method}:zoe@example.org")

    # multipart/mixed [ multipart/alternative [plain, html, calendar], application/ics ]
    assert parsed.get_content_type() == "multipart/mixed"
    top = list(parsed.iter_parts())
    assert [p.get_content_type() for p in top] == ["multipart/alternative", "application/ics"]
    alternative, attachment = top
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html", "text/calendar"]
    plain, html, calendar = alternative.iter_parts()
    assert plain.get_content().strip() == "You are invited."
    assert html.get_content().strip() == "<p>You are invited.</p>"

    # The Content-Type method parameter agrees with the METHOD in the body.
    assert calendar.get_param("method") == method
    assert calendar.get_content_charset() == "utf-8"
    # On the wire the header reads as Google/Outlook write it (unquoted method).
    assert f'Content-Type: text/calendar; method={method}; charset="UTF-8"\r\n'.encode() in got.content
    cal_text = calendar.get_content()
    assert f"METHOD:{method}" in cal_text.splitlines()
    assert "SUMMARY:RS Group 7 – Zoë’s group" in cal_text
    assert cal_text.replace("\r\n", "\n") == body.decode("utf-8").replace("\r\n", "\n")

    # The attachment is the identical ICS.
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content() == body


def test_invite_without_html(smtp_server):
    handler, settings = smtp_server
    msg = build_message(
        to="zoe@example.org",
        subject="Invite",
        text="Invited",
        mail_from=MAIL_FROM,
        invite=Invite("REQUEST", ics("REQUEST")),
    )
    send_message(msg, settings)
    parsed = handler.received[0].message
    alternative = next(parsed.iter_parts())
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/calendar"]


def test_smtp_rejection_becomes_mail_error(smtp_server):
    _, settings = smtp_server
    msg = build_message(to="reject-me@example.org", subject="x", text="x", mail_from=MAIL_FROM)
    with pytest.raises(MailError, match=r"550.*mailbox unavailable"):
        send_message(msg, settings)


# --------------------------------------------------------------------------
# Invite validation and message IDs
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "body"),
    [("REQUEST", ics("CANCEL")), ("CANCEL", ics("REQUEST")), ("REQUEST", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")],
)
def test_method_mismatch_raises(method, body):
    with pytest.raises(ValueError, match="METHOD"):
        build_message(to="a@example.org", subject="x", text="x", mail_from=MAIL_FROM, invite=Invite(method, body))


def test_non_utf8_ics_raises():
    with pytest.raises(ValueError, match="UTF-8"):
        build_message(
            to="a@example.org",
            subject="x",
            text="x",
            mail_from=MAIL_FROM,
            invite=Invite("REQUEST", "METHOD:REQUEST\r\nSUMMARY:Zoë\r\n".encode("latin-1")),
        )


def test_message_id_deterministic_or_random():
    a = build_message(to="a@example.org", subject="x", text="x", mail_from=MAIL_FROM, message_id_key="k1")
    b = build_message(to="a@example.org", subject="x", text="x", mail_from=MAIL_FROM, message_id_key="k1")
    c = build_message(to="a@example.org", subject="x", text="x", mail_from=MAIL_FROM, message_id_key="k2")
    assert a["Message-ID"] == b["Message-ID"] == message_id_for("k1")
    assert re.fullmatch(r"<[0-9a-f]{40}@rs-service>", a["Message-ID"])
    assert c["Message-ID"] != a["Message-ID"]
    r1 = build_message(to="a@example.org", subject="x", text="x", mail_from=MAIL_FROM)
    r2 = build_message(to="a@example.org", subject="x", text="x", mail_from=MAIL_FROM)
    assert r1["Message-ID"] != r2["Message-ID"]


def test_a_line_break_in_a_subject_can_neither_fail_nor_inject_a_header():
    message = build_message(to="a@example.org", subject="x\r\nBcc: victim@example.org", text="x", mail_from=MAIL_FROM)
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert parsed["Bcc"] is None and parsed["Subject"] == "x Bcc: victim@example.org"


def test_settings_reject_tls_and_ssl_together():
    with pytest.raises(ValueError):
        MailSettings(host="smtp.example.org", use_tls=True, use_ssl=True)


# --------------------------------------------------------------------------
# Outbox fallback
# --------------------------------------------------------------------------


def test_outbox_writes_readable_eml(tmp_path: Path):
    outbox = tmp_path / "instance" / "outbox"
    settings = MailSettings(host=None, outbox_dir=str(outbox))
    body = ics("REQUEST")
    first = build_message(
        to="zoe@example.org",
        subject="Invitation",
        text="Invited",
        html="<p>Invited</p>",
        invite=Invite("REQUEST", body),
        mail_from=MAIL_FROM,
    )
    second = build_message(to="sam@example.org", subject="Reminder", text="Reminder", mail_from=MAIL_FROM)

    path1 = send_message(first, settings)
    path2 = send_message(second, settings)
    assert Path(path1).parent == outbox and Path(path1).suffix == ".eml"
    assert path1 != path2
    assert sorted(p.name for p in outbox.iterdir()) == [Path(path1).name, Path(path2).name]  # sortable, no temp left

    parsed = email.message_from_bytes(Path(path1).read_bytes(), policy=email.policy.default)
    assert parsed["To"] == "zoe@example.org"
    assert parsed["Subject"] == "Invitation"
    calendar = parts_by_type(parsed)["text/calendar"]
    assert calendar.get_param("method") == "REQUEST"
    assert parts_by_type(parsed)["application/ics"].get_content() == body
    assert email.message_from_bytes(Path(path2).read_bytes(), policy=email.policy.default)["To"] == "sam@example.org"


def test_outbox_names_sort_in_write_order(tmp_path: Path):
    settings = MailSettings(host=None, outbox_dir=str(tmp_path))
    paths = [
        send_message(build_message(to="a@example.org", subject=f"n{i}", text="x", mail_from=MAIL_FROM), settings)
        for i in range(20)
    ]
    assert sorted(paths) == paths
    assert len(set(paths)) == 20


def test_outbox_unwritable_raises_mail_error(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    settings = MailSettings(host=None, outbox_dir=str(blocker / "outbox"))
    with pytest.raises(MailError, match="outbox"):
        send_message(build_message(to="a@example.org", subject="x", text="x", mail_from=MAIL_FROM), settings)


# --------------------------------------------------------------------------
# Connection failures
# --------------------------------------------------------------------------


def test_refused_connection_raises_mail_error():
    port = free_port()  # nothing listens there any more
    settings = MailSettings(host="127.0.0.1", port=port, timeout=2.0)
    msg = build_message(to="a@example.org", subject="x", text="x", mail_from=MAIL_FROM)
    with pytest.raises(MailError, match=rf"127\.0\.0\.1:{port}.*refused"):
        send_message(msg, settings)


def test_silent_server_times_out():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # accepts the TCP handshake but never greets
        port = listener.getsockname()[1]
        settings = MailSettings(host="127.0.0.1", port=port, timeout=0.3)
        msg = build_message(to="a@example.org", subject="x", text="x", mail_from=MAIL_FROM)
        with pytest.raises(MailError, match=rf"127\.0\.0\.1:{port} timed out"):
            send_message(msg, settings)


@pytest.mark.parametrize(
    "subject",
    [
        "Reminder: RS Group 12 tomorrow, Tue 3 Mar 2026, 10:00 AM-11:30 AM EST (Michigan AIMH demo association)",
        "Changed: RS Group 12, Tue 3 Mar 2026, 10:00 AM–11:30 AM EST, with Zoë Ndlovu facilitating this week",
    ],
)
def test_long_subjects_fold_and_come_back_unchanged(subject):
    message = build_message(to="ana@example.org", subject=subject, text="hi", mail_from="rs@example.org")
    raw = message.as_bytes()
    assert all(len(line) <= 78 for line in raw.splitlines())
    assert email.message_from_bytes(raw, policy=email.policy.default)["Subject"] == subject


def test_outbox_keeps_an_address_with_accents_readable(tmp_path: Path):
    message = build_message(
        to=address_header("José\nNúñez", "josé@bücher.example"), subject="Hola", text="¡Hola!", mail_from=MAIL_FROM
    )
    path = send_message(message, MailSettings(host=None, outbox_dir=str(tmp_path), mail_from=MAIL_FROM))
    written = email.message_from_string(Path(path).read_bytes().decode("utf-8"), policy=email.policy.default)
    [address] = written["To"].addresses
    assert (address.display_name, address.addr_spec) == ("José Núñez", "josé@xn--bcher-kva.example")
    assert written.get_content().strip() == "¡Hola!"
