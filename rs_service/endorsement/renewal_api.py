"""/api/v1 answers about renewal: one person's, and the association's list of endorsed people."""

import marshmallow as ma
from marshmallow import RAISE, validate

from rs_service import policy
from rs_service.accounts.auth import caller, token_auth
from rs_service.endorsement import renewal, renewal_service
from rs_service.endorsement.requirements import today_for
from rs_service.endorsement.schemas import category, day
from rs_service.errors import ApiBlueprint
from rs_service.schemas import StrictSchema

blp = ApiBlueprint("renewal_api", __name__, url_prefix="/api/v1", description="Renewal of endorsements held")


class RenewalQuerySchema(StrictSchema):
    as_of = day(load_default=None, metadata={"description": "default: today in the association's time zone"})
    category = category(load_default=None, metadata={"description": "default: the endorsement the person renews"})


class RenewalListQuerySchema(StrictSchema):
    as_of = day(load_default=None, metadata={"description": "default: today in the association's time zone"})
    status = ma.fields.String(load_default=None, validate=validate.OneOf(renewal.STATUSES))


class RenewalSchema(ma.Schema):
    category = ma.fields.String(allow_none=True, metadata={"description": "null when not endorsed"})
    endorsed_since = ma.fields.Date(allow_none=True)
    due_on = ma.fields.Date(allow_none=True)
    required_minutes = ma.fields.Integer()
    counted_minutes = ma.fields.Integer()
    status = ma.fields.String(metadata={"description": ", ".join(renewal.STATUSES)})
    window_start = ma.fields.Date(allow_none=True, metadata={"description": "RSC counts from this day"})
    window_end = ma.fields.Date(allow_none=True, metadata={"description": "to this one (the due date)"})
    days_left = ma.fields.Integer(allow_none=True, metadata={"description": "negative once the due date passed"})
    reasons = ma.fields.List(ma.fields.String())
    counted_entry_ids = ma.fields.List(ma.fields.Integer())


class EndorsedPersonSchema(RenewalSchema):
    person_id = ma.fields.Integer()
    name = ma.fields.String()
    email = ma.fields.String()


RENEWAL_FIELDS = tuple(RenewalSchema().fields)


def renewal_record(answer: renewal.Renewal) -> dict:
    return {**{name: getattr(answer, name) for name in RENEWAL_FIELDS}, "category": answer.category or None}


def endorsed_person_record(endorsed: renewal_service.EndorsedPerson) -> dict:
    person = endorsed.person
    return {**renewal_record(endorsed.renewal), "person_id": person.id, "name": person.name, "email": person.email}


@blp.route("/people/<int:person_id>/renewal", methods=["GET"])
@blp.errors(401, 403, 404)
@token_auth
@blp.arguments(RenewalQuerySchema, location="query", unknown=RAISE)
@blp.response(200, RenewalSchema)
def get_renewal(query, person_id):
    """Staff, or the person: their renewal as of `as_of`."""
    person = policy.visible_person(caller(), person_id)
    as_of = query["as_of"] or today_for(person.organization)
    return renewal_record(renewal_service.renewal_of(person, as_of, query["category"]))


@blp.route("/renewals", methods=["GET"])
@blp.errors(401, 403)
@token_auth
@blp.arguments(RenewalListQuerySchema, location="query", unknown=RAISE)
@blp.response(200, EndorsedPersonSchema(many=True))
def list_renewals(query):
    """Staff: every endorsed person of the association with their renewal, overdue first, then due."""
    policy.require_staff(caller())
    organization = caller().organization
    found = renewal_service.renewals(organization, query["as_of"] or today_for(organization), query["status"])
    return [endorsed_person_record(e) for e in found]
