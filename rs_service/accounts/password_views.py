"""Pages for passwords: forgot, set from a link, and the staff button that sends an invitation."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from rs_service import policy
from rs_service.accounts import invitations, throttle
from rs_service.accounts.auth import sign_in
from rs_service.accounts.forms import ForgotPasswordForm, SetPasswordForm
from rs_service.accounts.models import Person
from rs_service.accounts.passwords import password_problem
from rs_service.i18n import same_site_path

blp = Blueprint("passwords", __name__)

# The token is in the address of these pages: no other site may see it in a Referer header.
PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


@blp.route("/password/forgot", methods=["GET", "POST"])
def forgot():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        wait = throttle.reset_refusal(form.email.data)
        if wait is not None:
            form.email.errors.append(
                ngettext(
                    "Too many links asked for. Wait %(num)d minute, then try again.",
                    "Too many links asked for. Wait %(num)d minutes, then try again.",
                    wait.minutes,
                )
            )
            return render_template("accounts/password_forgot.html", form=form), 429, {"Retry-After": str(wait.seconds)}
        throttle.record_reset(form.email.data)
        invitations.send_password_reset(form.email.data)
        return render_template("accounts/password_forgot_sent.html", email=form.email.data)
    return render_template("accounts/password_forgot.html", form=form), 422 if form.errors else 200


@blp.route("/password/set/<token>", methods=["GET", "POST"])
def set_password(token: str):
    link = invitations.open_link(token)
    if link is None:
        return render_template("accounts/password_link_gone.html"), 410, PRIVATE
    form = SetPasswordForm()
    if form.validate_on_submit():
        problem = password_problem(form.password.data, link.person.email)
        if problem is None:
            person = invitations.use_link(link, form.password.data)
            sign_in(person)
            flash(_("Your password is set. Welcome, %(name)s.", name=person.name))
            return redirect(url_for("accounts.home"))
        form.password.errors.append(problem)
    page = render_template("accounts/password_set.html", form=form, person=link.person, purpose=link.purpose)
    return page, 422 if form.errors else 200, PRIVATE


@blp.route("/people/<int:person_id>/invite", methods=["POST"])
@login_required
def invite(person_id: int):
    """The staff button on a person's page: email them a link to set their password."""
    policy.require_staff(current_user)
    person = policy.authorized(current_user, Person, person_id)
    invitations.invite(person)
    flash(_("Invitation sent to %(email)s: the link works for 7 days.", email=person.email))
    return redirect(same_site_path(request.form.get("next"), url_for("hours.person", person_id=person.id)))
