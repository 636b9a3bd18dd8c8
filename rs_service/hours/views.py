import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from rs_service import policy
from rs_service.accounts.models import Person
from rs_service.audit.service import trail
from rs_service.clock_hours import clock_hours
from rs_service.domain_errors import Conflict, InvalidInput
from rs_service.endorsement.rules import Eligibility
from rs_service.endorsement.service import progress_for
from rs_service.errors import put_on_form
from rs_service.extensions import db
from rs_service.groups.service import group_choices
from rs_service.hours import corrections, service
from rs_service.hours.chart import cumulative_chart
from rs_service.hours.forms import (
    FORMAT_LABELS,
    CorrectEntryForm,
    ReportFilterForm,
    RestampForm,
    RscHoursForm,
    VoidEntryForm,
)
from rs_service.hours.models import HourEntry
from rs_service.listing import page_number
from rs_service.urls import id_url

blp = Blueprint("hours", __name__)


@blp.app_template_global("format_label")
def format_label(format: str) -> str:
    """An entry's format (group or individual) in the reader's words."""
    return str(dict(FORMAT_LABELS).get(format, format))


def hours_context(person: Person) -> dict:
    summary = service.hours_of(person)
    progress = progress_for(person)
    counting = Counting.of(progress.eligibility)
    return {
        "person": person,
        "summary": summary,
        "progress": progress,
        "counting": counting,
        "sessions": service.entry_sessions(summary.entries),
        "chart": cumulative_chart(
            [(e.entry_date, e.minutes) for e in counting.chartable(summary)],
            counting.required_minutes,
        ),
    }


@dataclass(frozen=True)
class Counting:
    """Which entries count toward the category pursued, as the progress bar counts them."""

    category: str | None
    required_minutes: int | None
    counted: frozenset[int]
    why_not: dict[int, str]

    @classmethod
    def of(cls, eligibility: Eligibility | None) -> "Counting":
        if eligibility is None or not eligibility.required_minutes:
            return cls(None, None, frozenset(), {})
        return cls(
            eligibility.category,
            eligibility.required_minutes,
            frozenset(eligibility.counted_entry_ids),
            dict(eligibility.excluded),
        )

    def chartable(self, summary: service.HoursSummary) -> list[HourEntry]:
        """Only minutes that can count: those counted toward the category, else everything but peer supervision."""
        if self.category is None:
            return summary.countable_entries
        return [e for e in summary.entries if e.id in self.counted]

    def says(self, entry: HourEntry) -> str:
        if entry.id in self.counted:
            return _("counts")
        return self.why_not.get(entry.id) or _("outside the window")


@blp.route("/my/hours")
@login_required
def mine():
    return render_template("hours/mine.html", **hours_context(current_user))


@blp.route("/people/<int:person_id>/hours", methods=["GET", "POST"])
@login_required
def person(person_id: int):
    """Staff view of one person: hours, progress, audit trail, and individual RSC to record."""
    policy.require_staff(current_user)
    subject = policy.authorized(current_user, Person, person_id)
    form = rsc_form()
    status = 200
    if form.validate_on_submit():
        try:
            record_from_form(subject, form)
            flash(_("Hours recorded."))
            return redirect(url_for("hours.person", person_id=subject.id))
        except InvalidInput as error:
            put_on_form(form, error, form.field_named(error.field))
            status = 422
    elif request.method == "POST":
        status = 422
    return render_person(subject, form), status


def render_person(subject: Person, form: RscHoursForm, restamp_form: RestampForm | None = None) -> str:
    return render_template(
        "hours/person.html",
        form=form,
        events=trail(current_user.organization_id, person_id=subject.id),
        may_correct=True,
        restamp_count=len(corrections.restamp_candidates(subject)),
        restamp_form=restamp_form or RestampForm(formdata=None),
        **hours_context(subject),
    )


@blp.route("/people/<int:person_id>/restamp", methods=["POST"])
@login_required
def restamp(person_id: int):
    """Staff restamp the entries this person provided with the credentials now recorded for their dates."""
    policy.require_staff(current_user)
    subject = policy.authorized(current_user, Person, person_id)
    form = RestampForm()
    if form.validate_on_submit():
        try:
            changed = corrections.restamp(subject, current_user, form.reason.data)
        except InvalidInput as error:
            put_on_form(form, error, form.reason)
        else:
            flash(
                ngettext(
                    "%(num)s entry restamped with the credentials now on record.",
                    "%(num)s entries restamped with the credentials now on record.",
                    len(changed),
                )
            )
            return redirect(url_for("hours.person", person_id=subject.id))
    return render_person(subject, rsc_form(), form), 422


@blp.route("/people/<int:person_id>/hours/<int:entry_id>/correct", methods=["GET", "POST"])
@login_required
def correct_entry(person_id: int, entry_id: int):
    """Staff correct the minutes or date of individual or external RSC, or void it, with a reason."""
    subject, entry = correctable_entry(person_id, entry_id)
    form = CorrectEntryForm(data={"minutes": entry.minutes, "entry_date": entry.entry_date})
    if form.validate_on_submit():
        try:
            corrections.correct_rsc_hours(
                entry, current_user, form.reason.data, minutes=form.minutes.data, entry_date=form.entry_date.data
            )
        except (InvalidInput, Conflict) as error:
            put_on_form(form, error, form.field_named(error.field))
        else:
            flash(_("Hours corrected; the old entry is reversed and kept in the ledger."))
            return redirect(url_for("hours.person", person_id=subject.id))
    return render_correction(subject, entry, form, VoidEntryForm(formdata=None))


@blp.route("/people/<int:person_id>/hours/<int:entry_id>/void", methods=["POST"])
@login_required
def void_entry(person_id: int, entry_id: int):
    subject, entry = correctable_entry(person_id, entry_id)
    form = VoidEntryForm()
    if form.validate_on_submit():
        try:
            corrections.void_rsc_hours(entry, current_user, form.reason.data)
        except (InvalidInput, Conflict) as error:
            put_on_form(form, error, form.reason)
        else:
            flash(_("Hours voided; the entry is reversed and kept in the ledger."))
            return redirect(url_for("hours.person", person_id=subject.id))
    correct_form = CorrectEntryForm(formdata=None, data={"minutes": entry.minutes, "entry_date": entry.entry_date})
    return render_correction(subject, entry, correct_form, form)


def correctable_entry(person_id: int, entry_id: int):
    policy.require_staff(current_user)
    subject = policy.authorized(current_user, Person, person_id)
    entry = corrections.entry_of(subject, entry_id)
    if entry is None:
        abort(404)
    return subject, entry


def render_correction(subject: Person, entry: HourEntry, correct_form, void_form):
    try:
        corrections.check_correctable(entry)
        refusal = None
    except Conflict as error:
        refusal = error.message
    status = 422 if request.method == "POST" else 200
    return render_template(
        "hours/correct.html",
        person=subject,
        entry=entry,
        correct_form=correct_form,
        void_form=void_form,
        refusal=refusal,
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
            raise InvalidInput(
                field="provider", message=_("An external provider needs their endorsement and its number.")
            )
        external = service.ExternalProvider(
            form.external_name.data,
            form.external_category.data,
            form.external_number.data,
            form.external_valid_from.data,
            form.external_valid_until.data,
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
    policy.require_staff(current_user)
    form = ReportFilterForm(request.args)
    form.group.choices = [(0, _("All participants")), *group_choices(current_user.organization_id)]
    sort = request.args.get("sort", "name")
    sort = sort if sort in service.REPORT_SORTS else "name"
    if request.args and not form.validate():
        return render_template("hours/report.html", form=form, page=None, rows=[], sort=sort), 422
    chosen = (current_user.organization_id, form.start.data, form.end.data, form.group.data or None, form.q.data or "")
    if request.args.get("format") == "csv":
        return csv_response(service.hours_report(*chosen, sort))
    page = service.hours_report_page(*chosen, sort, page_number(request.args.get("page")))
    return render_template(
        "hours/report.html",
        form=form,
        page=page,
        rows=page.items,
        sort=sort,
        person_url=id_url("hours.person", "person_id"),
    )


CSV_HEADER = (
    "person_id",
    "name",
    "email",
    "pursuing_category",
    "group_hours",
    "individual_hours",
    "total_hours",
    "total_minutes",
    "sessions",
    "peer_hours",
    "counting_hours",
)


def csv_response(rows: Iterable[service.ReportRow]) -> Response:
    """The report as CSV, written while its rows are fetched: memory stays flat whatever the association's size."""
    return Response(
        stream_with_context(csv_lines(rows)),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="rsc-hours.csv"'},
    )


def csv_lines(rows: Iterable[service.ReportRow]) -> Iterator[str]:
    """The header, then one chunk of CSV per batch of rows, each row escaped by the csv module."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for number, row in enumerate(rows, start=1):
        writer.writerow(
            [
                row.person_id,
                spreadsheet_safe(row.name),
                spreadsheet_safe(row.email),
                row.pursuing_category or "",
                clock_hours(row.group_minutes),
                clock_hours(row.individual_minutes),
                clock_hours(row.total_minutes),
                row.total_minutes,
                row.sessions,
                clock_hours(row.peer_minutes),
                clock_hours(row.counting_minutes),
            ]
        )
        if number % CSV_ROWS_PER_CHUNK == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


CSV_ROWS_PER_CHUNK = 500


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
