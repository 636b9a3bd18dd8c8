from datetime import date

from webargs.flaskparser import abort

from rs_service import clock, policy
from rs_service.accounts.auth import caller, token_auth
from rs_service.accounts.models import Person
from rs_service.errors import ApiBlueprint
from rs_service.groups import service
from rs_service.groups.editing import edit_group
from rs_service.groups.models import Group, Session
from rs_service.groups.schemas import (
    CancelSchema,
    EnrollmentSchema,
    EnrollSchema,
    GroupChangeSchema,
    GroupCreateSchema,
    GroupSchema,
    SeriesChangeSchema,
    SessionChangeSchema,
    SessionSchema,
    WithdrawSchema,
)

blp = ApiBlueprint("groups_api", __name__, url_prefix="/api/v1", description="Groups, sessions, enrollments")


def visible_group(group_id: int) -> Group:
    return policy.authorized(
        caller(),
        Group,
        group_id,
        policy.may_view_group,
        "Only staff, the group's facilitators and its members may see it.",
    )


def managed_group(group_id: int) -> Group:
    policy.require_staff(caller())
    return visible_group(group_id)


def changeable_session(session_id: int) -> Session:
    return policy.authorized(
        caller(),
        Session,
        session_id,
        policy.may_change_session,
        "Only staff or the group's facilitators may change its sessions.",
    )


def with_count(group: Group) -> Group:
    group.session_count = service.session_count(group.id)
    return group


def today_in(group: Group) -> date:
    return clock.today_in(group.timezone)


@blp.route("/groups", methods=["POST"])
@blp.errors(401, 403, 409)
@token_auth
@blp.arguments(GroupCreateSchema)
@blp.response(201, GroupSchema)
def create_group(body):
    policy.require_staff(caller())
    plan = service.GroupPlan(
        facilitator_ids=tuple(body.pop("facilitator_ids")), blackout_dates=frozenset(body.pop("blackout_dates")), **body
    )
    return with_count(service.create_group(caller().organization_id, plan))


@blp.route("/groups", methods=["GET"])
@blp.errors(401, 403)
@token_auth
@blp.response(200, GroupSchema(many=True))
def list_groups():
    policy.require_staff(caller())
    groups = list(service.groups_of(caller().organization_id))
    counts = service.session_counts([g.id for g in groups])
    for group in groups:
        group.session_count = counts.get(group.id, 0)
    return groups


@blp.route("/groups/<int:group_id>", methods=["GET"])
@blp.errors(401, 403, 404)
@token_auth
@blp.response(200, GroupSchema)
def get_group(group_id):
    return with_count(visible_group(group_id))


@blp.route("/groups/<int:group_id>", methods=["PATCH"])
@blp.errors(401, 403, 404, 409)
@token_auth
@blp.arguments(GroupChangeSchema)
@blp.response(200, GroupSchema)
def change_group(body, group_id):
    """Feeds show the change at their next fetch; people already sent an invite get an updated one."""
    group = managed_group(group_id)
    edit_group(group, body, caller())
    return with_count(group)


@blp.route("/groups/<int:group_id>/series", methods=["POST"])
@blp.errors(401, 403, 404, 409)
@token_auth
@blp.arguments(SeriesChangeSchema)
@blp.response(200, SessionSchema(many=True))
def change_series(body, group_id):
    return service.change_series_from(managed_group(group_id), **body)


@blp.route("/groups/<int:group_id>/sessions", methods=["GET"])
@blp.errors(401, 403, 404)
@token_auth
@blp.response(200, SessionSchema(many=True))
def list_sessions(group_id):
    return service.sessions_of(visible_group(group_id))


@blp.route("/sessions/<int:session_id>", methods=["PATCH"])
@blp.errors(401, 403, 404, 409)
@token_auth
@blp.arguments(SessionChangeSchema)
@blp.response(200, SessionSchema)
def reschedule(body, session_id):
    return service.reschedule_session(changeable_session(session_id), **body)


@blp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@blp.errors(401, 403, 404, 409)
@token_auth
@blp.arguments(CancelSchema)
@blp.response(200, SessionSchema)
def cancel(body, session_id):
    return service.cancel_session(changeable_session(session_id), body["reason"])


@blp.route("/groups/<int:group_id>/enrollments", methods=["POST"])
@blp.errors(401, 403, 404, 409)
@token_auth
@blp.arguments(EnrollSchema)
@blp.response(201, EnrollmentSchema)
def enroll(body, group_id):
    group = managed_group(group_id)
    person = policy.find_in_association(Person, body["person_id"], caller().organization_id)
    if person is None:
        abort(422, message="No such person in this association.", errors={"person_id": ["no such person"]})
    return service.enroll(group, person, body["joined_on"] or today_in(group), waitlist=body["waitlist"])


@blp.route("/groups/<int:group_id>/enrollments", methods=["GET"])
@blp.errors(401, 403, 404)
@token_auth
@blp.response(200, EnrollmentSchema(many=True))
def list_enrollments(group_id):
    return service.enrollments_of(managed_group(group_id))


@blp.route("/groups/<int:group_id>/enrollments/<int:person_id>/withdraw", methods=["POST"])
@blp.errors(401, 403, 404, 409)
@token_auth
@blp.arguments(WithdrawSchema)
@blp.response(200, EnrollmentSchema)
def withdraw(body, group_id, person_id):
    return service.withdraw(managed_group(group_id), person_id, body["left_on"])
