"""Web forms for groups and sessions; they parse and shape input, the service decides what is allowed."""

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from rs_service.date_bounds import EARLIEST_DAY, LATEST_DAY, day_within_bounds, within_bounds
from rs_service.groups.models import GROUP_KINDS, LONGEST_SESSION_MINUTES

SESSION_LENGTH = NumberRange(
    1,
    LONGEST_SESSION_MINUTES,
    lazy_gettext("A session lasts 1 to %(longest)s minutes.", longest=LONGEST_SESSION_MINUTES),
)

WEEKDAYS = (
    ("MO", "Monday"),
    ("TU", "Tuesday"),
    ("WE", "Wednesday"),
    ("TH", "Thursday"),
    ("FR", "Friday"),
    ("SA", "Saturday"),
    ("SU", "Sunday"),
)
# The same weekdays as the form offers them, in the reader's language.
WEEKDAY_CHOICES = (
    ("MO", lazy_gettext("Monday")),
    ("TU", lazy_gettext("Tuesday")),
    ("WE", lazy_gettext("Wednesday")),
    ("TH", lazy_gettext("Thursday")),
    ("FR", lazy_gettext("Friday")),
    ("SA", lazy_gettext("Saturday")),
    ("SU", lazy_gettext("Sunday")),
)
ORDINALS = (
    (1, lazy_gettext("1st")),
    (2, lazy_gettext("2nd")),
    (3, lazy_gettext("3rd")),
    (4, lazy_gettext("4th")),
    (-1, lazy_gettext("last")),
)
RECURRENCES = (
    ("weekly", lazy_gettext("Every week")),
    ("biweekly", lazy_gettext("Every other week")),
    ("monthly", lazy_gettext("Monthly on chosen weeks (e.g. 1st and 3rd Tuesday)")),
    ("advanced", lazy_gettext("Advanced: my own RRULE")),
)
KIND_LABELS = {
    "rsc": lazy_gettext("Reflective supervision-consultation (RSC)"),
    "peer": lazy_gettext("Peer supervision (does not count toward Endorsement)"),
}
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]  # browsers send seconds when the time input has a step


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def optional_int(value):
    return int(value) if value not in (None, "") else None


def parse_dates(text: str) -> frozenset[date]:
    """Dates separated by commas, spaces or new lines; ValueError naming the first that is not a date."""
    days = set()
    for piece in text.replace(",", " ").split():
        try:
            day = date.fromisoformat(piece)
        except ValueError:
            raise ValueError(
                _("“%(text)s” is not a date; write dates as YYYY-MM-DD, e.g. 2026-07-04", text=piece)
            ) from None
        if not within_bounds(day):
            raise ValueError(
                _(
                    "“%(text)s”: a date must be between %(start)s and %(end)s",
                    text=piece,
                    start=EARLIEST_DAY.isoformat(),
                    end=LATEST_DAY.isoformat(),
                )
            )
        days.add(day)
    return frozenset(days)


class GroupForm(FlaskForm):
    name = StringField(
        lazy_gettext("Name"), validators=[DataRequired(lazy_gettext("Give the group a name.")), Length(max=200)]
    )
    facilitator_ids = MultiCheckboxField(lazy_gettext("Facilitators"), coerce=int)
    provider_id = SelectField(lazy_gettext("Provider of record"), coerce=optional_int, validate_choice=False)
    timezone = StringField(
        lazy_gettext("Time zone"), validators=[DataRequired(lazy_gettext("Choose a time zone.")), Length(max=64)]
    )
    first_date = DateField(
        lazy_gettext("First date"), validators=[InputRequired(lazy_gettext("Give the first date.")), day_within_bounds]
    )
    until = DateField(
        lazy_gettext("End date"), validators=[InputRequired(lazy_gettext("Give the end date.")), day_within_bounds]
    )
    start_time = TimeField(
        lazy_gettext("Start time"),
        format=TIME_FORMATS,
        validators=[InputRequired(lazy_gettext("Give the start time."))],
    )
    duration_minutes = IntegerField(
        lazy_gettext("Length in minutes"),
        default=90,
        validators=[
            InputRequired(lazy_gettext("Give the length in minutes.")),
            SESSION_LENGTH,
        ],
    )
    recurrence = RadioField(lazy_gettext("How often"), choices=RECURRENCES, default="monthly")
    weekday = SelectField(
        lazy_gettext("Weekday"), choices=[("", lazy_gettext("the first date’s weekday")), *WEEKDAY_CHOICES], default=""
    )
    ordinals = MultiCheckboxField(lazy_gettext("Weeks of the month"), choices=ORDINALS, coerce=int, default=[1, 3])
    rrule = StringField("RRULE", validators=[Length(max=500)])
    blackout_dates = TextAreaField(lazy_gettext("Dates to skip"))
    capacity = IntegerField(
        lazy_gettext("Places"),
        default=8,
        validators=[
            InputRequired(lazy_gettext("Give the number of places.")),
            NumberRange(1, 500, lazy_gettext("Places must be 1 to 500.")),
        ],
    )
    kind = RadioField(lazy_gettext("Kind"), choices=[(k, KIND_LABELS[k]) for k in GROUP_KINDS], default="rsc")
    location = StringField(lazy_gettext("Location"), validators=[Optional(), Length(max=300)])
    join_url = URLField(
        lazy_gettext("Join link"),
        validators=[Optional(), Length(max=500), URL(message=lazy_gettext("Give a full link starting with https://"))],
    )

    def validate_provider_id(self, field):
        if field.data is not None and field.data not in (self.facilitator_ids.data or []):
            raise ValidationError(lazy_gettext("Choose one of the group's facilitators, or leave the first one."))

    def validate_blackout_dates(self, field):
        try:
            parse_dates(field.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def skipped_dates(self) -> frozenset[date]:
        return parse_dates(self.blackout_dates.data or "")

    def validate_ordinals(self, field):
        if self.recurrence.data == "monthly" and not field.data:
            raise ValidationError(_("Choose at least one week of the month."))

    def validate_rrule(self, field):
        if self.recurrence.data == "advanced" and not (field.data or "").strip():
            raise ValidationError(_("Write the rule, e.g. FREQ=MONTHLY;BYDAY=1TU,3TU"))

    def validate_join_url(self, field):
        if field.data and not field.errors and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError(_("Give a full link starting with https://"))

    def recurrence_rule(self) -> str:
        """The RFC 5545 rule the friendly choices stand for."""
        if self.recurrence.data == "advanced":
            return self.rrule.data.strip()
        first_weekday = WEEKDAYS[self.first_date.data.weekday()][0]
        day = self.weekday.data or first_weekday
        if self.recurrence.data == "weekly":
            return f"FREQ=WEEKLY;BYDAY={day}"
        if self.recurrence.data == "biweekly":
            # Weeks counted from the first date, so the first session is the first such weekday on or
            # after it (with the default WKST=MO a Thursday start would skip the next Tuesday).
            return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={day}" + (f";WKST={first_weekday}" if first_weekday != "MO" else "")
        ordinals = sorted(self.ordinals.data, key=lambda n: (n < 0, n))
        return "FREQ=MONTHLY;BYDAY=" + ",".join(f"{n}{day}" for n in ordinals)

    def error_field_for(self, service_field: str | None):
        """The form field a service error names; the friendly recurrence choice stands for the rule."""
        if service_field == "rrule" and self.recurrence.data != "advanced":
            return self.recurrence
        return self._fields.get(service_field) if service_field else None


class EnrollForm(FlaskForm):
    person_ids = MultiCheckboxField(
        lazy_gettext("Participants to add"),
        coerce=int,
        validate_choice=False,  # the page checks who may join, and says so in words
        validators=[DataRequired(lazy_gettext("Choose at least one participant."))],
    )
    joined_on = DateField(
        lazy_gettext("Joins on"),
        validators=[InputRequired(lazy_gettext("Give the date they join.")), day_within_bounds],
    )
    waitlist = BooleanField(lazy_gettext("Put anyone beyond the free places on the waitlist"))


class WithdrawForm(FlaskForm):
    left_on = DateField(
        lazy_gettext("Last day in the group"),
        validators=[InputRequired(lazy_gettext("Give their last day.")), day_within_bounds],
    )


class SeriesChangeForm(FlaskForm):
    from_date = DateField(
        lazy_gettext("From"),
        validators=[InputRequired(lazy_gettext("Give the date the change starts.")), day_within_bounds],
    )
    start_time = TimeField(lazy_gettext("New start time"), format=TIME_FORMATS, validators=[Optional()])
    duration_minutes = IntegerField(
        lazy_gettext("New length in minutes"),
        validators=[Optional(), SESSION_LENGTH],
    )

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if self.start_time.data is None and self.duration_minutes.data is None:
            self.start_time.errors.append(_("Give a new start time, a new length, or both."))
            return False
        return True


class RescheduleForm(FlaskForm):
    day = DateField(lazy_gettext("Date"), validators=[InputRequired(lazy_gettext("Give the date.")), day_within_bounds])
    start_time = TimeField(
        lazy_gettext("Start time"),
        format=TIME_FORMATS,
        validators=[InputRequired(lazy_gettext("Give the start time."))],
    )
    duration_minutes = IntegerField(
        lazy_gettext("Length in minutes"),
        validators=[
            InputRequired(lazy_gettext("Give the length in minutes.")),
            SESSION_LENGTH,
        ],
    )


class CancelForm(FlaskForm):
    reason = TextAreaField(
        lazy_gettext("Reason"),
        validators=[
            DataRequired(lazy_gettext("Say why the session is cancelled; participants see it.")),
            Length(max=500),
        ],
    )


class RotateFeedForm(FlaskForm):
    """Only the CSRF token: making a new link changes something, so it is a POST."""


class GroupEditForm(FlaskForm):
    name = StringField(
        lazy_gettext("Name"), validators=[DataRequired(lazy_gettext("Give the group a name.")), Length(max=200)]
    )
    capacity = IntegerField(
        lazy_gettext("Places"),
        validators=[
            InputRequired(lazy_gettext("Give the number of places.")),
            NumberRange(1, 500, lazy_gettext("Places must be 1 to 500.")),
        ],
    )
    facilitator_ids = MultiCheckboxField(lazy_gettext("Facilitators"), coerce=int)
    provider_id = SelectField(lazy_gettext("Provider of record"), coerce=int, default=0)
    location = StringField(lazy_gettext("Location"), validators=[Optional(), Length(max=300)])
    join_url = URLField(
        lazy_gettext("Join link"),
        validators=[Optional(), Length(max=500), URL(message=lazy_gettext("Give a full link starting with https://"))],
    )
    description = TextAreaField(lazy_gettext("Description"), validators=[Optional(), Length(max=2000)])

    def changes(self) -> dict:
        """The fields in API names, as the service takes them."""
        return {
            "name": self.name.data,
            "capacity": self.capacity.data,
            "facilitator_ids": list(self.facilitator_ids.data or []),
            "provider_id": self.provider_id.data or None,
            "location": self.location.data,
            "join_url": self.join_url.data,
            "description": self.description.data,
        }
