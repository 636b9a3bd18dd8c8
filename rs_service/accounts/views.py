from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from rs_service import clock
from rs_service.accounts.auth import LoginRefused, check_login, person_for_session, sign_in, sign_out
from rs_service.accounts.forms import LoginForm
from rs_service.accounts.models import Person
from rs_service.extensions import login_manager
from rs_service.groups.service import awaiting_sign_off, schedule_of
from rs_service.i18n import same_site_path

blp = Blueprint("accounts", __name__)

# Main navigation by role.
NAVIGATION = {
    "staff": [
        ("accounts.home", _l("Home")),
        ("groups.index", _l("Groups")),
        ("people.index", _l("People")),
        ("hours.report", _l("Hours report")),
        ("endorsement.queue", _l("Ready to certify")),
        ("records.certificate_register", _l("Certificates")),
        ("renewals.index", _l("Renewals")),
        ("endorsement.requirements", _l("Requirements")),
        ("profile.edit", _l("Profile")),
    ],
    "facilitator": [
        ("accounts.home", _l("Home")),
        ("groups.my_sessions", _l("My sessions")),
        ("groups.my_schedule", _l("My calendar")),
        ("hours.mine", _l("My hours")),
        ("profile.edit", _l("Profile")),
    ],
    "participant": [
        ("accounts.home", _l("Home")),
        ("groups.my_schedule", _l("My schedule")),
        ("hours.mine", _l("My hours")),
        ("profile.edit", _l("Profile")),
    ],
}


@blp.app_context_processor
def navigation():
    def nav_items():
        if not current_user.is_authenticated:
            return []
        return NAVIGATION[current_user.role]

    return {"nav_items": nav_items}


@login_manager.user_loader
def load_person(session_id: str) -> Person | None:
    return person_for_session(session_id)


@blp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            person = check_login(form.email.data, form.password.data)
        except LoginRefused as refusal:
            form.password.errors.append(refusal.message)
            if refusal.wait is not None:
                page = render_template("accounts/login.html", form=form)
                return page, 429, {"Retry-After": str(refusal.wait.seconds)}
        else:
            sign_in(person)
            return redirect(same_site_path(request.args.get("next"), url_for("accounts.home")))
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


@blp.route("/logout", methods=["POST"])
@login_required
def logout():
    sign_out(current_user._get_current_object())
    flash(_("You are logged out."))
    return redirect(url_for("accounts.login"))


@blp.route("/")
@login_required
def home():
    """What each role needs first: upcoming sessions, and rosters waiting to be signed off."""
    now = clock.now()
    upcoming = [
        s
        for _, sessions in schedule_of(current_user)
        for s in sessions
        if s.status == "scheduled" and s.starts_at >= now
    ]
    facilitator_id = None if current_user.role == "staff" else current_user.id
    waiting = (
        awaiting_sign_off(current_user.organization_id, now, facilitator_id)
        if current_user.role != "participant"
        else []
    )
    return render_template(
        f"accounts/home_{current_user.role}.html",
        now=now,
        waiting=waiting,
        upcoming=sorted(upcoming, key=lambda s: s.starts_at)[:5],
    )
