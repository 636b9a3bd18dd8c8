"""Web forms for groups and sessions; they parse and shape input, the service decides what is allowed."""

from datetime import date

from flask_babel import lazy_gettext
from flask_babel import lazy_gettext as _l
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

from rs_service.date_bounds import OUT_OF_RANGE, day_within_bounds, within_bounds
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
ORDINALS = ((1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (-1, "last"))
RECURRENCES = (
    ("weekly", "Every week"),
    ("biweekly", "Every other week"),
    ("monthly", "Monthly on chosen weeks (e.g. 1st and 3rd Tuesday)"),
    ("advanced", "Advanced: my own RRULE"),
)
KIND_LABELS = {
    "rsc": "Reflective supervision-consultation (RSC)",
    "peer": "Peer supervision (does not count toward Endorsement)",
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
            raise ValueError(f"“{piece}” is not a date; write dates as YYYY-MM-DD, e.g. 2026-07-04") from None
        if not within_bounds(day):
            raise ValueError(f"“{piece}”: a date {OUT_OF_RANGE}")
        days.add(day)
    return frozenset(days)


class GroupForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Give the group a name."), Length(max=200)])
    facilitator_ids = MultiCheckboxField("Facilitators", coerce=int)
    provider_id = SelectField(lazy_gettext("Provider of record"), coerce=optional_int, validate_choice=False)
    timezone = StringField("Time zone", validators=[DataRequired("Choose a time zone."), Length(max=64)])
    first_date = DateField("First date", validators=[InputRequired("Give the first date."), day_within_bounds])
    until = DateField("End date", validators=[InputRequired("Give the end date."), day_within_bounds])
    start_time = TimeField("Start time", format=TIME_FORMATS, validators=[InputRequired("Give the start time.")])
    duration_minutes = IntegerField(
        "Length in minutes",
        default=90,
        validators=[
            InputRequired("Give the length in minutes."),
            SESSION_LENGTH,
        ],
    )
    recurrence = RadioField("How often", choices=RECURRENCES, default="monthly")
    weekday = SelectField("Weekday", choices=[("", "the first date’s weekday"), *WEEKDAYS], default="")
    ordinals = MultiCheckboxField("Weeks of the month", choices=ORDINALS, coerce=int, default=[1, 3])
    rrule = StringField("RRULE", validators=[Length(max=500)])
    blackout_dates = TextAreaField("Dates to skip")
    capacity = IntegerField(
        "Places",
        default=8,
        validators=[InputRequired("Give the number of places."), NumberRange(1, 500, "Places must be 1 to 500.")],
    )
    kind = RadioField("Kind", choices=[(k, KIND_LABELS[k]) for k in GROUP_KINDS], default="rsc")
    location = StringField("Location", validators=[Optional(), Length(max=300)])
    join_url = URLField(
        "Join link", validators=[Optional(), Length(max=500), URL(message="Give a full link starting with https://")]
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
            raise ValidationError("Choose at least one week of the month.")

    def validate_rrule(self, field):
        if self.recurrence.data == "advanced" and not (field.data or "").strip():
            raise ValidationError("Write the rule, e.g. FREQ=MONTHLY;BYDAY=1TU,3TU")

    def validate_join_url(self, field):
        if field.data and not field.errors and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError("Give a full link starting with https://")

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
        _l("Participants to add"),
        coerce=int,
        validate_choice=False,  # the page checks who may join, and says so in words
        validators=[DataRequired(_l("Choose at least one participant."))],
    )
    joined_on = DateField(_l("Joins on"), validators=[InputRequired(_l("Give the date they join.")), day_within_bounds])
    waitlist = BooleanField(_l("Put anyone beyond the free places on the waitlist"))


class WithdrawForm(FlaskForm):
    left_on = DateField("Last day in the group", validators=[InputRequired("Give their last day."), day_within_bounds])


class SeriesChangeForm(FlaskForm):
    from_date = DateField("From", validators=[InputRequired("Give the date the change starts."), day_within_bounds])
    start_time = TimeField("New start time", format=TIME_FORMATS, validators=[Optional()])
    duration_minutes = IntegerField(
        "New length in minutes",
        validators=[Optional(), SESSION_LENGTH],
    )

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if self.start_time.data is None and self.duration_minutes.data is None:
            self.start_time.errors.append("Give a new start time, a new length, or both.")
            return False
        return True


class RescheduleForm(FlaskForm):
    day = DateField("Date", validators=[InputRequired("Give the date."), day_within_bounds])
    start_time = TimeField("Start time", format=TIME_FORMATS, validators=[InputRequired("Give the start time.")])
    duration_minutes = IntegerField(
        "Length in minutes",
        validators=[
            InputRequired("Give the length in minutes."),
            SESSION_LENGTH,
        ],
    )


class CancelForm(FlaskForm):
    reason = TextAreaField(
        "Reason", validators=[DataRequired("Say why the session is cancelled; participants see it."), Length(max=500)]
    )


class RotateFeedForm(FlaskForm):
    """Only the CSRF token: making a new link changes something, so it is a POST."""


class GroupEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the group a name.")), Length(max=200)])
    capacity = IntegerField(
        _l("Places"),
        validators=[
            InputRequired(_l("Give the number of places.")),
            NumberRange(1, 500, _l("Places must be 1 to 500.")),
        ],
    )
    facilitator_ids = MultiCheckboxField(_l("Facilitators"), coerce=int)
    provider_id = SelectField(_l("Provider of record"), coerce=int, default=0)
    location = StringField(_l("Location"), validators=[Optional(), Length(max=300)])
    join_url = URLField(
        _l("Join link"),
        validators=[Optional(), Length(max=500), URL(message=_l("Give a full link starting with https://"))],
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])

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
