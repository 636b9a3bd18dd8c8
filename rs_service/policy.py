"""Who may do what, decided here for pages and API alike; and lookups scoped to an association."""

from flask import abort
from flask_babel import gettext as _

from rs_service import clock
from rs_service.accounts.models import Person
from rs_service.database import MAX_ID
from rs_service.extensions import db
from rs_service.groups.models import Enrollment, Group, Session


def is_staff(actor: Person) -> bool:
    return actor.role == "staff"


def may_view_person(actor: Person, person: Person) -> bool:
    return actor.organization_id == person.organization_id and (is_staff(actor) or actor.id == person.id)


def facilitates(actor: Person, group) -> bool:
    return any(f.id == actor.id for f in group.facilitators)


def may_view_group(actor: Person, group) -> bool:
    """Staff, the group's facilitators and its current members; not the waitlist, nor members who left."""
    if actor.organization_id != group.organization_id:
        return False
    if is_staff(actor) or facilitates(actor, group):
        return True
    enrollment = db.session.scalar(
        db.select(Enrollment).where(Enrollment.group_id == group.id, Enrollment.person_id == actor.id)
    )
    return enrollment is not None and enrollment.holds_place_on(clock.today_in(group.timezone))


def may_see_enrollments(actor: Person, group) -> bool:
    """Joined/left dates and the waitlist; members themselves see only who is in the group."""
    return actor.organization_id == group.organization_id and (is_staff(actor) or facilitates(actor, group))


def may_change_session(actor: Person, session) -> bool:
    """Reschedule or cancel one session, and take its attendance."""
    return may_change_sessions_of(actor, session.group)


def may_change_sessions_of(actor: Person, group) -> bool:
    return is_staff(actor) or facilitates(actor, group)


def may_sign_off(actor: Person, session) -> bool:
    return facilitates(actor, session.group)


def require(allowed: bool, refusal: str | None = None) -> None:
    if not allowed:
        abort(403, refusal or _("You may not do this."))


def require_staff(actor: Person) -> None:
    """Create people, groups, enrollments, requirement sets, certificates: staff only."""
    require(is_staff(actor), _("Only staff of the association may do this."))


def visible_person(actor: Person, person_id: int) -> Person:
    """The person, if the actor may see them: staff of their association, or they themselves."""
    return authorized(actor, Person, person_id, may_view_person, _("You may only see your own record."))


def authorized(actor: Person, model, id_: int, may=None, refusal: str | None = None):
    """The row if it is in the actor's association (else 404) and `may(actor, row)` allows it (else 403)."""
    found = find_in_association(model, id_, actor.organization_id)
    if found is None:
        abort(404, _("There is no record %(id)s in your association.", id=id_))
    if may is not None:
        require(may(actor, found), refusal)
    return found


def find_in_association(model, id_: int, organization_id: int):
    """The row with this id if it belongs to the association, else None (callers answer 404)."""
    if not 0 < id_ <= MAX_ID:
        return None
    if model is Session:
        query = db.select(Session).join(Group).where(Session.id == id_, Group.organization_id == organization_id)
    else:
        query = db.select(model).where(model.id == id_, model.organization_id == organization_id)
    return db.session.scalar(query)


def may_see_certificate_transcript(actor: Person, certificate) -> bool:
    """The PDF lists every counted session and provider: staff of the issuer, or the holder."""
    return actor.organization_id == certificate.organization_id and (
        is_staff(actor) or actor.id == certificate.person_id
    )


# The fields of their own record (by their API names) a person who is not staff may change.
SELF_EDITABLE = frozenset({"name", "language"})


def may_change_person(actor: Person, person: Person, fields) -> bool:
    """Staff change anyone's record in their association; anyone else only their own name and language."""
    if actor.organization_id != person.organization_id:
        return False
    return is_staff(actor) or (actor.id == person.id and set(fields) <= SELF_EDITABLE)
