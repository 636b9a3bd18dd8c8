from flask import abort as http_abort
from flask import request
from flask_babel import gettext as _
from webargs.flaskparser import abort

from rs_service import policy
from rs_service.accounts.auth import caller, token_auth
from rs_service.accounts.schemas import CredentialSchema, PersonSchema
from rs_service.errors import ApiBlueprint
from rs_service.people import importing, service
from rs_service.people.schemas import (
    CredentialEndSchema,
    ImportQuerySchema,
    ImportResultSchema,
    OptionalReasonSchema,
    PeoplePageSchema,
    PeopleQuerySchema,
    PersonChangeSchema,
    ReasonSchema,
)

blp = ApiBlueprint("people_directory_api", __name__, url_prefix="/api/v1", description="The people of an association")


@blp.route("/people", methods=["GET"])
@blp.errors(401, 403)
@token_auth
@blp.arguments(PeopleQuerySchema, location="query")
@blp.response(200, PeoplePageSchema)
def list_people(args):
    policy.require_staff(caller())
    wanted = service.PeopleFilter(args["q"], args["role"], args["active"], args["sort"])
    page = service.directory(caller().organization_id, wanted, args["page"], args["per_page"])
    return {"items": page.items, "total": page.total, "page": page.number, "per_page": page.per_page}


@blp.route("/people/<int:person_id>", methods=["PATCH"])
@blp.errors(401, 403, 404, 409)
@token_auth
@blp.arguments(PersonChangeSchema)
@blp.response(200, PersonSchema)
def change_person(body, person_id):
    person = policy.visible_person(caller(), person_id)
    policy.require(
        policy.may_change_person(caller(), person, body),
        _("You may change only your own name and language."),
    )
    service.change_person(person, body, caller())
    return person


@blp.route("/people/<int:person_id>/deactivate", methods=["POST"])
@blp.errors(401, 403, 404, 409)
@token_auth
@blp.arguments(ReasonSchema)
@blp.response(200, PersonSchema)
def deactivate(body, person_id):
    policy.require_staff(caller())
    person = policy.visible_person(caller(), person_id)
    service.deactivate(person, caller(), body["reason"])
    return person


@blp.route("/people/<int:person_id>/reactivate", methods=["POST"])
@blp.errors(401, 403, 404, 409)
@token_auth
@blp.arguments(OptionalReasonSchema)
@blp.response(200, PersonSchema)
def reactivate(body, person_id):
    policy.require_staff(caller())
    return service.reactivate(policy.visible_person(caller(), person_id), caller(), body.get("reason"))


@blp.route("/people/<int:person_id>/credentials", methods=["GET"])
@blp.errors(401, 403, 404)
@token_auth
@blp.response(200, CredentialSchema(many=True))
def list_credentials(person_id):
    return service.credentials_of(policy.visible_person(caller(), person_id))


@blp.route("/people/<int:person_id>/credentials/<int:credential_id>/end", methods=["POST"])
@blp.errors(401, 403, 404, 409)
@token_auth
@blp.arguments(CredentialEndSchema)
@blp.response(200, CredentialSchema)
def end_credential(body, person_id, credential_id):
    policy.require_staff(caller())
    credential = service.credential_of(policy.visible_person(caller(), person_id), credential_id)
    if credential is None:
        http_abort(404, _("No credential %(id)s for this person.", id=credential_id))
    return service.end_credential(credential, caller(), body["valid_until"])


CSV_TYPES = ("text/csv", "application/csv", "text/plain")


@blp.route("/people/import", methods=["POST"])
@blp.errors(401, 403, 409, 413, 415)
@token_auth
@blp.arguments(ImportQuerySchema, location="query")
@blp.response(200, ImportResultSchema)
@blp.doc(requestBody={"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True})
def import_people(args):
    """People from a CSV with a header row: all of them, or (with any invalid row) none."""
    policy.require_staff(caller())
    if request.mimetype not in CSV_TYPES:
        abort(415, message=_("Send the spreadsheet as the request body with Content-Type: text/csv."))
    data = request.get_data(cache=False)
    organization = caller().organization
    try:
        if args["dry_run"]:
            check, outcome = importing.check_import(organization, data), None
        else:
            check, outcome = importing.import_people(organization, caller(), data)
    except importing.FileRefused as refusal:
        abort(413 if refusal.too_large else 422, message=refusal.message, errors={"file": [refusal.message]})
    if not check.ok:
        abort(
            422,
            message=_("%(count)d rows have problems; nothing was imported.", count=check.rows_with_problems or 1),
            errors={"rows": [{"row": p.row, "field": p.field, "message": p.message} for p in check.problems]},
        )
    if outcome is None:
        return {"created": len(check.rows), "enrolled": check.to_enroll, "invited": 0, "dry_run": True}
    return {"created": len(outcome.created), "enrolled": outcome.enrolled, "invited": outcome.invited, "dry_run": False}
