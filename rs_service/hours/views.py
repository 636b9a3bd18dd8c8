import csv
import io

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from rs_service import policy
from rs_service.accounts.models import Person
from rs_service.audit.service import trail
from rs_service.endorsement.service import progress_for
from rs_service.errors import InvalidInput
from rs_service.extensions import db
from rs_service.groups.service import group_choices
from rs_service.hours import service
from rs_service.hours.chart import cumulative_chart
from rs_service.hours.forms import ReportFilterForm, RscHoursForm
from rs_service.listing import page_number

blp = Blueprint("hours", __name__)


def hours_context(person: Person) -> dict:
    summary = service.hours_of(person)
    progress = progress_for(person)
    target = progress.eligibility.required_minutes if progress.eligibility else None
    return {
        "person": person,
        "summary": summary,
        "progress": progress,
        "sessions": service.entry_sessions(summary.entries),
        "chart": cumulative_chart([(e.entry_date, e.minutes) for e in summary.entries], target),
    }


@blp.route("/my/hours")
@login_required
def mine():
    return render_template("hours/mine.html", **hours_context(current_user))


@blp.route("/people/<int:person_id>/hours", methods=["GET", "POST"])
@login_required
def person(person_id: int):
    """Staff view of one person: hours, progress, audit trail, and individual RSC to record."""
    policy.require(policy.is_staff(current_user))
    subject = policy.authorized(current_user, Person, person_id)
    form = rsc_form()
    status = 200
    if form.validate_on_submit():
        try:
            record_from_form(subject, form)
            flash("Hours recorded.")
            return redirect(url_for("hours.person", person_id=subject.id))
        except InvalidInput as error:
            form.provider_id.errors = [error.message]
            status = 422
    elif request.method == "POST":
        status = 422
    return render_template(
        "hours/person.html",
        form=form,
        events=trail(current_user.organization_id, person_id=subject.id),
        **hours_context(subject),
    ), status


def rsc_form() -> RscHoursForm:
    form = RscHoursForm()
    providers = db.session.scalars(
        db.select(Person)
        .where(Person.organization_id == current_user.organization_id, Person.role != "participant")
        .order_by(Person.name)
    )
    form.provider_id.choices = [(0, "–")] + [(p.id, p.name) for p in providers]
    return form


def record_from_form(subject: Person, form: RscHoursForm) -> None:
    provider, external = None, None
    if form.provider_id.data:
        provider = policy.find_in_association(Person, form.provider_id.data, current_user.organization_id)
    elif form.external_name.data:
        if not (form.external_category.data and form.external_number.data):
            raise InvalidInput("provider", "an external provider needs their endorsement and its number")
        external = service.ExternalProvider(
            form.external_name.data, form.external_category.data, form.external_number.data
        )
    service.record_rsc_hours(
        subject,
        entry_date=form.entry_date.data,
        minutes=form.minutes.data,
        format=form.format.data,
        actor=current_user,
        provider=provider,
        external=external,
    )


@blp.route("/hours/report")
@login_required
def report():
    policy.require(policy.is_staff(current_user))
    form = ReportFilterForm(request.args)
    form.group.choices = [(0, "All participants"), *group_choices(current_user.organization_id)]
    sort = request.args.get("sort", "name")
    sort = sort if sort in service.REPORT_SORTS else "name"
    if request.args and not form.validate():
        return render_template("hours/report.html", form=form, page=None, rows=[], sort=sort), 422
    chosen = (current_user.organization_id, form.start.data, form.end.data, form.group.data or None, form.q.data or "")
    if request.args.get("format") == "csv":
        return csv_response(service.hours_report(*chosen, sort))
    page = service.hours_report_page(*chosen, sort, page_number(request.args.get("page")))
    return render_template("hours/report.html", form=form, page=page, rows=page.items, sort=sort)


def csv_response(rows: list[service.ReportRow]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "person_id",
            "name",
            "email",
            "pursuing_category",
            "group_hours",
            "individual_hours",
            "total_hours",
            "total_minutes",
            "sessions",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.person_id,
                spreadsheet_safe(row.name),
                spreadsheet_safe(row.email),
                row.pursuing_category or "",
                f"{row.group_minutes / 60:.2f}",
                f"{row.individual_minutes / 60:.2f}",
                f"{row.total_minutes / 60:.2f}",
                row.total_minutes,
                row.sessions,
            ]
        )
    return Response(
        out.getvalue(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="rsc-hours.csv"'},
    )


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
