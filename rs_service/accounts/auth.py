"""Who is asking: password checks, web sessions and bearer tokens for /api/v1.

A web session names the person's `session_key` as well as their id (Flask-Login's alternative id),
so clearing the key ends every session of theirs on the server, whoever kept a copy of the cookie.
API tokens expire (API_TOKEN_DAYS) and can be revoked; only their SHA-256 is stored.
"""

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_user, logout_user
from sqlalchemy.orm import contains_eager
from webargs.flaskparser import abort
from werkzeug.security import check_password_hash, generate_password_hash

from rs_service import clock
from rs_service.accounts import throttle
from rs_service.accounts.models import ApiToken, Person
from rs_service.database import MAX_ID
from rs_service.extensions import db

# How stale `last_used_at` may be: writing it on every request would serialise every request
# that shares a token on that token's row.
TOKEN_USE_PRECISION = timedelta(minutes=5)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@functools.cache
def unused_hash(method: str) -> str:
    """Checked against when no account matches, so a wrong email costs as long as a wrong password."""
    return generate_password_hash("never-a-password", method=method)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Password checks every login attempt makes: an email known in one association, in two, or in none
# costs the same, so the time taken tells nothing about where an email is registered.
# (An email registered in more associations than this costs one check more for each.)
PASSWORD_CHECKS_PER_LOGIN = 2


def authenticate(email: str, password: str) -> Person | None:
    """The person with this email and password; None without saying which of the two was wrong."""
    candidates = db.session.scalars(
        db.select(Person)
        .where(Person.email == normalise_email(email), Person.password_hash.is_not(None))
        .order_by(Person.active.desc(), Person.id)
    ).all()
    matches = [person for person in candidates if check_password_hash(person.password_hash, password)]
    for _missing in range(PASSWORD_CHECKS_PER_LOGIN - len(candidates)):
        check_password_hash(unused_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
    return matches[0] if matches else None


def password_matches(person: Person, password: str) -> bool:
    return person.password_hash is not None and check_password_hash(person.password_hash, password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


class LoginRefused(Exception):
    """A login the service will not allow; `wait` is set when it is refused for a while."""

    def __init__(self, message: str, wait: throttle.Wait | None = None):
        super().__init__(message)
        self.message = message
        self.wait = wait


def check_login(email: str, password: str) -> Person:
    """The person logging in, or LoginRefused: throttled, wrong email or password, or deactivated."""
    wait = throttle.refusal(email)
    if wait is not None:
        message = ngettext(
            "Too many failed attempts to log in. Wait %(num)d minute, then try again.",
            "Too many failed attempts to log in. Wait %(num)d minutes, then try again.",
            wait.minutes,
        )
        raise LoginRefused(message, wait)
    person = authenticate(email, password)
    if person is None:
        throttle.record_failure(email)
        raise LoginRefused(_("Email or password is incorrect."))
    if not person.active:
        raise LoginRefused(_("This account is deactivated; ask your association's staff."))
    return person


# ----------------------------------------------------------------------------- web sessions


def sign_in(person: Person) -> None:
    """Log `person` in on this browser, alongside their other sessions."""
    if not person.session_key:
        person.session_key = secrets.token_urlsafe(32)
        db.session.flush()
    login_user(person)


def sign_out(person: Person) -> None:
    """Log out here, and end every other web session of theirs with it."""
    end_web_sessions(person)
    logout_user()


def end_web_sessions(person: Person) -> None:
    person.session_key = None
    db.session.flush()


def end_sessions(person: Person) -> None:
    """Every web session and API token of `person` ends (deactivation)."""
    end_web_sessions(person)
    revoke_tokens(person)


def person_for_session(session_id: str) -> Person | None:
    """The person a session cookie names, while the key in it is still theirs and they are active."""
    person_id, _sep, key = session_id.partition(":")
    if not (person_id.isdigit() and key and len(person_id) < 10):
        return None
    person = db.session.get(Person, int(person_id))
    if person is None or not person.active or not person.session_key:
        return None
    return person if hmac.compare_digest(person.session_key, key) else None


# ----------------------------------------------------------------------------- API tokens


@dataclass(frozen=True)
class IssuedToken:
    secret: str
    expires_at: datetime


def issue_api_token(person: Person) -> IssuedToken:
    secret = secrets.token_urlsafe(32)
    expires_at = clock.now() + timedelta(days=current_app.config["API_TOKEN_DAYS"])
    db.session.add(ApiToken(person_id=person.id, token_hash=hash_token(secret), expires_at=expires_at))
    db.session.flush()
    return IssuedToken(secret, expires_at)


def issue_token(person: Person) -> str:
    return issue_api_token(person).secret


def tokens_of(person: Person) -> list[ApiToken]:
    """The person's tokens that still work, newest first."""
    return list(
        db.session.scalars(
            db.select(ApiToken)
            .where(ApiToken.person_id == person.id, ApiToken.expires_at > clock.now())
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def token_of(person: Person, token_id: int) -> ApiToken | None:
    """One of the person's own tokens, else None (callers answer 404)."""
    if not 0 < token_id <= MAX_ID:
        return None
    return db.session.scalar(db.select(ApiToken).where(ApiToken.id == token_id, ApiToken.person_id == person.id))


def revoke_token(api_token: ApiToken) -> None:
    db.session.delete(api_token)
    db.session.flush()


def revoke_tokens(person: Person) -> int:
    """Revoke every API token of `person`; how many there were."""
    held = db.session.scalar(db.select(db.func.count()).where(ApiToken.person_id == person.id)) or 0
    db.session.execute(db.delete(ApiToken).where(ApiToken.person_id == person.id))
    db.session.flush()
    return held


def token_auth(view):
    """Require `Authorization: Bearer TOKEN`; the caller is then `g.caller`, their token `g.api_token`."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        api_token, now = bearer_token(), clock.now()
        if api_token is None:
            abort(401, message=_("A valid API token is required: send 'Authorization: Bearer TOKEN'."))
        elif api_token.expires_at <= now:
            abort(401, message=_("This API token has expired; ask for a new one at POST /api/v1/auth/tokens."))
        elif not api_token.person.active:
            abort(401, message=_("This account is deactivated; ask your association's staff."))
        else:
            if api_token.last_used_at is None or now - api_token.last_used_at >= TOKEN_USE_PRECISION:
                api_token.last_used_at = now
            g.caller, g.api_token = api_token.person, api_token
            return view(*args, **kwargs)

    return wrapper


def bearer_token() -> ApiToken | None:
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return db.session.scalar(
        db.select(ApiToken)
        .join(ApiToken.person)
        .where(ApiToken.token_hash == hash_token(secret.strip()))
        .options(contains_eager(ApiToken.person))
    )


def caller() -> Person:
    return g.caller


def current_token() -> ApiToken:
    return g.api_token
