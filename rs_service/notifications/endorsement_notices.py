"""Messages about endorsements: a certificate sent to its holder, and renewal notices before the due date.

* Certificate issued: when staff issue a certificate, a Notification row is added in the same
  transaction (notify_holder), so the holder is emailed the PDF with its verification link by
  the next run of the jobs, and only if the certificate was really issued.
* Renewal notice: 60 days and 14 days before a renewal's due date, to everyone endorsed who is
  still short of its hours; keyed by person, category, due date and the number of days, so each
  is sent once. Someone first short inside the last 14 days gets only the 14-day notice.

Both are written in the recipient's language (people's `language`), dates included.
"""

from datetime import datetime
from email.message import EmailMessage

from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from rs_service import clock
from rs_service.accounts.models import Organization
from rs_service.endorsement import renewal, renewal_service, service
from rs_service.endorsement.categories import CATEGORY_NAMES
from rs_service.endorsement.models import Certificate
from rs_service.endorsement.pdf import render_certificate_pdf
from rs_service.extensions import db
from rs_service.notifications import jobs
from rs_service.notifications.due import DueWork
from rs_service.notifications.mail import Attachment, MailSettings
from rs_service.notifications.models import CERTIFICATE_ISSUED, RENEWAL, Notification
from rs_service.notifications.service import Planned
from rs_service.urls import external_url

NOTICE_DAYS = (60, 14)  # before the due date; the notification's sequence says which


# ----------------------------------------------------------------------------- planning


def notify_holder(certificate: Certificate) -> None:
    """Queue the certificate's email to its holder; committed (or not) with the certificate itself."""
    db.session.add(
        Notification(
            organization_id=certificate.organization_id,
            kind=CERTIFICATE_ISSUED,
            subject_key=f"certificate:{certificate.id}",
            recipient_id=certificate.person_id,
            sequence=0,
            created_at=clock.now(),
            attempts=0,
        )
    )
    db.session.flush()


def notice_day(days_left: int | None) -> int | None:
    """Which notice a renewal this many days away calls for: 60, 14, or none."""
    if days_left is None or days_left < 0:
        return None
    return next((days for days in sorted(NOTICE_DAYS) if days_left <= days), None)


def renewal_key(person_id: int, answer: renewal.Renewal) -> str:
    assert answer.due_on is not None
    return f"renewal:{person_id}:{answer.category}:{answer.due_on.isoformat()}"


def plan_renewal_notices(at: datetime, work: DueWork) -> list[Planned]:
    """Everyone short of a renewal due within 60 (then 14) days, on each association's own calendar.

    An association is judged again only when what its renewals depend on changed since the last run
    (`AssociationState.renewal_inputs`: its date, ledger, credentials or requirements).
    """
    out = []
    marks = jobs.job_marks()
    for organization_id, state in sorted(work.associations.items()):
        if not state.needs_renewals(at):
            continue
        marks[organization_id].renewals_checked = state.renewal_inputs(at)
        organization = db.session.get_one(Organization, organization_id)
        as_of = clock.local_date(at, organization.timezone)
        for endorsed in renewal_service.renewals(organization, as_of, renewal.DUE):
            days = notice_day(endorsed.renewal.days_left)
            if days is not None and endorsed.renewal.required_minutes:
                key = renewal_key(endorsed.person.id, endorsed.renewal)
                out.append(Planned(organization.id, RENEWAL, key, endorsed.person.id, days))
    return out


# ----------------------------------------------------------------------------- messages


def compose(notification: Notification, settings: MailSettings) -> EmailMessage:
    with force_locale(notification.recipient.language):
        if notification.kind == CERTIFICATE_ISSUED:
            built = certificate_message(notification, settings)
        else:
            built = renewal_message(notification, settings)
    built["Content-Language"] = notification.recipient.language
    return built


def certificate_message(notification: Notification, settings: MailSettings) -> EmailMessage:
    certificate = db.session.get(Certificate, int(notification.subject_key.split(":", 1)[1]))
    if certificate is None:
        raise LookupError(f"no certificate for notification {notification.id}")
    verify = service.verify_url(certificate)
    association = db.session.get(Organization, certificate.organization_id)
    pdf = render_certificate_pdf(service.certificate_document(certificate, verify))
    context = {
        "person": notification.recipient,
        "language": notification.recipient.language,
        "certificate": certificate,
        "category_name": CATEGORY_NAMES[certificate.category],
        "association": association,
        "window_start": format_date(certificate.window_start, "long"),
        "window_end": format_date(certificate.window_end, "long"),
        "verify_url": verify,
        "hours_url": external_url("hours.mine"),
        "revoked": certificate.status == "revoked",
    }
    return jobs.message(
        notification,
        settings,
        _("Your %(category)s certificate of reflective supervision hours", category=certificate.category),
        "certificate_issued",
        context,
        attachments=(Attachment(service.document_name(certificate, "certificate", "pdf"), pdf, "application", "pdf"),),
    )


def renewal_message(notification: Notification, settings: MailSettings) -> EmailMessage:
    person = notification.recipient
    _kind, _person_id, category, _due = notification.subject_key.split(":", 3)
    association = db.session.get(Organization, person.organization_id)
    assert association is not None
    answer = renewal_service.renewal_of(person, clock.local_date(clock.now(), association.timezone), category)
    context = {
        "person": person,
        "language": person.language,
        "association": association,
        "renewal": answer,
        "category_name": CATEGORY_NAMES.get(category, category),
        "due_on": format_date(answer.due_on, "long") if answer.due_on else "",
        "hours_url": external_url("hours.mine"),
    }
    return jobs.message(
        notification,
        settings,
        _("Renewal of your %(category)s endorsement is due %(date)s", category=category, date=context["due_on"]),
        "renewal_due",
        context,
    )
