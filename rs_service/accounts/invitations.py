"""Single-use links to set a password: invitations from staff (7 days) and resets asked for on
/password/forgot (1 hour).

Only a hash of each link's token is stored; the token itself lives only in the email. A newer link
closes the person's older ones, and so does setting a password. Each email is sent in the
person's language once the transaction that wrote its link commits.
"""

import secrets
from datetime import timedelta
from email.headerregistry import Address

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from rs_service import clock
from rs_service.accounts.auth import hash_token
from rs_service.accounts.models import PasswordLink, Person
from rs_service.accounts.passwords import close_links, set_password
from rs_service.accounts.service import people_by_email
from rs_service.domain_errors import Conflict
from rs_service.extensions import db
from rs_service.notifications.after_commit import send_after_commit
from rs_service.notifications.mail import build_message
from rs_service.urls import external_url

INVITATION_VALID = timedelta(days=7)
RESET_VALID = timedelta(hours=1)
LONGEST_TOKEN = 100  # ours are 43 characters; anything much longer is not one of them


def invite(person: Person) -> PasswordLink:
    """Email `person` a link to set their password, valid 7 days; their older links stop working."""
    if not person.active:
        raise Conflict(message=_("%(name)s is deactivated: reactivate them first.", name=person.name), field="person")
    link, token = issue_link(person, "invite", INVITATION_VALID)
    with force_locale(person.language):
        subject = _("Set your password for %(association)s", association=person.organization.name)
        send_after_commit(link_message(person, subject, "invitation", token))
    return link


def send_password_reset(email: str) -> None:
    """A reset link, valid 1 hour, to each active person with this email; nothing for anyone else."""
    for person in people_by_email(email):
        if person.active:
            _link, token = issue_link(person, "reset", RESET_VALID)
            with force_locale(person.language):
                subject = _("Reset your password for %(association)s", association=person.organization.name)
                send_after_commit(link_message(person, subject, "password_reset", token))


def issue_link(person: Person, purpose: str, valid_for: timedelta) -> tuple[PasswordLink, str]:
    close_links(person)
    token = secrets.token_urlsafe(32)
    link = PasswordLink(
        person_id=person.id, purpose=purpose, token_hash=hash_token(token), expires_at=clock.now() + valid_for
    )
    db.session.add(link)
    db.session.flush()
    return link, token


def open_link(token: str) -> PasswordLink | None:
    """The link for this token while it still works; None once used, superseded or expired."""
    if len(token) > LONGEST_TOKEN:
        return None
    link = db.session.scalar(db.select(PasswordLink).where(PasswordLink.token_hash == hash_token(token)))
    if link is None or not link.is_open(clock.now()) or not link.person.active:
        return None
    return link


def use_link(link: PasswordLink, password: str) -> Person:
    """Set the link's person's password (already checked); this link and every other one close."""
    set_password(link.person, password)
    return link.person


def link_message(person: Person, subject: str, template: str, token: str):
    context = {
        "person": person,
        "association": person.organization.name,
        "url": external_url("passwords.set_password", token=token),
    }
    return build_message(
        to=str(Address(display_name=person.name, addr_spec=person.email)),
        subject=subject,
        text=render_template(f"accounts/mail/{template}.txt", **context),
        html=render_template(f"accounts/mail/{template}.html", **context),
        mail_from=current_app.config["MAIL_FROM"],
    )
