"""Endorsement pages: the ready-to-certify queue, evidence packets, certificates, requirement versions,
and the public verification page."""

import functools
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, lazy_gettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from rs_service import policy
from rs_service.accounts.models import Person
from rs_service.domain_errors import Conflict, InvalidInput
from rs_service.endorsement import requirements as rulesets
from rs_service.endorsement import rules, service
from rs_service.endorsement.baseline import BASELINE_REQUIREMENTS
from rs_service.endorsement.categories import CATEGORY_CODES, CATEGORY_NAMES
from rs_service.endorsement.downloads import PDF, attachment
from rs_service.endorsement.forms import (
    ClearReviewForm,
    EvidenceQueryForm,
    IssueCertificateForm,
    RequirementForm,
    RequirementSetForm,
    RevokeForm,
)
from rs_service.endorsement.pdf import render_certificate_pdf
from rs_service.listing import matches, page_number, page_of_list

blp = Blueprint("endorsement", __name__)


# ----------------------------------------------------------------------------- template helpers


@blp.app_template_filter("clock_hours")
def clock_hours(minutes: int) -> str:
    return rules.format_hours(minutes)


@blp.app_template_filter("category_name")
def category_name(code: str | None) -> str:
    return CATEGORY_NAMES.get(code, code) if code else ""


@blp.app_template_global("format_name")
def format_name(code: str) -> str:
    """An hour entry's format as a reader says it."""
    return str(ENTRY_FORMATS.get(code, code))


ENTRY_FORMATS = {"group": lazy_gettext("group"), "individual": lazy_gettext("individual")}

blp.add_app_template_global(service.credential_snapshot, "credential_snapshot")
blp.add_app_template_global(service.session_label, "session_label")


@blp.app_template_global("progress_percent")
def progress_percent(counted: int, required: int) -> int:
    return 100 if required <= 0 else min(100, counted * 100 // required)


def staff_page(view):
    @functools.wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not policy.is_staff(current_user):
            abort(403, description=_("Only staff of the association may see this page."))
        return view(*args, **kwargs)

    return wrapper


def person_or_404(person_id: int):
    return policy.authorized(current_user, Person, person_id)


def certificate_or_404(code: str):
    certificate = service.certificate_in_association(code, current_user.organization_id)
    if certificate is None:
        abort(404)
    return certificate


def today() -> date:
    return rulesets.today_for(current_user.organization)


# ----------------------------------------------------------------------------- queue and evidence


@blp.route("/endorsement/queue")
@staff_page
def queue():
    within_hours = request.args.get("within_hours", default=service.NEAR_MINUTES // 60, type=int)
    within_hours = min(max(within_hours, 0), 100)
    search = request.args.get("q", "").strip()[:200]
    sort = request.args.get("sort", "ready")
    sort = sort if sort in QUEUE_SORTS else "ready"
    candidates = service.ready_to_certify(current_user.organization, within_minutes=within_hours * 60)
    found = [c for c in candidates if not search or matches(search, c.person.name, c.person.email)]
    page = page_of_list(QUEUE_SORTS[sort](found), page_number(request.args.get("page")))
    flagged = service.certificates_for_review(current_user.organization_id)
    return render_template(
        "endorsement/queue.html",
        candidates=page.items,
        page=page,
        search=search,
        sort=sort,
        flagged=flagged,
        within_hours=within_hours,
        as_of=today(),
    )


# The queue comes ready-first (eligible, then the fewest hours short); or by name or category.
QUEUE_SORTS = {
    "ready": lambda candidates: candidates,
    "name": lambda candidates: sorted(candidates, key=lambda c: (c.person.name.casefold(), c.person.id)),
    "-name": lambda candidates: sorted(candidates, key=lambda c: (c.person.name.casefold(), c.person.id), reverse=True),
    "category": lambda candidates: sorted(candidates, key=lambda c: (c.result.category, c.shortfall_minutes)),
    "-category": lambda candidates: sorted(
        candidates, key=lambda c: (c.result.category, -c.shortfall_minutes), reverse=True
    ),
}


@blp.route("/endorsement/people/<int:person_id>")
@staff_page
def evidence(person_id: int):
    person = person_or_404(person_id)
    query = EvidenceQueryForm(
        formdata=request.args or None, data={"category": person.pursuing_category, "as_of": today()}
    )
    if request.args and not query.validate():
        return render_template("endorsement/evidence.html", person=person, query=query, packet=None), 422
    if not query.category.data:
        return render_template("endorsement/evidence.html", person=person, query=query, packet=None)
    return render_evidence(person, query, query.category.data, query.as_of.data or today())


@blp.route("/endorsement/people/<int:person_id>/certificates", methods=["POST"])
@staff_page
def issue(person_id: int):
    person = person_or_404(person_id)
    form = IssueCertificateForm()
    if not form.validate():
        abort(422, description=_("The request named no valid category or date; reload the evidence packet."))
    category, as_of = form.category.data, form.as_of.data
    try:
        certificate = service.issue_certificate(
            person, category, current_user, as_of=as_of, evidence=form.evidence.data or None
        )
    except service.AlreadyCertified as refusal:
        # A second click (or a colleague a moment earlier): show the certificate that stands.
        flash(
            _(
                "This certificate was already issued to %(name)s for %(category)s; nothing new was issued.",
                name=person.name,
                category=category,
            )
        )
        return redirect(url_for(".certificate", code=refusal.certificate.code))
    except (InvalidInput, Conflict) as refusal:
        query = EvidenceQueryForm(formdata=None, data={"category": category, "as_of": as_of})
        return render_evidence(person, query, category, as_of, refusal=refusal), refusal.status
    flash(_("Certificate issued to %(name)s for %(category)s.", name=person.name, category=category))
    return redirect(url_for(".certificate", code=certificate.code))


@blp.route("/endorsement/people/<int:person_id>/certificates/new")
@staff_page
def confirm_issue(person_id: int):
    """Issuing asks first: the judgement and every entry it counts, then one button."""
    person = person_or_404(person_id)
    query = EvidenceQueryForm(formdata=request.args)
    if not query.validate():
        abort(422, description=_("Choose the category and date to certify from the evidence packet."))
    category, as_of = query.category.data, query.as_of.data or today()
    packet = evidence_packet(person, category, as_of)
    issue_form = IssueCertificateForm(
        formdata=None,
        data={"category": category, "as_of": as_of, "evidence": service.evidence_fingerprint(packet["assessment"])},
    )
    return render_template("endorsement/confirm_issue.html", person=person, packet=packet, issue_form=issue_form)


def render_evidence(person, query, category: str, as_of: date, refusal=None):
    packet = evidence_packet(person, category, as_of)
    return render_template("endorsement/evidence.html", person=person, query=query, packet=packet, refusal=refusal)


def evidence_packet(person, category: str, as_of: date) -> dict:
    assessment = service.assess(person, category, as_of)
    entries = list(assessment.entries.values())
    counted_sessions = {e.session_id for e in assessment.counted_entries if e.session_id is not None}
    certificates = service.certificates_of(person)
    result = assessment.result
    already_certified = next(
        (
            c
            for c in certificates
            if c.category == category
            and (c.window_start, c.window_end) == (result.window_start, result.window_end)
            and c.status == "valid"
        ),
        None,
    )
    return {
        "assessment": assessment,
        "as_of": as_of,
        "sessions": service.sessions_by_id(entries),
        "trail": service.evidence_trail(person, counted_sessions),
        "certificates": certificates,
        "already_certified": already_certified,
        "may_issue": (
            result.eligible and assessment.requirement.rsc_required and as_of <= today() and already_certified is None
        ),
    }


# ----------------------------------------------------------------------------- certificates


@blp.route("/endorsement/certificates/<code>")
@staff_page
def certificate(code: str):
    return render_certificate(certificate_or_404(code))


def render_certificate(certificate, revoke_form=None, review_form=None, refusal=None):
    entries = service.certified_entries(certificate)
    return render_template(
        "endorsement/certificate.html",
        certificate=certificate,
        entries=entries,
        sessions=service.sessions_by_id(entries),
        verify_url=service.verify_url(certificate),
        rule_version=certificate.requirement.requirement_set.version,
        revoke_form=revoke_form or RevokeForm(formdata=None),
        review_form=review_form or ClearReviewForm(formdata=None),
        refusal=refusal,
    )


@blp.route("/endorsement/certificates/<code>.pdf")
@login_required
def certificate_pdf(code: str):
    """Staff of the issuing association, or the holder; everyone else 404, as for an unknown code."""
    certificate = service.certificate_by_code(code)
    if certificate is None or not policy.may_see_certificate_transcript(current_user, certificate):
        abort(404)
    return pdf_response(certificate)


def pdf_response(certificate) -> Response:
    """Named for the holder and category; never cached on the way (a transcript of someone's hours).

    Written in the holder's language, whoever downloads it: it is their certificate.
    """
    with force_locale(certificate.person.language or "en"):
        document = service.certificate_document(certificate, service.verify_url(certificate))
        pdf = render_certificate_pdf(document)
    return attachment(pdf, PDF, service.document_name(certificate, "certificate", "pdf"))


@blp.route("/endorsement/certificates/<code>/revoke", methods=["POST"])
@staff_page
def revoke(code: str):
    certificate = certificate_or_404(code)
    form = RevokeForm()
    if not form.validate():
        return render_certificate(certificate, revoke_form=form), 422
    try:
        service.revoke_certificate(certificate, current_user, form.reason.data)
    except (InvalidInput, Conflict) as refusal:
        return render_certificate(certificate, revoke_form=form, refusal=refusal), refusal.status
    flash(_("Certificate revoked. The public verification page now says so."))
    return redirect(url_for(".certificate", code=code))


@blp.route("/endorsement/certificates/<code>/review", methods=["POST"])
@staff_page
def clear_review(code: str):
    certificate = certificate_or_404(code)
    form = ClearReviewForm()
    if not form.validate():
        return render_certificate(certificate, review_form=form), 422
    try:
        service.clear_review_flag(certificate, current_user, form.note.data)
    except (InvalidInput, Conflict) as refusal:
        return render_certificate(certificate, review_form=form, refusal=refusal), refusal.status
    flash(_("Review recorded: the certificate stands."))
    return redirect(url_for(".certificate", code=code))


@blp.route("/verify/<code>")
def verify(code: str):
    """Public, no login: only what a reviewer needs."""
    certificate = service.certificate_by_code(code)
    if certificate is None:
        abort(404, description=_("No certificate has this code. Check that it was copied completely."))
    response = Response(render_template("endorsement/verify.html", record=service.public_record(certificate)))
    response.headers["Referrer-Policy"] = "no-referrer"  # the code is in the URL
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "no-cache"  # a revocation must show at once
    return response


# ----------------------------------------------------------------------------- requirement sets


@blp.route("/endorsement/requirements")
@staff_page
def requirements():
    in_force = rulesets.requirement_set_in_force(current_user.organization_id, today())
    return render_template(
        "endorsement/requirements.html",
        in_force=in_force,
        today=today(),
        versions=rulesets.requirement_sets(current_user.organization_id),
    )


@blp.route("/endorsement/requirements/<int:version>")
@staff_page
def requirement_set(version: int):
    shown = rulesets.requirement_set_version(current_user.organization_id, version)
    if shown is None:
        abort(404)
    in_force = rulesets.requirement_set_in_force(current_user.organization_id, today())
    return render_template("endorsement/requirement_set.html", shown=shown, in_force=in_force, today=today())


@blp.route("/endorsement/requirements/new", methods=["GET", "POST"])
@staff_page
def new_requirement_set():
    base = rulesets.requirement_set_in_force(current_user.organization_id, today())
    form = RequirementSetForm(data=None if request.method == "POST" else initial_requirements(base))
    if form.validate_on_submit():
        try:
            created = rulesets.new_requirement_set_version(
                current_user.organization,
                current_user,
                effective_from=form.effective_from.data,
                changes=form.changes(),
                note=form.note.data or None,
            )
        except InvalidInput as error:
            form.show_service_error(error)
        else:
            flash(
                _(
                    "Version %(version)s saved, in force from %(date)s.",
                    version=created.version,
                    date=created.effective_from.isoformat(),
                )
            )
            return redirect(url_for(".requirement_set", version=created.version))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("endorsement/new_requirement_set.html", form=form, base=base), status


def initial_requirements(base) -> dict:
    rows = (
        {r.category: rulesets.requirement_values(r) for r in base.requirements}
        if base
        else {row["category"]: row for row in BASELINE_REQUIREMENTS}
    )
    return {
        "effective_from": today(),
        "requirements": [RequirementForm.initial(rows[code]) for code in CATEGORY_CODES if code in rows],
    }
