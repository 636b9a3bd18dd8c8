"""/api/v1 records beyond a single certificate: the application transcript and the certificate register."""

from flask_smorest import Blueprint, abort
from marshmallow import RAISE

from rs_service.accounts.api import visible_person
from rs_service.accounts.auth import token_auth
from rs_service.endorsement import transcript
from rs_service.endorsement.downloads import CSV, PDF, attachment
from rs_service.endorsement.requirements import today_for
from rs_service.endorsement.schemas import EligibilityQuerySchema
from rs_service.endorsement.transcript_pdf import render_transcript_pdf

blp = Blueprint(
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
@token_auth
@blp.arguments(EligibilityQuerySchema, location="query", unknown=RAISE)
@blp.response(200, content_type="text/csv")
def transcript_csv(query, person_id):
    """Staff, or the person: one row per ledger entry in the window, counted or not, with the reason."""
    found = transcript_of(visible_person(person_id), query)
    return attachment(found.csv(), CSV, found.file_name("csv"))


@blp.route("/people/<int:person_id>/transcript.pdf", methods=["GET"])
@token_auth
@blp.arguments(EligibilityQuerySchema, location="query", unknown=RAISE)
@blp.response(200, content_type="application/pdf")
def transcript_pdf(query, person_id):
    """The same transcript as a PDF, for an Endorsement application."""
    found = transcript_of(visible_person(person_id), query)
    return attachment(render_transcript_pdf(found), PDF, found.file_name("pdf"))
