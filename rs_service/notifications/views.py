"""Staff see the association's messages that could not be delivered, and send one again."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from rs_service import clock, policy
from rs_service.extensions import db
from rs_service.groups.models import Session
from rs_service.notifications import service
from rs_service.notifications.due import still_due
from rs_service.notifications.models import Notification

blp = Blueprint("notifications", __name__)

KIND_LABELS = {
    "session_reminder": lazy_gettext("Session reminder"),
    "session_update": lazy_gettext("Session change"),
    "session_cancel": lazy_gettext("Session cancelled"),
    "attendance_overdue": lazy_gettext("Attendance overdue"),
    "certification": lazy_gettext("Ready to certify"),
}


class SendAgainForm(FlaskForm):
    """CSRF only."""


@blp.app_context_processor
def undelivered_messages():
    def count() -> int:
        if not (current_user.is_authenticated and policy.is_staff(current_user)):
            return 0
        return service.undelivered_count(current_user.organization_id)

    return {"undelivered_count": count}


@blp.route("/undelivered")
@login_required
def undelivered():
    policy.require_staff(current_user)
    messages = service.undelivered(current_user.organization_id)
    return render_template(
        "notifications/undelivered.html",
        messages=messages,
        due_ids=still_due_ids([m.id for m in messages]),
        kind_labels=KIND_LABELS,
        form=SendAgainForm(),
        zone=current_user.organization.timezone,
    )


def still_due_ids(ids: list[int]) -> set[int]:
    """Which of these messages are still worth sending now (a reminder after its session is not)."""
    if not ids:
        return set()
    query = (
        db.select(Notification.id)
        .outerjoin(Session, Notification.session_id == Session.id)
        .where(Notification.id.in_(ids), still_due(clock.now()))
    )
    return set(db.session.scalars(query))


@blp.route("/undelivered/<int:notification_id>/send-again", methods=["POST"])
@login_required
def send_again(notification_id: int):
    notification = policy.authorized(
        current_user, Notification, notification_id, lambda actor, _message: policy.is_staff(actor)
    )
    if not SendAgainForm().validate_on_submit():
        abort(400)
    if notification.sent_at is not None:
        flash(_("That message has been sent meanwhile."))
    else:
        service.send_again(notification)
        flash(_("The message to %(name)s will be sent again within a minute.", name=notification.recipient.name))
    return redirect(url_for(".undelivered"))
