"""The people of an association: find them, change their record and credentials, deactivate and
reactivate them. Plain functions that flush and never commit; every change goes to the audit trail."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select

from rs_service import clock
from rs_service.accounts.auth import end_sessions, normalise_email
from rs_service.accounts.models import LANGUAGES, ROLES, Credential, Organization, Person
from rs_service.accounts.service import add_credential, create_person, person_by_email
from rs_service.audit.service import record_event
from rs_service.domain_errors import Conflict, InvalidInput
from rs_service.endorsement.categories import CATEGORY_CODES
from rs_service.extensions import db
from rs_service.groups.models import Enrollment, Group, Session, group_facilitators
from rs_service.groups.service import lock_group, promote_from_waitlist
from rs_service.listing import PER_PAGE, Page, contains, page_of_query
from rs_service.text import single_line_problem

# The fields of a person's record, by their API names (which of their own a person may change: policy).
EDITABLE = ("name", "email", "role", "pursuing", "language")
SORTS = {
    "name": (Person.name, Person.id),
    "-name": (Person.name.desc(), Person.id.desc()),
    "email": (Person.email, Person.id),
    "role": (Person.role, Person.name, Person.id),
    "newest": (Person.created_at.desc(), Person.id.desc()),
}


# ----------------------------------------------------------------------------- the directory


@dataclass(frozen=True)
class PeopleFilter:
    search: str = ""
    role: str | None = None
    active: bool | None = None  # None: everyone
    sort: str = "name"


def people_query(organization_id: int, wanted: PeopleFilter) -> Select:
    query = db.select(Person).where(Person.organization_id == organization_id)
    if wanted.search.strip():
        query = query.where(contains(wanted.search, Person.name, Person.email))
    if wanted.role:
        query = query.where(Person.role == wanted.role)
    if wanted.active is not None:
        query = query.where(Person.active.is_(wanted.active))
    return query.order_by(*SORTS.get(wanted.sort, SORTS["name"]))


def directory(organization_id: int, wanted: PeopleFilter, number: int = 1, per_page: int = PER_PAGE) -> Page:
    return page_of_query(people_query(organization_id, wanted), number, per_page)


def current_groups(person_ids: list[int], today: date) -> dict[int, list[tuple[Group, bool]]]:
    """The groups each person is in (or waiting for) on `today`, with True for a waitlist spot: one query."""
    rows = db.session.execute(
        db.select(Enrollment.person_id, Enrollment.waitlisted, Group)
        .join(Group, Enrollment.group_id == Group.id)
        .where(Enrollment.person_id.in_(person_ids), Enrollment.open_on_sql(today))
        .order_by(Group.name, Group.id)
    )
    groups: dict[int, list[tuple[Group, bool]]] = {}
    for person_id, waitlisted, group in rows:
        groups.setdefault(person_id, []).append((group, waitlisted))
    return groups


def enrollments_of(person: Person) -> list[Enrollment]:
    """Every group the person is, was or waits to be in, latest first."""
    return list(
        db.session.scalars(
            db.select(Enrollment)
            .where(Enrollment.person_id == person.id)
            .options(db.joinedload(Enrollment.group))
            .order_by(Enrollment.joined_on.desc(), Enrollment.id.desc())
        )
    )


def facilitated_groups(person: Person) -> list[Group]:
    return list(
        db.session.scalars(
            db.select(Group)
            .join(group_facilitators, group_facilitators.c.group_id == Group.id)
            .where(group_facilitators.c.person_id == person.id)
            .order_by(Group.name, Group.id)
        )
    )


def groups_with_sessions_ahead(person: Person) -> list[Group]:
    """Groups the person facilitates that still have scheduled sessions: someone must take them over."""
    ahead = (
        db.select(Session.id)
        .where(Session.group_id == Group.id, Session.status == "scheduled", Session.starts_at > clock.now())
        .exists()
    )
    return list(
        db.session.scalars(
            db.select(Group)
            .join(group_facilitators, group_facilitators.c.group_id == Group.id)
            .where(group_facilitators.c.person_id == person.id, ahead)
            .order_by(Group.name, Group.id)
        )
    )


# ----------------------------------------------------------------------------- a person's record


def add_person(organization: Organization, actor: Person, record: dict) -> Person:
    """Someone new in the association, from the fields of `EDITABLE`; they log in once invited."""
    record = {"pursuing": None, "language": "en", **record}
    values = {name: checked_value(None, organization, name, record.get(name), actor) for name in EDITABLE}
    person = create_person(
        organization, values["email"], values["name"], values["role"], pursuing_category=values["pursuing"]
    )
    person.language = values["language"]
    db.session.flush()
    record_event(organization.id, actor, "person.created", person_id=person.id, after=values)
    return person


def change_person(person: Person, changes: dict, actor: Person) -> dict:
    """Apply `changes` (API field names) and return what changed as {field: (before, after)}."""
    wanted = {name: checked_value(person, person.organization, name, value, actor) for name, value in changes.items()}
    changed = {name: (current_value(person, name), value) for name, value in wanted.items()}
    changed = {name: pair for name, pair in changed.items() if pair[0] != pair[1]}
    if not changed:
        return {}
    for name, (_before, after) in changed.items():
        setattr(person, "pursuing_category" if name == "pursuing" else name, after)
    db.session.flush()
    record_event(
        person.organization_id,
        actor,
        "person.changed",
        person_id=person.id,
        before={name: pair[0] for name, pair in changed.items()},
        after={name: pair[1] for name, pair in changed.items()},
    )
    return changed


def current_value(person: Person, name: str):
    return person.pursuing_category if name == "pursuing" else getattr(person, name)


def checked_value(person: Person | None, organization: Organization, name: str, value, actor: Person):
    """The value as it will be stored for `person` (None: someone new), or InvalidInput / Conflict naming the field."""
    if name == "name":
        return checked_text("name", value, 200)
    if name == "email":
        email = normalise_email(value or "")
        if "@" not in email or len(email) > 254:
            raise InvalidInput(field="email", message=_("Give a valid email address."))
        other = person_by_email(organization, email)
        if other is not None and (person is None or other.id != person.id):
            raise Conflict(
                message=_("%(email)s already belongs to %(name)s.", email=email, name=other.name), field="email"
            )
        return email
    if name == "role":
        return checked_role(person, value, actor)
    if name == "pursuing":
        if value in (None, ""):
            return None
        if value not in CATEGORY_CODES:
            raise InvalidInput(field="pursuing", message=_("Choose an Endorsement category such as IFS or IMHS."))
        return value
    if name == "language":
        if value not in LANGUAGES:
            raise InvalidInput(field="language", message=_("Choose English (en) or Spanish (es)."))
        return value
    raise InvalidInput(field=name, message=_("This field cannot be changed."))


def checked_role(person: Person | None, role, actor: Person) -> str:
    if role not in ROLES:
        raise InvalidInput(field="role", message=_("Choose staff, facilitator or participant."))
    if person is None or role == person.role:
        return role
    if person.id == actor.id:
        raise Conflict(message=_("You cannot change your own role; ask another staff member."), field="role")
    if role == "participant":
        groups = facilitated_groups(person)
        if groups:
            names = ", ".join(g.name for g in groups)
            raise Conflict(
                message=_(
                    "%(name)s facilitates %(groups)s: give those groups another facilitator first.",
                    name=person.name,
                    groups=names,
                ),
                field="role",
            )
    return role


def checked_text(field_name: str, value, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(field=field_name, message=_("This field is required."))
    if len(text) > max_length:
        raise InvalidInput(field=field_name, message=_("At most %(count)d characters.", count=max_length))
    problem = single_line_problem(text)
    if problem:
        raise InvalidInput(field=field_name, message=_("Write it on one line, without tabs or control characters."))
    return text


# ----------------------------------------------------------------------------- credentials


def credentials_of(person: Person) -> list[Credential]:
    return sorted(person.credentials, key=lambda c: (c.valid_from, c.id), reverse=True)


def record_credential(
    person: Person, actor: Person, category: str, number: str, valid_from: date, valid_until: date | None
) -> Credential:
    """An Endorsement the person holds, e.g. a facilitator's renewal from its renewal date."""
    if category not in CATEGORY_CODES:
        raise InvalidInput(field="category", message=_("Choose an Endorsement category such as IFS or IMHS."))
    number = checked_text("number", number, 50)
    if valid_until is not None and valid_until < valid_from:
        raise InvalidInput(field="valid_until", message=_("The end date must not be before the start date."))
    credential = add_credential(person, category, number, valid_from, valid_until)
    record_event(
        person.organization_id,
        actor,
        "credential.recorded",
        person_id=person.id,
        after=credential_facts(credential),
    )
    return credential


def end_credential(credential: Credential, actor: Person, valid_until: date) -> Credential:
    """The last day the credential is valid (it lapsed, or was given up); earlier entries keep their stamps."""
    if valid_until < credential.valid_from:
        raise InvalidInput(field="valid_until", message=_("The end date must not be before the start date."))
    before = credential_facts(credential)
    credential.valid_until = valid_until
    db.session.flush()
    record_event(
        credential.person.organization_id,
        actor,
        "credential.ended",
        person_id=credential.person_id,
        before=before,
        after=credential_facts(credential),
    )
    return credential


def credential_facts(credential: Credential) -> dict:
    return {
        "credential_id": credential.id,
        "category": credential.category,
        "number": credential.number,
        "valid_from": credential.valid_from.isoformat(),
        "valid_until": credential.valid_until.isoformat() if credential.valid_until else None,
    }


def credential_of(person: Person, credential_id: int) -> Credential | None:
    return next((c for c in person.credentials if c.id == credential_id), None)


# ----------------------------------------------------------------------------- deactivation


@dataclass
class Deactivation:
    groups_left: list[Group] = field(default_factory=list)
    waitlists_left: list[Group] = field(default_factory=list)
    still_facilitates: list[Group] = field(default_factory=list)


def deactivate(person: Person, actor: Person, reason: str) -> Deactivation:
    """The person can no longer log in, their API tokens are revoked, and they leave every group from
    today on (each group's own date); their attendance, hours, certificates and credentials stay."""
    reason = checked_text("reason", reason, 500)
    if not person.active:
        raise Conflict(message=_("%(name)s is already deactivated.", name=person.name))
    if person.id == actor.id:
        raise Conflict(message=_("You cannot deactivate yourself; ask another staff member."))
    outcome = Deactivation()
    for enrollment in open_enrollments(person):
        group = enrollment.group
        (outcome.waitlists_left if enrollment.waitlisted else outcome.groups_left).append(group)
        leave_group(enrollment, clock.today_in(group.timezone))
    person.active = False
    # Revoked, not suspended: a token or a cookie a departed person kept must not come back with a
    # reactivation.
    end_sessions(person)
    outcome.still_facilitates = groups_with_sessions_ahead(person)
    record_event(
        person.organization_id,
        actor,
        "person.deactivated",
        person_id=person.id,
        reason=reason,
        after={
            "groups_left": [g.name for g in outcome.groups_left],
            "waitlists_left": [g.name for g in outcome.waitlists_left],
        },
    )
    return outcome


def open_enrollments(person: Person) -> list[Enrollment]:
    """Enrollments that put the person on a roster from some local today on, or hold a waitlist spot."""
    enrollments = db.session.scalars(
        db.select(Enrollment).where(Enrollment.person_id == person.id).options(db.joinedload(Enrollment.group))
    )
    return [e for e in enrollments if e.waitlisted or e.open_on(clock.today_in(e.group.timezone))]


def leave_group(enrollment: Enrollment, today: date) -> None:
    """Off the rosters from `today` on; a place freed goes to whoever has waited longest."""
    group = enrollment.group
    lock_group(group)
    if enrollment.waitlisted or enrollment.joined_on >= today:
        db.session.delete(enrollment)  # never on a roster before today: nothing of their history is in it
    else:
        enrollment.left_on = today - timedelta(days=1)
    db.session.flush()
    if not enrollment.waitlisted:
        promote_from_waitlist(group, today)


def reactivate(person: Person, actor: Person, reason: str | None = None) -> Person:
    """They can log in again; they rejoin groups only when staff enroll them again."""
    if person.active:
        raise Conflict(message=_("%(name)s is already active.", name=person.name))
    reason = checked_text("reason", reason, 500) if (reason or "").strip() else None
    person.active = True
    db.session.flush()
    record_event(person.organization_id, actor, "person.reactivated", person_id=person.id, reason=reason)
    return person
