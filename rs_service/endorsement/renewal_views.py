"""The staff page of renewals: who is met, due and overdue, filterable, and the same list as CSV."""

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from rs_service.clock_hours import clock_hours
from rs_service.endorsement import renewal, renewal_service
from rs_service.endorsement.downloads import CSV, attachment, csv_text
from rs_service.endorsement.forms import CATEGORY_CHOICES, within_date_bounds
from rs_service.endorsement.requirements import today_for
from rs_service.endorsement.views import staff_page

blp = Blueprint("renewals", __name__)

STATUS_CHOICES = [
    ("", lazy_gettext("Everyone endorsed")),
    (renewal.OVERDUE, lazy_gettext("Overdue")),
    (renewal.DUE, lazy_gettext("Due (still short)")),
    (renewal.MET, lazy_gettext("Met")),
]
CSV_HEADER = (
    "person_id",
    "name",
    "email",
    "category",
    "status",
    "endorsed_since",
    "due_on",
    "days_left",
    "required_hours",
    "counted_hours",
    "short_hours",
    "counted_from",
)


class RenewalFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    status = SelectField(lazy_gettext("Status"), choices=STATUS_CHOICES, validators=[Optional()])
    category = SelectField(
        lazy_gettext("Endorsement"), choices=[("", lazy_gettext("Any")), *CATEGORY_CHOICES], validators=[Optional()]
    )
    as_of = DateField(lazy_gettext("As of"), validators=[Optional(), within_date_bounds])


@blp.route("/endorsement/renewals")
@staff_page
def index():
    organization = current_user.organization
    form = RenewalFilterForm(request.args)
    if request.args and not form.validate():
        return render_template("endorsement/renewals.html", form=form, people=[], as_of=None), 422
    as_of = form.as_of.data or today_for(organization)
    people = [
        endorsed
        for endorsed in renewal_service.renewals(organization, as_of, form.status.data or None)
        if not form.category.data or endorsed.renewal.category == form.category.data
    ]
    if request.args.get("format") == "csv":
        return attachment(csv_text(CSV_HEADER, (csv_row(e) for e in people)), CSV, f"renewals-{as_of.isoformat()}.csv")
    return render_template("endorsement/renewals.html", form=form, people=people, as_of=as_of)


def csv_row(endorsed: renewal_service.EndorsedPerson) -> tuple:
    person, answer = endorsed.person, endorsed.renewal
    return (
        person.id,
        person.name,
        person.email,
        answer.category,
        answer.status,
        answer.endorsed_since,
        answer.due_on,
        answer.days_left,
        clock_hours(answer.required_minutes),
        clock_hours(answer.counted_minutes),
        clock_hours(answer.shortfall_minutes),
        answer.window_start,
    )
