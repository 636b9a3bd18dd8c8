"""Bearer tokens for /api/v1 and password checks for the web login."""

import functools
import hashlib
import secrets

from flask import current_app, g, request
from flask_smorest import abort
from werkzeug.security import check_password_hash, generate_password_hash

from rs_service import clock
from rs_service.accounts.models import ApiToken, Person
from rs_service.extensions import db


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@functools.cache
def unused_hash(method: str) -> str:
    """Checked against when no account matches, so a wrong email costs as long as a wrong password."""
    return generate_password_hash("never-a-password", method=method)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(person: Person) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(person_id=person.id, token_hash=hash_token(token)))
    db.session.flush()
    return token


# Password checks every login attempt makes: an email known in one association, in two, or in none
# costs the same, so the time taken tells nothing about where an email is registered.
# (An email registered in more associations than this costs one check more for each.)
PASSWORD_CHECKS_PER_LOGIN = 2


def authenticate(email: str, password: str) -> Person | None:
    """The person with this email and password; None without saying which of the two was wrong."""
    candidates = db.session.scalars(
        db.select(Person)
        .where(Person.email == normalise_email(email), Person.password_hash.is_not(None))
        .order_by(Person.id)
    ).all()
    matches = [person for person in candidates if check_password_hash(person.password_hash, password)]
    for _ in range(PASSWORD_CHECKS_PER_LOGIN - len(candidates)):
        check_password_hash(unused_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
    return matches[0] if matches else None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def person_for_token(token: str) -> Person | None:
    api_token = db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if api_token is None:
        return None
    api_token.last_used_at = clock.now()
    return api_token.person


def token_auth(view):
    """Require `Authorization: Bearer TOKEN`; the caller is then `g.caller`."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        caller = person_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if caller is None:
            abort(401, message="A valid API token is required: send 'Authorization: Bearer TOKEN'.")
        g.caller = caller
        return view(*args, **kwargs)

    return wrapper


def caller() -> Person:
    return g.caller
