from flask_smorest import Blueprint, abort

from rs_service import policy
from rs_service.accounts import service
from rs_service.accounts.auth import authenticate, caller, issue_token, token_auth
from rs_service.accounts.schemas import (
    CredentialCreateSchema,
    CredentialSchema,
    PersonCreateSchema,
    PersonSchema,
    TokenRequestSchema,
    TokenSchema,
)

blp = Blueprint("people_api", __name__, url_prefix="/api/v1", description="People and tokens")


@blp.route("/auth/tokens", methods=["POST"])
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
def create_token(body):
    person = authenticate(body["email"], body["password"])
    if person is None:
        abort(401, message="Email or password is incorrect.")
    return {"token": issue_token(person)}


@blp.route("/people", methods=["POST"])
@token_auth
@blp.arguments(PersonCreateSchema)
@blp.response(201, PersonSchema)
def create_person(body):
    policy.require_staff(caller())
    return service.create_person(caller().organization, **body)


@blp.route("/people/<int:person_id>", methods=["GET"])
@token_auth
@blp.response(200, PersonSchema)
def get_person(person_id):
    return policy.visible_person(caller(), person_id)


@blp.route("/people/<int:person_id>/credentials", methods=["POST"])
@token_auth
@blp.arguments(CredentialCreateSchema)
@blp.response(201, CredentialSchema)
def add_credential(body, person_id):
    policy.require_staff(caller())
    person = policy.visible_person(caller(), person_id)
    return service.add_credential(person, **body)
