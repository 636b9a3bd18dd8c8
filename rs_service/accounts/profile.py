"""The person's own profile: whether they get session reminders by email, and how session mail
reaches them (with a calendar invite or as plain emails)."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField

from rs_service.notifications.channels import set_channel, wants_invites
from rs_service.notifications.service import set_reminders

blp = Blueprint("profile", __name__)

CHANNELS = {"automatic": None, "invites": True, "plain": False}


class ReminderForm(FlaskForm):
    reminders_enabled = BooleanField("Email me a reminder with a calendar invitation before each session")
    channel = RadioField(
        lazy_gettext("How session reminders and changes reach you"),
        choices=[
            (
                "automatic",
                lazy_gettext(
                    "Decide for me: with a calendar invitation until my calendar app subscribes to my feed, "
                    "then as plain emails"
                ),
            ),
            ("invites", lazy_gettext("With a calendar invitation, for a calendar that is not subscribed to my feed")),
            ("plain", lazy_gettext("As plain emails: my calendar app is subscribed to my feed")),
        ],
        default="automatic",
    )


@blp.route("/profile", methods=["GET", "POST"], endpoint="edit")
@login_required
def edit():
    person = current_user._get_current_object()
    chosen = next(key for key, value in CHANNELS.items() if value is person.calendar_invites)
    form = ReminderForm(data={"reminders_enabled": person.reminders_enabled, "channel": chosen})
    if form.validate_on_submit():
        set_reminders(person, form.reminders_enabled.data)
        set_channel(person, CHANNELS[form.channel.data])
        flash("Session reminders are on." if form.reminders_enabled.data else "Session reminders are off.")
        flash(
            _("Session mail comes with a calendar invitation.")
            if wants_invites(person)
            else _("Session mail comes as plain emails, without a calendar invitation.")
        )
        return redirect(url_for("profile.edit"))
    facilitates = current_user.role in ("facilitator", "staff")
    return render_template(
        "accounts/profile.html",
        form=form,
        facilitates=facilitates,
        lead=lead_time(current_user.organization.reminder_lead_minutes),
        invites_now=wants_invites(person),
        feed_fetched_on=person.feed_first_fetched_at,
    )


def lead_time(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if rest:
        return f"{minutes} minutes"
    return "1 hour" if hours == 1 else f"{hours} hours"
