from webargs.flaskparser import abort

from rs_service import policy
from rs_service.accounts import invitations, service
from rs_service.accounts.auth import (
    LoginRefused,
    caller,
    check_login,
    current_token,
    issue_api_token,
    revoke_token,
    token_auth,
)
from rs_service.accounts.schemas import (
    CredentialCreateSchema,
    CredentialSchema,
    InvitationSchema,
    PersonCreateSchema,
    PersonSchema,
    TokenRequestSchema,
    TokenSchema,
)
from rs_service.errors import ApiBlueprint

blp = ApiBlueprint("people_api", __name__, url_prefix="/api/v1", description="People and tokens")


@blp.route("/auth/tokens", methods=["POST"])
@blp.errors(401, 429)
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
def create_token(body):
    try:
        person = check_login(body["email"], body["password"])
    except LoginRefused as refusal:
        if refusal.wait is not None:
            abort(429, message=refusal.message, headers={"Retry-After": str(refusal.wait.seconds)})
        abort(401, message=refusal.message)
    issued = issue_api_token(person)
    return {"token": issued.secret, "expires_at": issued.expires_at}


@blp.route("/auth/tokens/current", methods=["DELETE"])
@blp.errors(401)
@token_auth
@blp.response(204)
def revoke_current_token():
    """Revoke the token that made this request; it answers 401 from then on."""
    revoke_token(current_token())


@blp.route("/people", methods=["POST"])
@blp.errors(401, 403, 409)
@token_auth
@blp.arguments(PersonCreateSchema)
@blp.response(201, PersonSchema)
def create_person(body):
    policy.require_staff(caller())
    return service.create_person(caller().organization, **body)


@blp.route("/people/<int:person_id>", methods=["GET"])
@blp.errors(401, 403, 404)
@token_auth
@blp.response(200, PersonSchema)
def get_person(person_id):
    return policy.visible_person(caller(), person_id)


@blp.route("/people/<int:person_id>/credentials", methods=["POST"])
@blp.errors(401, 403, 404, 409)
@token_auth
@blp.arguments(CredentialCreateSchema)
@blp.response(201, CredentialSchema)
def add_credential(body, person_id):
    policy.require_staff(caller())
    person = policy.visible_person(caller(), person_id)
    return service.add_credential(person, **body)


@blp.route("/people/<int:person_id>/invite", methods=["POST"])
@blp.errors(401, 403, 404, 409, 422)
@token_auth
@blp.response(202, InvitationSchema)
def invite_person(person_id):
    """Email the person a single-use link to set their password, valid 7 days; older links stop working."""
    policy.require_staff(caller())
    person = policy.visible_person(caller(), person_id)
    link = invitations.invite(person)
    return {"person_id": person.id, "expires_at": link.expires_at}
