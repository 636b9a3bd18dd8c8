"""Pages for records beyond one certificate: the application transcript (staff and the person)."""

from flask import Blueprint, abort, request
from flask_login import current_user, login_required

from rs_service import policy
from rs_service.accounts.models import Person
from rs_service.endorsement import transcript
from rs_service.endorsement.downloads import CSV, PDF, attachment
from rs_service.endorsement.forms import EvidenceQueryForm
from rs_service.endorsement.requirements import today_for
from rs_service.endorsement.transcript_pdf import render_transcript_pdf

blp = Blueprint("records", __name__)


@blp.route("/people/<int:person_id>/transcript.<any(csv, pdf):extension>")
@login_required
def transcript_download(person_id: int, extension: str):
    """Staff of the association, or the person: every entry in the window and why it counted or not."""
    person = policy.authorized(current_user, Person, person_id, policy.may_view_person)
    query = EvidenceQueryForm(formdata=request.args, data={"category": person.pursuing_category})
    if not query.validate():
        abort(422, description="Choose an Endorsement category and a date between 2000 and 2100.")
    found = transcript.transcript_for(person, query.category.data, query.as_of.data or today_for(person.organization))
    if extension == "csv":
        return attachment(found.csv(), CSV, found.file_name("csv"))
    return attachment(render_transcript_pdf(found), PDF, found.file_name("pdf"))
