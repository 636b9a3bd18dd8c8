from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext
from flask_login import current_user, login_required, login_user, logout_user

from rs_service import clock
from rs_service.accounts.auth import authenticate
from rs_service.accounts.forms import LoginForm
from rs_service.accounts.models import Person
from rs_service.extensions import db, login_manager
from rs_service.groups.service import awaiting_sign_off, schedule_of
from rs_service.i18n import same_site_path

blp = Blueprint("accounts", __name__)

# Main navigation by role.
NAVIGATION = {
    "staff": [
        ("accounts.home", "Home"),
        ("groups.index", "Groups"),
        ("people.index", lazy_gettext("People")),
        ("hours.report", "Hours report"),
        ("endorsement.queue", "Ready to certify"),
        ("endorsement.requirements", "Requirements"),
        ("profile.edit", "Profile"),
    ],
    "facilitator": [
        ("accounts.home", "Home"),
        ("groups.my_sessions", "My sessions"),
        ("groups.my_schedule", "My calendar"),
        ("hours.mine", "My hours"),
        ("profile.edit", "Profile"),
    ],
    "participant": [
        ("accounts.home", "Home"),
        ("groups.my_schedule", "My schedule"),
        ("hours.mine", "My hours"),
        ("profile.edit", "Profile"),
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
def load_person(person_id: str) -> Person | None:
    person = db.session.get(Person, int(person_id)) if person_id.isdigit() else None
    return person if person is not None and person.active else None  # deactivation ends web sessions too


@blp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    form = LoginForm()
    if form.validate_on_submit():
        person = authenticate(form.email.data, form.password.data)
        if person is not None:
            login_user(person)
            return redirect(same_site_path(request.args.get("next"), url_for("accounts.home")))
        form.password.errors.append("Email or password is incorrect.")
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


@blp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("You are logged out.")
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
