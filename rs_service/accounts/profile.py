"""The person's own profile: session reminders and how session mail reaches them (with a calendar
invite or as plain emails), their password, their API tokens."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField

from rs_service.accounts import passwords
from rs_service.accounts.auth import revoke_token, sign_in, token_of, tokens_of
from rs_service.accounts.forms import ChangePasswordForm
from rs_service.notifications.channels import set_channel, wants_invites
from rs_service.notifications.service import set_reminders

blp = Blueprint("profile", __name__)

CHANNELS = {"automatic": None, "invites": True, "plain": False}


class ReminderForm(FlaskForm):
    reminders_enabled = BooleanField(_l("Email me a reminder with a calendar invitation before each session"))
    channel = RadioField(
        _l("How session reminders and changes reach you"),
        choices=[
            (
                "automatic",
                _l(
                    "Decide for me: with a calendar invitation until my calendar app subscribes to my feed, "
                    "then as plain emails"
                ),
            ),
            ("invites", _l("With a calendar invitation, for a calendar that is not subscribed to my feed")),
            ("plain", _l("As plain emails: my calendar app is subscribed to my feed")),
        ],
        default="automatic",
    )


def reminder_form(person, **kwargs) -> ReminderForm:
    chosen = next(key for key, value in CHANNELS.items() if value is person.calendar_invites)
    return ReminderForm(data={"reminders_enabled": person.reminders_enabled, "channel": chosen}, **kwargs)


@blp.route("/profile", methods=["GET", "POST"], endpoint="edit")
@login_required
def edit():
    person = current_user._get_current_object()
    form = reminder_form(person)
    if form.validate_on_submit():
        set_reminders(person, form.reminders_enabled.data)
        set_channel(person, CHANNELS[form.channel.data])
        flash(_("Session reminders are on.") if form.reminders_enabled.data else _("Session reminders are off."))
        flash(
            _("Session mail comes with a calendar invitation.")
            if wants_invites(person)
            else _("Session mail comes as plain emails, without a calendar invitation.")
        )
        return redirect(url_for("profile.edit"))
    return profile_page(form=form)


def profile_page(status: int = 200, **forms):
    """The profile with every section; a form being answered is passed in, the others start fresh."""
    forms.setdefault("form", reminder_form(current_user, formdata=None))
    forms.setdefault("password_form", ChangePasswordForm(formdata=None))
    facilitates = current_user.role in ("facilitator", "staff")
    return render_template(
        "accounts/profile.html",
        facilitates=facilitates,
        lead=lead_time(current_user.organization.reminder_lead_minutes),
        tokens=tokens_of(current_user),
        invites_now=wants_invites(current_user),
        feed_fetched_on=current_user.feed_first_fetched_at,
        **forms,
    ), status


@blp.route("/profile/password", methods=["POST"])
@login_required
def change_password():
    person = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            passwords.change_password(person, form.current_password.data, form.password.data)
        except passwords.PasswordRefused as refusal:
            form[refusal.field].errors.append(refusal.message)
            return profile_page(status=429 if refusal.wait else 422, password_form=form)
        sign_in(person)  # this browser stays logged in, with the new session key
        flash(_("Your password is changed. You are logged out on every other device."))
        return redirect(url_for("profile.edit"))
    return profile_page(status=422, password_form=form)


@blp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    api_token = token_of(current_user, token_id)
    if api_token is None:
        abort(404)
    revoke_token(api_token)
    flash(_("The API token is revoked: it no longer works."))
    return redirect(url_for("profile.edit", _anchor="api-tokens"))


def lead_time(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if rest:
        return ngettext("%(num)d minute", "%(num)d minutes", minutes)
    return ngettext("%(num)d hour", "%(num)d hours", hours)
