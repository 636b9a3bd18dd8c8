"""Associations, people and credentials: plain functions that flush and never commit."""

from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from rs_service import clock
from rs_service.accounts.auth import hash_password, normalise_email
from rs_service.accounts.models import ROLES, Credential, Organization, Person
from rs_service.domain_errors import Conflict, InvalidInput
from rs_service.extensions import db


class AccountError(InvalidInput):
    pass


def create_organization(slug: str, name: str, timezone: str) -> Organization:
    if not clock.is_time_zone(timezone):
        raise AccountError(field="timezone", message=f"{timezone!r} is not an IANA time zone such as America/Detroit")
    if db.session.scalar(db.select(Organization.id).where(Organization.slug == slug)):
        raise Conflict(message=f"an association with the slug {slug!r} already exists", field="slug")
    organization = Organization(slug=slug, name=name, timezone=timezone)
    db.session.add(organization)
    db.session.flush()
    from rs_service.endorsement.requirements import seed_baseline  # imported here: endorsement imports accounts

    seed_baseline(organization)
    return organization


def set_organizer(organization: Organization, email: str | None) -> Organization:
    """The address invites name as ORGANIZER (replies go there); None for MAIL_FROM's address."""
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise AccountError(field="organizer_email", message=f"not an email address: {error}") from None
    organization.organizer_email = email or None
    db.session.flush()
    return organization


def organization_by_slug(slug: str) -> Organization | None:
    return db.session.scalar(db.select(Organization).where(Organization.slug == slug))


def create_person(
    organization: Organization,
    email: str,
    name: str,
    role: str,
    password: str | None = None,
    pursuing_category: str | None = None,
) -> Person:
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(field="role", message=_("role must be one of %(roles)s", roles=", ".join(ROLES)))
    if person_by_email(organization, email):
        raise Conflict(
            message=_(
                "%(email)s already belongs to someone in %(association)s", email=email, association=organization.name
            ),
            field="email",
        )
    person = Person(
        organization_id=organization.id,
        email=email,
        name=name.strip(),
        role=role,
        pursuing_category=pursuing_category,
        password_hash=hash_password(password) if password else None,
    )
    db.session.add(person)
    db.session.flush()
    return person


def person_by_email(organization: Organization, email: str) -> Person | None:
    return db.session.scalar(
        db.select(Person).where(Person.organization_id == organization.id, Person.email == normalise_email(email))
    )


def people_by_email(email: str) -> list[Person]:
    return list(db.session.scalars(db.select(Person).where(Person.email == normalise_email(email))))


def add_credential(
    person: Person, category: str, number: str, valid_from: date, valid_until: date | None
) -> Credential:
    if valid_until is not None and valid_until < valid_from:
        raise AccountError(field="valid_until", message=_("The end date must not be before the start date."))
    credential = Credential(
        person_id=person.id, category=category, number=number.strip(), valid_from=valid_from, valid_until=valid_until
    )
    db.session.add(credential)
    db.session.flush()
    db.session.refresh(person, ["credentials"])
    return credential
