"""The facilitator's attendance page: take the roster on a phone, import a meeting report, sign off."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from rs_service import clock, policy
from rs_service.attendance import meeting_report, service
from rs_service.attendance.forms import STATUS_LABELS, CorrectionForm, ReportUploadForm, RosterForm
from rs_service.attendance.models import STATUSES
from rs_service.attendance.rules import credited_minutes
from rs_service.audit.service import readable_trail, trail
from rs_service.domain_errors import Conflict, InvalidInput
from rs_service.groups.models import Session
from rs_service.groups.service import roster

blp = Blueprint("attendance", __name__)
# The audit trail reads as sentences on every page that shows it (attendance corrections are its first use).
blp.add_app_template_filter(readable_trail, "readable_trail")


def attendance_session(session_id: int) -> Session:
    return policy.authorized(
        current_user,
        Session,
        session_id,
        policy.may_change_session,
        _("Only the group's facilitators or staff take its attendance."),
    )


def typed_marks(people) -> list[service.Mark]:
    """What the form holds, kept as typed so a failed save can show it again."""
    marks = []
    for person in people:
        status = request.form.get(f"status-{person.id}", "")
        minutes = request.form.get(f"minutes-{person.id}", "").strip()
        # isdigit() alone lets through digits int() refuses, like "²"; such minutes count as not given.
        given = minutes.isascii() and minutes.isdigit()
        marks.append(service.Mark(person.id, status, int(minutes) if given else None))
    return marks


def render_page(
    session: Session,
    *,
    marks=None,
    errors=None,
    anchors=None,
    status=200,
    upload_form=None,
    unknown_rows=(),
    late_after=None,
    notice=None,
):
    """The roster; `errors` maps a person id (or "_form") to a message, `anchors` a person id to the field in error."""
    people = roster(session)
    records = service.records_of(session)
    if marks is None:
        marks = [
            service.Mark(p.id, records[p.id].status, records[p.id].minutes)
            if p.id in records
            else service.Mark(p.id, "")
            for p in people
        ]
    errors = errors or {}
    local = session.starts_at.astimezone(ZoneInfo(session.group.timezone))
    return render_template(
        "attendance/take.html",
        session=session,
        group=session.group,
        local_start=local,
        people=people,
        marks={m.person_id: m for m in marks},
        errors=errors,
        summary=error_summary(session, people, errors, anchors or {}),
        records=records,
        statuses=STATUSES,
        labels=STATUS_LABELS,
        form=RosterForm(),
        upload_form=upload_form or ReportUploadForm(),
        correction_form=CorrectionForm(),
        unknown_rows=unknown_rows,
        late_after=late_after,
        notice=notice,
        credited=lambda r: credited_minutes(r.status, r.minutes, session.duration_minutes),
        may_sign_off=policy.may_sign_off(current_user, session),
        started=clock.now() >= session.starts_at,
        events=trail(session.group.organization_id, session_id=session.id) if policy.is_staff(current_user) else [],
    ), status


def error_summary(session: Session, people, errors: dict, anchors: dict[int, str]) -> list[tuple[str | None, str]]:
    """Every problem on the page, in roster order, each with the id of the field to jump to."""
    summary: list[tuple[str | None, str]] = []
    if "_form" in errors:
        summary.append((None, errors["_form"]))
    for person in people:
        if person.id in errors:
            default = f"status-{person.id}" if session.signed_off else f"status-{person.id}-{STATUSES[0]}"
            message = _("%(name)s: %(problem)s", name=person.name, problem=errors[person.id])
            summary.append((anchors.get(person.id, default), message))
    return summary


@blp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@login_required
def take(session_id: int):
    session = attendance_session(session_id)
    if request.method == "GET":
        return render_page(session)
    if not RosterForm().validate_on_submit():
        abort(400, _("The form expired; reload the page and try again."))
    people = roster(session)
    action = request.form.get("action")
    if action == "all_present":
        return render_page(
            session,
            marks=[service.Mark(p.id, "present") for p in people],
            notice=_("Everyone is marked present. Tap anyone who was late, left early or absent, then save."),
        )
    marks = typed_marks(people)
    if action == "link":
        return link_rows(session, people, marks)
    problems = service.mark_problems(session, marks)
    if problems:
        errors: dict = {}
        anchors: dict[int, str] = {}
        for problem in problems:
            person_id = error_person(problem, marks)
            if person_id is None:
                errors.setdefault("_form", problem.message)
            elif person_id not in errors:
                errors[person_id] = problem.message
                field = problem.field.rsplit(".", 1)[-1]
                anchors[person_id] = (
                    f"minutes-{person_id}" if field == "minutes" else f"status-{person_id}-{STATUSES[0]}"
                )
        rows, late_after = unmatched_rows_from_form()  # still there to link after the mistakes are fixed
        return render_page(
            session,
            marks=marks,
            errors=errors,
            anchors=anchors,
            status=422,
            unknown_rows=rows,
            late_after=late_after,
        )
    version = request.form.get("version", type=int)
    try:
        service.save_attendance(session, marks, current_user, version)
        if action == "sign_off":
            policy.require(policy.may_sign_off(current_user, session), _("Only the group's facilitator signs off."))
            service.sign_off(session, current_user)
            flash(_("Attendance saved and signed off. The hours are in the ledger."))
        else:
            flash(_("Attendance saved."))
    except InvalidInput as error:
        person_id = error_person(error, marks)
        return render_page(session, marks=marks, status=422, errors={person_id or "_form": error.message})
    except Conflict as error:
        return render_page(session, marks=marks, status=409, errors={"_form": error.message})
    return redirect(url_for("attendance.take", session_id=session.id))


def error_person(error: InvalidInput, marks: list[service.Mark]) -> int | None:
    """Which person's row a field error like `records.2.minutes` belongs to."""
    parts = error.field.split(".")
    if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(marks):
        return marks[int(parts[1])].person_id
    return None


@blp.route("/sessions/<int:session_id>/attendance/import", methods=["POST"])
@login_required
def import_report(session_id: int):
    """Pre-fill the roster from a meeting report; nothing is saved until the facilitator saves."""
    session = attendance_session(session_id)
    form = ReportUploadForm()
    if not form.validate_on_submit():
        return render_page(session, upload_form=form, status=422)
    try:
        report = meeting_report.parse_meeting_report(form.report.data.read(meeting_report.MAX_REPORT_BYTES + 1))
    except meeting_report.ReportError as error:
        form.report.errors = [str(error)]
        return render_page(session, upload_form=form, status=422)
    people = roster(session)
    matched = meeting_report.suggest_attendance(
        report,
        {p.email: p.id for p in people},
        session.duration_minutes,
        host_emails=[f.email for f in session.group.facilitators],
        host_names=[f.name for f in session.group.facilitators],
    )
    suggested = {s.person_id: service.Mark(s.person_id, s.status, s.minutes) for s in matched.suggestions}
    records = service.records_of(session)
    marks = [
        suggested.get(p.id)
        or (
            service.Mark(p.id, records[p.id].status, records[p.id].minutes)
            if p.id in records
            else service.Mark(p.id, "")
        )
        for p in people
    ]
    return render_page(
        session,
        marks=marks,
        unknown_rows=matched.unknown_rows,
        late_after=matched.late_after,
        notice=_("Filled in from the %(source)s report: check every row, then save.", source=report.source.title()),
    )


MAX_UNMATCHED_ROWS = 500


def unmatched_rows_from_form() -> tuple[list[meeting_report.ReportRow], datetime | None]:
    """The report rows nobody matched, carried in the roster form so each can be linked to a person."""
    count = min(request.form.get("unmatched-count", 0, type=int), MAX_UNMATCHED_ROWS)
    rows = []
    for index in range(max(count, 0)):
        minutes = request.form.get(f"row-{index}-minutes", "")
        rows.append(
            meeting_report.ReportRow(
                name=single_line(request.form.get(f"row-{index}-name", "")),
                email=single_line(request.form.get(f"row-{index}-email", "")) or None,
                minutes=min(int(minutes), 24 * 60) if minutes.isascii() and minutes.isdigit() else 0,
                joined_at=moment(request.form.get(f"row-{index}-joined", "")),
                left_at=None,
            )
        )
    return rows, moment(request.form.get("late-after", ""))


def single_line(value: str) -> str:
    return "".join(c for c in value if c.isprintable())[:200]


def moment(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def link_rows(session: Session, people, marks: list[service.Mark]):
    """Give each unmatched row the facilitator linked to a roster person that person's status; keep the rest."""
    rows, late_after = unmatched_rows_from_form()
    on_roster = {p.id: p for p in people}
    linked: dict[int, list[meeting_report.ReportRow]] = {}
    unlinked = []
    for index, row in enumerate(rows):
        person_id = request.form.get(f"link-{index}", type=int)
        if person_id is not None and person_id in on_roster:
            linked.setdefault(person_id, []).append(row)
        else:
            unlinked.append(row)
    suggested = {
        person_id: meeting_report.suggest_from_rows(person_id, person_rows, session.duration_minutes, late_after)
        for person_id, person_rows in linked.items()
    }
    marks = [
        service.Mark(m.person_id, suggested[m.person_id].status, suggested[m.person_id].minutes)
        if m.person_id in suggested
        else m
        for m in marks
    ]
    names = ", ".join(on_roster[person_id].name for person_id in linked)
    return render_page(
        session,
        marks=marks,
        unknown_rows=unlinked,
        late_after=late_after,
        notice=_("Filled in from the linked rows: %(names)s. Check them, then save.", names=names)
        if linked
        else _("No row was linked to anyone; choose a person for a row first."),
    )


@blp.route("/sessions/<int:session_id>/attendance/<int:person_id>/correct", methods=["POST"])
@login_required
def correct(session_id: int, person_id: int):
    session = attendance_session(session_id)
    form = CorrectionForm()
    if not form.validate_on_submit():
        message = "; ".join(f"{form[name].label.text}: {', '.join(errs)}" for name, errs in form.errors.items())
        return render_page(session, status=422, errors={person_id: message})
    try:
        service.correct(session, person_id, form.status.data, form.minutes.data, form.reason.data, current_user)
    except (InvalidInput, Conflict) as error:
        return render_page(session, status=error.status, errors={person_id: error.message})
    flash(_("Correction recorded, with its reason, in the ledger and the audit trail."))
    return redirect(url_for("attendance.take", session_id=session.id))
