"""/api/v1 records beyond a single certificate: the application transcript and the certificate register."""

import marshmallow as ma
from flask import Response
from flask_babel import force_locale
from marshmallow import RAISE, validate
from webargs.flaskparser import abort
from werkzeug.exceptions import NotFound

from rs_service import policy
from rs_service.accounts.auth import caller, token_auth
from rs_service.database import MAX_ID
from rs_service.endorsement import badges, register, service, transcript
from rs_service.endorsement.downloads import CSV, PDF, attachment
from rs_service.endorsement.requirements import today_for
from rs_service.endorsement.schemas import EligibilityQuerySchema, category
from rs_service.endorsement.transcript_pdf import render_transcript_pdf
from rs_service.errors import ApiBlueprint
from rs_service.schemas import StrictSchema

blp = ApiBlueprint(
    "records_api", __name__, url_prefix="/api/v1", description="Application transcripts and the certificate register"
)


def transcript_of(person, query) -> transcript.Transcript:
    category = query["category"] or person.pursuing_category
    if category is None:
        abort(
            422,
            message="Name a category: this person pursues none.",
            errors={"category": ["required: this person pursues no category"]},
        )
    return transcript.transcript_for(person, category, query["as_of"] or today_for(person.organization))


@blp.route("/people/<int:person_id>/transcript.csv", methods=["GET"])
@blp.errors(401, 403, 404)
@token_auth
@blp.arguments(EligibilityQuerySchema, location="query", unknown=RAISE)
@blp.response(200, content_type="text/csv")
def transcript_csv(query, person_id):
    """Staff, or the person: one row per ledger entry in the window, counted or not, with the reason."""
    found = transcript_of(policy.visible_person(caller(), person_id), query)
    return attachment(found.csv(), CSV, found.file_name("csv"))


@blp.route("/people/<int:person_id>/transcript.pdf", methods=["GET"])
@blp.errors(401, 403, 404)
@token_auth
@blp.arguments(EligibilityQuerySchema, location="query", unknown=RAISE)
@blp.response(200, content_type="application/pdf")
def transcript_pdf(query, person_id):
    """The same transcript as a PDF, for an Endorsement application."""
    person = policy.visible_person(caller(), person_id)
    with force_locale(person.language or "en"):  # the applicant's document, in the applicant's language
        found = transcript_of(person, query)
        pdf = render_transcript_pdf(found)
    return attachment(pdf, PDF, found.file_name("pdf"))


class RegisterQuerySchema(StrictSchema):
    person_id = ma.fields.Integer(load_default=None, validate=validate.Range(1, MAX_ID))
    category = category(load_default=None)
    status = ma.fields.String(load_default=None, validate=validate.OneOf(register.STATUSES))
    under_review = ma.fields.Boolean(load_default=None)
    holder = ma.fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    sort = ma.fields.String(load_default=register.DEFAULT_SORT, validate=validate.OneOf(register.SORT_CHOICES))
    page = ma.fields.Integer(load_default=1, validate=validate.Range(1, 100_000))
    per_page = ma.fields.Integer(load_default=50, validate=validate.Range(1, 200))


class RegisterEntrySchema(ma.Schema):
    code = ma.fields.String()
    verify_url = ma.fields.String()
    person_id = ma.fields.Integer()
    holder = ma.fields.String()
    holder_email = ma.fields.String()
    category = ma.fields.String()
    counted_minutes = ma.fields.Integer()
    hours = ma.fields.String(metadata={"description": "clock hours with two decimals"})
    window_start = ma.fields.Date()
    window_end = ma.fields.Date()
    issued_at = ma.fields.DateTime()
    status = ma.fields.String(metadata={"description": "valid or revoked"})
    revoked_at = ma.fields.DateTime(allow_none=True)
    under_review = ma.fields.Boolean()
    review_since = ma.fields.Date(allow_none=True)
    rule_version = ma.fields.Integer()


class RegisterSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RegisterEntrySchema))
    total = ma.fields.Integer()
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()


@blp.route("/certificates", methods=["GET"])
@blp.errors(401, 403)
@token_auth
@blp.arguments(RegisterQuerySchema, location="query", unknown=RAISE)
@blp.response(200, RegisterSchema)
def list_certificates(query):
    """Staff: the association's certificate register, filtered, sorted and paged."""
    policy.require_staff(caller())
    organization = caller().organization
    found = register.register_page(organization.id, register.RegisterQuery(**query))
    return {
        "items": [register.register_record(c, organization) for c in found.items],
        "total": found.total,
        "page": found.page,
        "per_page": found.per_page,
    }


@blp.route("/certificates/<code>/ob3", methods=["GET"])
@blp.errors(401, 404)
@token_auth
@blp.response(200, content_type="application/jwt")
def open_badge(code):
    """Staff of the issuing association, or the holder: the certificate as a signed Open Badges 3.0
    credential (a VC-JWT, EdDSA). Verify it with the key at /.well-known/jwks.json; its
    credentialStatus names the revocation list to check."""
    certificate = service.certificate_by_code(code)
    if certificate is None or not policy.may_see_certificate_transcript(caller(), certificate):
        raise NotFound("No such certificate.")
    return Response(badges.open_badge_jwt(certificate), mimetype="application/jwt")
