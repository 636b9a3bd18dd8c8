"""The people pages for staff: the directory, adding someone, a person's record, credentials and status,
and the import of many people from a spreadsheet."""

import base64
import binascii

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from rs_service import clock, policy
from rs_service.accounts.models import Person
from rs_service.audit.service import trail
from rs_service.domain_errors import Conflict, InvalidInput
from rs_service.endorsement.views import staff_page
from rs_service.groups.service import group_choices
from rs_service.groups.views import put_on_form
from rs_service.listing import natural_key, page_number
from rs_service.people import importing, service
from rs_service.people.forms import (
    ROLE_LABELS,
    CredentialForm,
    DeactivateForm,
    EndCredentialForm,
    ImportForm,
    PeopleFilterForm,
    PersonForm,
    ReactivateForm,
)

blp = Blueprint("people", __name__)

STATUS_FILTERS = {"active": True, "deactivated": False, "all": None}
PREVIEW_ROWS = 100  # valid rows listed on the preview; every problem is always listed


@blp.app_template_global("role_label")
def role_label(role: str) -> str:
    return str(dict(ROLE_LABELS).get(role, role))


def person_or_404(person_id: int) -> Person:
    return policy.authorized(current_user, Person, person_id)


def me() -> Person:
    return current_user._get_current_object()


def today():
    return clock.today_in(current_user.organization.timezone)


# ----------------------------------------------------------------------------- the directory


@blp.route("/people")
@staff_page
def index():
    form = PeopleFilterForm(request.args)
    form.validate()  # a value that is not one of the choices falls back to the default
    wanted = service.PeopleFilter(
        search=form.q.data or "",
        role=None if form.role.errors else form.role.data or None,
        active=STATUS_FILTERS.get(form.status.data, True),
        sort="name" if form.sort.errors else form.sort.data,
    )
    page = service.directory(current_user.organization_id, wanted, page_number(request.args.get("page")))
    return render_template(
        "people/index.html",
        form=form,
        page=page,
        groups=service.current_groups([p.id for p in page.items], today()),
    )


@blp.route("/people/new", methods=["GET", "POST"])
@staff_page
def new():
    form = PersonForm()
    if form.validate_on_submit():
        try:
            person = service.add_person(current_user.organization, me(), form.changes())
        except (InvalidInput, Conflict) as error:
            put_on_form(form, error)
        else:
            flash(_("%(name)s is added.", name=person.name))
            return redirect(url_for(".detail", person_id=person.id))
    return render_template("people/new.html", form=form), 422 if form.errors else 200


# ----------------------------------------------------------------------------- one person


@blp.route("/people/<int:person_id>")
@staff_page
def detail(person_id: int):
    return render_person(person_or_404(person_id))


def render_person(person: Person, *, edit_form=None, credential_form=None, ending=None, status_form=None, status=200):
    """The person page; a form that failed comes in with its errors, and the page answers 422."""
    events = trail(person.organization_id, person_id=person.id)
    credentials = service.credentials_of(person)
    end_forms = {
        c.id: EndCredentialForm(formdata=None, prefix=f"end-{c.id}", valid_until=c.valid_until) for c in credentials
    }
    if ending is not None:
        end_forms[ending[0]] = ending[1]
    default_status_form = DeactivateForm(formdata=None) if person.active else ReactivateForm(formdata=None)
    return render_template(
        "people/detail.html",
        person=person,
        edit_form=edit_form or PersonForm(formdata=None, data=record_of(person)),
        credentials=credentials,
        credential_form=credential_form or CredentialForm(formdata=None),
        end_forms=end_forms,
        status_form=status_form or default_status_form,
        enrollments=service.enrollments_of(person),
        facilitates=service.facilitated_groups(person),
        events=events,
        deactivation=next((e for e in events if e.action == "person.deactivated"), None),
        today=today(),
        is_me=person.id == current_user.id,
    ), status


def record_of(person: Person) -> dict:
    return {
        "name": person.name,
        "email": person.email,
        "role": person.role,
        "pursuing": person.pursuing_category or "",
        "language": person.language,
    }


@blp.route("/people/<int:person_id>", methods=["POST"])
@staff_page
def change(person_id: int):
    person = person_or_404(person_id)
    form = PersonForm()
    if form.validate_on_submit():
        try:
            changed = service.change_person(person, form.changes(), me())
        except (InvalidInput, Conflict) as error:
            put_on_form(form, error)
        else:
            flash(_("Saved.") if changed else _("Nothing changed."))
            return redirect(url_for(".detail", person_id=person.id))
    return render_person(person, edit_form=form, status=422)


@blp.route("/people/<int:person_id>/credentials", methods=["POST"])
@staff_page
def record_credential(person_id: int):
    person = person_or_404(person_id)
    form = CredentialForm()
    if form.validate_on_submit():
        try:
            credential = service.record_credential(
                person, me(), form.category.data, form.number.data, form.valid_from.data, form.valid_until.data
            )
        except (InvalidInput, Conflict) as error:
            put_on_form(form, error)
        else:
            flash(_("%(category)s %(number)s is recorded.", category=credential.category, number=credential.number))
            return redirect(url_for(".detail", person_id=person.id, _anchor="credentials"))
    return render_person(person, credential_form=form, status=422)


@blp.route("/people/<int:person_id>/credentials/<int:credential_id>/end", methods=["POST"])
@staff_page
def end_credential(person_id: int, credential_id: int):
    person = person_or_404(person_id)
    credential = service.credential_of(person, credential_id)
    if credential is None:
        abort(404, _("No such credential for this person."))
    form = EndCredentialForm(prefix=f"end-{credential.id}")
    if form.validate_on_submit():
        try:
            service.end_credential(credential, me(), form.valid_until.data)
        except (InvalidInput, Conflict) as error:
            put_on_form(form, error, form.valid_until)
        else:
            flash(
                _(
                    "%(category)s %(number)s is valid until the date given.",
                    category=credential.category,
                    number=credential.number,
                )
            )
            return redirect(url_for(".detail", person_id=person.id, _anchor="credentials"))
    return render_person(person, ending=(credential.id, form), status=422)


@blp.route("/people/<int:person_id>/deactivate", methods=["POST"])
@staff_page
def deactivate(person_id: int):
    person = person_or_404(person_id)
    form = DeactivateForm()
    if form.validate_on_submit():
        try:
            outcome = service.deactivate(person, me(), form.reason.data)
        except (InvalidInput, Conflict) as error:
            put_on_form(form, error, form.reason if error.field == "reason" else None)
        else:
            flash(_("%(name)s is deactivated and can no longer log in.", name=person.name))
            if outcome.groups_left or outcome.waitlists_left:
                names = ", ".join(g.name for g in outcome.groups_left + outcome.waitlists_left)
                flash(_("They left these groups from today on: %(groups)s.", groups=names))
            if outcome.still_facilitates:
                names = ", ".join(g.name for g in outcome.still_facilitates)
                flash(
                    _("They still facilitate %(groups)s: give those groups another facilitator.", groups=names), "error"
                )
            return redirect(url_for(".detail", person_id=person.id))
    return render_person(person, status_form=form, status=422)


@blp.route("/people/<int:person_id>/reactivate", methods=["POST"])
@staff_page
def reactivate(person_id: int):
    person = person_or_404(person_id)
    form = ReactivateForm()
    if form.validate_on_submit():
        try:
            service.reactivate(person, me(), form.reason.data)
        except (InvalidInput, Conflict) as error:
            put_on_form(form, error, form.reason if error.field == "reason" else None)
        else:
            flash(
                _(
                    "%(name)s is active again and can log in. Enroll them again in any group they should rejoin.",
                    name=person.name,
                )
            )
            return redirect(url_for(".detail", person_id=person.id))
    return render_person(person, status_form=form, status=422)


# ----------------------------------------------------------------------------- import


@blp.route("/people/import", methods=["GET", "POST"], endpoint="import_people")
@staff_page
def import_people():
    """Upload, preview every problem, then import all or nothing; the checked file rides along in the form."""
    form = ImportForm()
    form.group_id.choices = [(0, _("No group")), *group_choices(current_user.organization_id)]
    if not form.validate_on_submit():
        return render_import(form, status=422 if form.errors else 200)
    data = uploaded_file(form)
    if data is None:
        form.file.errors = [_("Choose the CSV file to import.")]
        return render_import(form, status=422)
    group_id = form.group_id.data or None
    try:
        if request.form.get("action") == "import":
            check, outcome = importing.import_people(
                current_user.organization, me(), data, group_id, invite=form.invite.data
            )
        else:
            check, outcome = importing.check_import(current_user.organization, data, group_id), None
    except importing.FileRefused as refusal:
        form.file.errors = [refusal.message]
        return render_import(form, status=422)
    if outcome is None:
        return render_import(form, check=check, status=200 if check.ok else 422)
    flash(imported_message(outcome, check))
    return redirect(url_for(".index", sort="newest"))


def uploaded_file(form: ImportForm) -> bytes | None:
    """The file just chosen, else the one checked on the preview (carried as base64 in the form)."""
    upload = form.file.data
    if upload and upload.filename:
        data = upload.stream.read(importing.MAX_BYTES + 1)
        form.content.data = base64.b64encode(data).decode("ascii") if len(data) <= importing.MAX_BYTES else ""
        form.file_name.data = upload.filename
        return data
    if form.content.data:
        try:
            return base64.b64decode(form.content.data, validate=True)
        except binascii.Error:
            return None
    return None


def render_import(form: ImportForm, check=None, status=200):
    return render_template(
        "people/import.html",
        form=form,
        check=check,
        max_rows=importing.MAX_ROWS,
        shown_rows=PREVIEW_ROWS,
    ), status


def imported_message(outcome: importing.ImportOutcome, check: importing.ImportCheck) -> str:
    message = ngettext("%(num)d person imported.", "%(num)d people imported.", len(outcome.created))
    if outcome.enrolled:
        names = ", ".join(sorted({g.name for g in check.groups.values()}, key=natural_key))
        message += " " + ngettext(
            "%(num)d enrolled in %(groups)s.", "%(num)d enrolled in %(groups)s.", outcome.enrolled, groups=names
        )
    if outcome.invited:
        message += " " + ngettext("%(num)d invitation sent.", "%(num)d invitations sent.", outcome.invited)
    return message
