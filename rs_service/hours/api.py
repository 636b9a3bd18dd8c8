from webargs.flaskparser import abort

from rs_service import policy
from rs_service.accounts.auth import caller, token_auth
from rs_service.accounts.models import Person
from rs_service.errors import ApiBlueprint
from rs_service.hours import corrections, service
from rs_service.hours.schemas import (
    EntrySchema,
    HoursQuerySchema,
    HoursSchema,
    RestampRequestSchema,
    RestampSchema,
    RscCorrectionResultSchema,
    RscCorrectionSchema,
    RscHoursSchema,
)

blp = ApiBlueprint("hours_api", __name__, url_prefix="/api/v1", description="Hours received")


@blp.route("/people/<int:person_id>/rsc-hours", methods=["POST"])
@blp.errors(401, 403, 404, 409)
@token_auth
@blp.arguments(RscHoursSchema)
@blp.response(201, EntrySchema)
def record_rsc_hours(body, person_id):
    policy.require_staff(caller())
    person = policy.visible_person(caller(), person_id)
    provider, external = None, None
    if body["provider_id"] is not None:
        provider = policy.find_in_association(Person, body["provider_id"], caller().organization_id)
        if provider is None:
            abort(422, message="No such provider in this association.", errors={"provider_id": ["no such person"]})
    else:
        external = service.ExternalProvider(**body["provider"])
    return service.record_rsc_hours(
        person,
        entry_date=body["date"],
        minutes=body["minutes"],
        format=body["format"],
        actor=caller(),
        provider=provider,
        external=external,
    )


@blp.route("/people/<int:person_id>/rsc-hours/<int:entry_id>/correct", methods=["POST"])
@blp.errors(401, 403, 404, 409)
@token_auth
@blp.arguments(RscCorrectionSchema)
@blp.response(200, RscCorrectionResultSchema)
def correct_rsc_hours(body, person_id, entry_id):
    """Correct (other minutes or date) or void an individual or external entry, with a reason."""
    policy.require_staff(caller())
    entry = corrections.entry_of(policy.visible_person(caller(), person_id), entry_id)
    if entry is None:
        abort(404, message=f"No hours entry {entry_id} for this person.")
    elif body["void"]:
        return corrections.void_rsc_hours(entry, caller(), body["reason"])
    else:
        return corrections.correct_rsc_hours(
            entry, caller(), body["reason"], minutes=body["minutes"], entry_date=body["date"]
        )


@blp.route("/people/<int:person_id>/hours", methods=["GET"])
@blp.errors(401, 403, 404)
@token_auth
@blp.arguments(HoursQuerySchema, location="query", as_kwargs=True)
@blp.response(200, HoursSchema)
def get_hours(person_id, from_=None, to=None):
    return service.hours_of(policy.visible_person(caller(), person_id), from_, to)


@blp.route("/people/<int:person_id>/restamp", methods=["POST"])
@blp.errors(401, 403, 404, 409)
@token_auth
@blp.arguments(RestampRequestSchema)
@blp.response(200, RestampSchema)
def restamp(body, person_id):
    """Restamp the entries this person provided with the credentials now recorded for their dates."""
    policy.require_staff(caller())
    return {"restamped": len(corrections.restamp(policy.visible_person(caller(), person_id), caller(), body["reason"]))}
