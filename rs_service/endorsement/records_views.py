"""Pages for records beyond one certificate: the certificate register (staff) and the application
transcript (staff and the person)."""

from flask import Blueprint, abort, render_template, request
from flask_babel import force_locale, lazy_gettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from rs_service import policy
from rs_service.accounts.models import Person
from rs_service.endorsement import register, transcript
from rs_service.endorsement.downloads import CSV, PDF, attachment, csv_text
from rs_service.endorsement.forms import CATEGORY_CHOICES, EvidenceQueryForm
from rs_service.endorsement.requirements import today_for
from rs_service.endorsement.transcript_pdf import render_transcript_pdf
from rs_service.endorsement.views import staff_page

blp = Blueprint("records", __name__)


@blp.route("/people/<int:person_id>/transcript.<any(csv, pdf):extension>")
@login_required
def transcript_download(person_id: int, extension: str):
    """Staff of the association, or the person: every entry in the window and why it counted or not."""
    person = policy.authorized(current_user, Person, person_id, policy.may_view_person)
    query = EvidenceQueryForm(formdata=request.args, data={"category": person.pursuing_category})
    if not query.validate():
        abort(422, description=_("Choose an Endorsement category and a date between 2000 and 2100."))
    as_of = query.as_of.data or today_for(person.organization)
    if extension == "csv":
        found = transcript.transcript_for(person, query.category.data, as_of)
        return attachment(found.csv(), CSV, found.file_name("csv"))
    with force_locale(person.language or "en"):  # the applicant's document, in the applicant's language
        found = transcript.transcript_for(person, query.category.data, as_of)
        pdf = render_transcript_pdf(found)
    return attachment(pdf, PDF, found.file_name("pdf"))


class RegisterFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    holder = StringField(lazy_gettext("Holder's name or email"), validators=[Optional(), Length(max=200)])
    category = SelectField(
        lazy_gettext("Category"), choices=[("", lazy_gettext("Any")), *CATEGORY_CHOICES], validators=[Optional()]
    )
    status = SelectField(
        lazy_gettext("Status"),
        choices=[("", lazy_gettext("Any")), ("valid", lazy_gettext("Valid")), ("revoked", lazy_gettext("Revoked"))],
        validators=[Optional()],
    )
    review = SelectField(
        lazy_gettext("Review flag"),
        choices=[
            ("", lazy_gettext("Any")),
            ("yes", lazy_gettext("Flagged for review")),
            ("no", lazy_gettext("Not flagged")),
        ],
        validators=[Optional()],
    )
    sort = SelectField(
        lazy_gettext("Sort"), choices=[(key, key) for key in register.SORT_CHOICES], default=register.DEFAULT_SORT
    )
    page = IntegerField(lazy_gettext("Page"), default=1, validators=[Optional(), NumberRange(1, 100_000)])

    def register_query(self, per_page: int = 50) -> register.RegisterQuery:
        return register.RegisterQuery(
            category=self.category.data or None,
            status=self.status.data or None,
            under_review={"yes": True, "no": False}.get(self.review.data or ""),
            holder=(self.holder.data or "").strip() or None,
            sort=self.sort.data or register.DEFAULT_SORT,
            page=self.page.data or 1,
            per_page=per_page,
        )


@blp.route("/endorsement/certificates")
@staff_page
def certificate_register():
    organization = current_user.organization
    form = RegisterFilterForm(request.args)
    if request.args and not form.validate():
        return render_template("endorsement/register.html", form=form, found=None, records=[]), 422
    query = form.register_query()
    if request.args.get("format") == "csv":
        rows = [
            register.csv_row(register.register_record(c, organization))
            for c in register.register_all(organization.id, query)
        ]
        return attachment(
            csv_text(register.CSV_COLUMNS, rows), CSV, f"certificates-{today_for(organization).isoformat()}.csv"
        )
    found = register.register_page(organization.id, query)
    records = [register.register_record(c, organization) for c in found.items]
    return render_template("endorsement/register.html", form=form, found=found, records=records)
