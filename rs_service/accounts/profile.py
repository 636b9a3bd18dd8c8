"""The person's own profile: for now, whether they get session reminders by email."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField

from rs_service.notifications.service import set_reminders

blp = Blueprint("profile", __name__)


class ReminderForm(FlaskForm):
    reminders_enabled = BooleanField("Email me a reminder with a calendar invitation before each session")


@blp.route("/profile", methods=["GET", "POST"], endpoint="edit")
@login_required
def edit():
    form = ReminderForm(data={"reminders_enabled": current_user.reminders_enabled})
    if form.validate_on_submit():
        set_reminders(current_user._get_current_object(), form.reminders_enabled.data)
        flash("Session reminders are on." if form.reminders_enabled.data else "Session reminders are off.")
        return redirect(url_for("profile.edit"))
    facilitates = current_user.role in ("facilitator", "staff")
    return render_template(
        "accounts/profile.html",
        form=form,
        facilitates=facilitates,
        lead=lead_time(current_user.organization.reminder_lead_minutes),
    )


def lead_time(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if rest:
        return f"{minutes} minutes"
    return "1 hour" if hours == 1 else f"{hours} hours"
