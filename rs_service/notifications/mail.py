"""Mail transport: build MIME messages (optionally carrying a calendar invite)
and deliver them over SMTP, or into an outbox folder of .eml files when no
SMTP host is configured.

Standard library only (``email`` + ``smtplib``).

Invite structure (what Gmail, Outlook and Apple Mail expect)::

    multipart/mixed
      multipart/alternative
        text/plain; charset="utf-8"
        text/html; charset="utf-8"                       (when html is given)
        text/calendar; method=REQUEST; charset="UTF-8"   (the ICS itself)
      application/ics; name="invite.ics"                 (attachment, same ICS)

Messages are built with a 7-bit policy: non-ASCII bodies are sent as
quoted-printable or base64 and non-ASCII headers are RFC 2047 encoded, so no
8BITMIME/SMTPUTF8 support is needed from the server, with one exception:

International addresses.  A domain is always written in its ASCII (IDNA)
form, which every server accepts.  A non-ASCII part before the "@"
(``josé@example.org``) has no ASCII form: such a message goes out with
SMTPUTF8 (RFC 6531) when the server offers it; when it does not, sending
raises :class:`UndeliverableAddress`, a permanent failure that says why, so it
is not retried.

Headers never fail on what the database holds: subjects and display names are
put on one line (control characters become spaces) and names are quoted or
encoded by the email package.
"""

from __future__ import annotations

import contextlib
import email.policy
import hashlib
import itertools
import logging
import os
import re
import smtplib
import ssl
import tempfile
import uuid
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from pathlib import Path

import idna

from rs_service import clock
from rs_service.plain_text import one_line

__all__ = [
    "MESSAGE_ID_DOMAIN",
    "Attachment",
    "Invite",
    "MailError",
    "MailSettings",
    "UndeliverableAddress",
    "address_header",
    "build_message",
    "message_id_for",
    "send_message",
]

log = logging.getLogger(__name__)

MESSAGE_ID_DOMAIN = "rs-service"
INVITE_FILENAME = "invite.ics"

# Build everything 7-bit clean; smtplib and the .eml writer use CRLF.
POLICY = email.policy.default.clone(cte_type="7bit")
_WIRE_POLICY = POLICY.clone(linesep="\r\n")


class MailError(Exception):
    """A message could not be delivered (SMTP failure or outbox write failure).

    `permanent` says that trying again cannot help: the message should be given up at once, with
    this error's text as the reason."""

    permanent = False


class UndeliverableAddress(MailError):
    """An address the configured mail server cannot take (a non-ASCII local part without SMTPUTF8)."""

    permanent = True


@dataclass(frozen=True)
class MailSettings:
    host: str | None  # None -> write .eml files to outbox_dir
    port: int = 25
    username: str | None = None
    password: str | None = None
    use_tls: bool = False  # STARTTLS
    use_ssl: bool = False  # SMTPS
    mail_from: str = "rs_service <no-reply@localhost>"
    outbox_dir: str = "instance/outbox"
    timeout: float = 10.0

    def __post_init__(self) -> None:
        if self.use_tls and self.use_ssl:
            raise ValueError("MailSettings: use_tls (STARTTLS) and use_ssl (SMTPS) are mutually exclusive")


@dataclass(frozen=True)
class Invite:
    method: str  # "REQUEST" or "CANCEL"
    ics: bytes


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message, such as a certificate's PDF."""

    filename: str
    content: bytes
    maintype: str = "application"
    subtype: str = "octet-stream"


# --------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------


def ascii_domain(domain: str) -> str:
    """The domain's ASCII form (IDNA A-labels), which needs no SMTPUTF8; as given if it has none."""
    if domain.isascii():
        return domain
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError:
        return domain  # not a valid international domain: the server will say so


def address_header(name: str, address: str) -> str:
    """``Name <address>`` for a To header, whatever the name holds (line breaks, quotes, emoji), with
    the domain in ASCII form.  Built from its parts: parsing a non-ASCII local part would fail."""
    username, _, domain = address.rpartition("@")
    return str(Address(display_name=one_line(name), username=username, domain=ascii_domain(domain)))


def needs_smtputf8(message: EmailMessage) -> bool:
    """Does an address of *message* have a non-ASCII part, so only an SMTPUTF8 server can take it?"""
    fields = [str(value) for key in ("From", "To", "Cc", "Sender", "Reply-To") for value in message.get_all(key, [])]
    return any(not address.isascii() for _name, address in getaddresses(fields))


def message_id_for(key: str) -> str:
    """Deterministic Message-ID for *key*: ``<sha256-hex[:40]@rs-service>``.

    The digest is cut to 160 bits so the header line stays under 78
    characters; longer lines get folded and some parsers (Python's included)
    then keep a leading space in the value.
    """
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
    return f"<{digest}@{MESSAGE_ID_DOMAIN}>"


_METHOD_TOKEN = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")


def _ics_methods(ics_text: str) -> list[str]:
    """Values of every METHOD property in *ics_text* (after unfolding)."""
    unfolded = re.sub(r"\r?\n[ \t]", "", ics_text)
    methods = []
    for line in unfolded.splitlines():
        m = re.match(r"(?i)^METHOD(?:;[^:]*)?:(.*)$", line)
        if m:
            methods.append(m.group(1).strip())
    return methods


def _check_invite(invite: Invite) -> tuple[str, str]:
    """Validate *invite*; return (METHOD upper-cased, ICS text)."""
    method = (invite.method or "").strip().upper()
    if not _METHOD_TOKEN.match(method):
        raise ValueError(f"invalid iTIP method {invite.method!r}")
    try:
        ics_text = invite.ics.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError("invite ICS is not valid UTF-8") from exc
    found = _ics_methods(ics_text)
    if not found:
        raise ValueError(f"invite ICS has no METHOD property (expected METHOD:{method})")
    if any(value.upper() != method for value in found):
        raise ValueError(f"invite method {method} does not match the ICS body (METHOD:{', METHOD:'.join(found)})")
    return method, ics_text


def _tidy_subpart(part: EmailMessage) -> None:
    # add_alternative/add_attachment give every sub-part its own MIME-Version.
    del part["MIME-Version"]


def build_message(
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    invite: Invite | None = None,
    mail_from: str,
    message_id_key: str | None = None,
    attachments: tuple[Attachment, ...] = (),
) -> EmailMessage:
    """Build a message ready for :func:`send_message`.

    Without *invite*: text/plain alone, or multipart/alternative text + html.
    With *invite*: multipart/mixed holding multipart/alternative (text, html,
    text/calendar with the iTIP method) and the ICS as ``invite.ics``.
    Raises ValueError if the invite's method is not the METHOD of its ICS.

    *message_id_key* makes the Message-ID deterministic (see
    :func:`message_id_for`); otherwise a random one is generated.
    *attachments* follow the body (and the invite) as files.
    """
    msg = EmailMessage(policy=POLICY)
    msg["From"] = mail_from
    msg["To"] = to
    msg["Subject"] = one_line(subject)
    msg["Date"] = format_datetime(clock.now())
    msg["Message-ID"] = (
        message_id_for(message_id_key) if message_id_key is not None else make_msgid(domain=MESSAGE_ID_DOMAIN)
    )
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: discourages auto-replies

    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")

    if invite is not None:
        method, ics_text = _check_invite(invite)
        msg.add_alternative(ics_text, subtype="calendar", charset="utf-8")
        *_, cal_part = msg.iter_parts()
        # Write the header verbatim, the way Google/Outlook do (unquoted method).
        del cal_part["Content-Type"]
        cal_part.set_raw("Content-Type", f'text/calendar; method={method}; charset="UTF-8"')
        msg.add_attachment(
            invite.ics,
            maintype="application",
            subtype="ics",
            filename=INVITE_FILENAME,
            params={"name": INVITE_FILENAME},
        )
    for attachment in attachments:
        msg.add_attachment(
            attachment.content, maintype=attachment.maintype, subtype=attachment.subtype, filename=attachment.filename
        )

    if msg.is_multipart():
        for part in msg.walk():
            if part is not msg:
                _tidy_subpart(part)
    return msg


# --------------------------------------------------------------------------
# Sending
# --------------------------------------------------------------------------


def send_message(message: EmailMessage, settings: MailSettings) -> str:
    """Deliver *message*; return where it went.

    ``"smtp:HOST:PORT"`` when sent over SMTP, or the path of the written .eml
    file when ``settings.host`` is empty.  Raises :class:`MailError` on any
    failure (connection refused, timeout, TLS or SMTP error, unwritable
    outbox).
    """
    if not settings.host:
        return _write_outbox(message, settings.outbox_dir)
    return _send_smtp(message, settings, settings.host)


def _send_smtp(message: EmailMessage, settings: MailSettings, host: str) -> str:
    port = settings.port
    where = f"{host}:{port}"
    mode = "SMTPS" if settings.use_ssl else ("SMTP+STARTTLS" if settings.use_tls else "SMTP")
    try:
        if settings.use_ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=settings.timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(host, port, timeout=settings.timeout)
        with client:
            if settings.use_tls:
                client.starttls(context=ssl.create_default_context())
            if settings.username:
                client.login(settings.username, settings.password or "")
            client.ehlo_or_helo_if_needed()
            if needs_smtputf8(message) and not client.has_extn("smtputf8"):
                raise UndeliverableAddress(
                    f"{mode} {where} does not offer SMTPUTF8, which an address of this message needs "
                    f"({message['To']}: the part before the @ is not plain ASCII); it cannot be delivered "
                    "through this server, so it is not retried"
                )
            # smtplib sends with SMTPUTF8 (and UTF-8 headers) only when an address needs it.
            refused = client.send_message(message)
    except MailError:
        raise
    except smtplib.SMTPRecipientsRefused as exc:
        detail = "; ".join(f"{rcpt}: {code} {_text(resp)}" for rcpt, (code, resp) in exc.recipients.items())
        raise MailError(f"{mode} {where} refused all recipients ({detail})") from exc
    except smtplib.SMTPResponseException as exc:
        raise MailError(f"{mode} {where} error {exc.smtp_code}: {_text(exc.smtp_error)}") from exc
    except smtplib.SMTPException as exc:
        if _caused_by_timeout(exc):  # smtplib wraps read timeouts in SMTPServerDisconnected
            raise MailError(f"{mode} {where} timed out after {settings.timeout}s ({exc})") from exc
        raise MailError(f"{mode} {where} failed: {exc}") from exc
    except TimeoutError as exc:  # socket.timeout is TimeoutError since 3.10
        raise MailError(f"{mode} {where} timed out after {settings.timeout}s") from exc
    except ConnectionRefusedError as exc:
        raise MailError(f"{mode} {where}: connection refused") from exc
    except OSError as exc:  # DNS failure, unreachable network, TLS errors...
        raise MailError(f"{mode} {where} failed: {exc}") from exc
    if refused:
        # Partial failure: the message was accepted for the other recipients,
        # so raising (and retrying) would duplicate it for them.
        log.warning("mail %s: %s refused %s", message.get("Message-ID"), where, sorted(refused))
    return f"smtp:{where}"


def _caused_by_timeout(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, TimeoutError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


_counter = itertools.count()


def _outbox_filename() -> str:
    """Sortable (UTC timestamp first) and unique (pid, counter, random) name."""
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%fZ")
    return f"{stamp}-{os.getpid()}-{next(_counter):06d}-{uuid.uuid4().hex[:8]}.eml"


def _write_outbox(message: EmailMessage, outbox_dir: str) -> str:
    folder = Path(outbox_dir)
    try:
        # An address with a non-ASCII local part can only be written as UTF-8 (RFC 6532).
        data = message.as_bytes(policy=_WIRE_POLICY.clone(utf8=needs_smtputf8(message)))
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / _outbox_filename()
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".eml")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise MailError(f"could not write message to outbox {folder}: {exc}") from exc
    return str(target)
