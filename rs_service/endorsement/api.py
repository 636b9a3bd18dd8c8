from marshmallow import RAISE
from webargs.flaskparser import abort

from rs_service import policy
from rs_service.accounts.auth import caller, token_auth
from rs_service.accounts.models import Person
from rs_service.endorsement import requirements, service
from rs_service.endorsement.schemas import (
    AsOfQuerySchema,
    CertificateRequestSchema,
    CertificateSchema,
    ConfirmRequestSchema,
    EligibilityQuerySchema,
    EligibilitySchema,
    PublicCertificateSchema,
    RequirementSchema,
    RevokeRequestSchema,
)
from rs_service.endorsement.views import pdf_response
from rs_service.errors import ApiBlueprint

blp = ApiBlueprint(
    "endorsement_api",
    __name__,
    url_prefix="/api/v1",
    description="Endorsement requirements, eligibility and certificates",
)


def person_in_caller_association(person_id: int, field: str | None = None) -> Person:
    person = policy.find_in_association(Person, person_id, caller().organization_id)
    if person is None:
        abort(404, message=f"No person {person_id}.", errors={field: [f"no person {person_id}"]} if field else {})
    return person


def own_certificate(code: str):
    """A certificate of the caller's association; every other code answers 404, as if never issued."""
    certificate = service.certificate_in_association(code, caller().organization_id)
    if certificate is None:
        abort(404, message="No such certificate.")
    return certificate


@blp.route("/requirements", methods=["GET"])
@blp.errors(401)
@token_auth
@blp.arguments(AsOfQuerySchema, location="query", unknown=RAISE)
@blp.response(200, RequirementSchema(many=True))
def list_requirements(query):
    """The association's requirements in force on `as_of` (default today)."""
    as_of = query["as_of"] or requirements.today_for(caller().organization)
    requirement_set = requirements.requirement_set_in_force(caller().organization_id, as_of)
    return requirement_set.requirements if requirement_set else []


@blp.route("/people/<int:person_id>/eligibility", methods=["GET"])
@blp.errors(401, 403, 404)
@token_auth
@blp.arguments(EligibilityQuerySchema, location="query", unknown=RAISE)
@blp.response(200, EligibilitySchema)
def get_eligibility(query, person_id):
    person = person_in_caller_association(person_id)
    if not policy.may_view_person(caller(), person):
        abort(403, message="You may only see your own eligibility.")
    category = query["category"] or person.pursuing_category
    if category is None:
        abort(
            422,
            message="Name a category: this person pursues none.",
            errors={"category": ["required: this person pursues no category"]},
        )
    return service.eligibility_for(person, category, query["as_of"] or requirements.today_for(person.organization))


@blp.route("/certificates", methods=["POST"])
@blp.errors(401, 403, 404, 409)
@token_auth
@blp.arguments(CertificateRequestSchema)
@blp.response(201, CertificateSchema)
def issue_certificate(body):
    policy.require_staff(caller())
    person = person_in_caller_association(body["person_id"], "person_id")
    try:
        certificate = service.issue_certificate(person, body["category"], caller(), as_of=body["as_of"])
    except service.NotEligible as refusal:
        abort(409, message=refusal.message, errors={"reasons": refusal.reasons})
    return service.staff_record(certificate)


@blp.route("/certificates/<code>", methods=["GET"])
@blp.errors(404, 429)
@blp.response(200, PublicCertificateSchema)
def verify_certificate(code):
    """Public: no token. Answers 404 for any code not issued, altered codes included."""
    certificate = service.certificate_by_code(code)
    if certificate is None:
        abort(404, message="No certificate has this code.")
    return service.public_record(certificate)


@blp.route("/certificates/<code>.pdf", methods=["GET"])
@blp.errors(401, 404)
@token_auth
def certificate_pdf(code):
    """The certificate with its transcript: staff of the issuing association, or the holder."""
    certificate = service.certificate_by_code(code)
    if certificate is None or not policy.may_see_certificate_transcript(caller(), certificate):
        abort(404, message="No such certificate.")
    return pdf_response(certificate)


@blp.route("/certificates/<code>/revoke", methods=["POST"])
@blp.errors(401, 403, 404, 409)
@token_auth
@blp.arguments(RevokeRequestSchema)
@blp.response(200, CertificateSchema)
def revoke_certificate(body, code):
    policy.require_staff(caller())
    certificate = service.revoke_certificate(own_certificate(code), caller(), body["reason"])
    return service.staff_record(certificate)


@blp.route("/certificates/<code>/confirm", methods=["POST"])
@blp.errors(401, 403, 404, 409)
@token_auth
@blp.arguments(ConfirmRequestSchema)
@blp.response(200, CertificateSchema)
def confirm_certificate(body, code):
    """Staff reviewed a certificate under review and it stands: it is no longer under review."""
    policy.require_staff(caller())
    certificate = service.clear_review_flag(own_certificate(code), caller(), body["reason"], field="reason")
    return service.staff_record(certificate)
