"""What a status is worth in minutes: pure functions."""

from flask_babel import gettext as _

from rs_service.domain_errors import InvalidInput

STATUSES_WITH_MINUTES = ("late", "left_early")


def credited_minutes(status: str, minutes: int | None, session_minutes: int) -> int:
    """Present earns the whole session; late and left early the minutes given; absent and excused none."""
    if status == "present":
        return session_minutes
    if status in STATUSES_WITH_MINUTES:
        return minutes or 0
    return 0


def check_minutes(status: str, minutes: int | None, session_minutes: int, field: str = "minutes") -> int | None:
    """The minutes to store for this status, or InvalidInput naming `field`."""
    if status in STATUSES_WITH_MINUTES:
        if minutes is None:
            raise InvalidInput(
                field=field,
                message=_(
                    "give the minutes present for '%(status)s'",
                    status=_("late") if status == "late" else _("left early"),
                ),
            )
        if not 0 < minutes <= session_minutes:
            raise InvalidInput(
                field=field,
                message=_("minutes present must be more than 0 and at most %(most)s", most=session_minutes),
            )
        return minutes
    return None
