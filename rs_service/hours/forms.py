from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from rs_service.date_bounds import day_within_bounds
from rs_service.endorsement.categories import CATEGORY_CODES

FORMAT_LABELS = (("individual", _l("Individual")), ("group", _l("Group")))


class ReportFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    start = DateField(_l("From"), validators=[Optional(), day_within_bounds])
    end = DateField(_l("To"), validators=[Optional(), day_within_bounds])
    group = SelectField(_l("Group"), coerce=int, validators=[Optional()])
    q = StringField(_l("Name or email"), validators=[Optional(), Length(max=200)])

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("“To” is before “From”: choose a To date on or after the From date."))


class RscHoursForm(FlaskForm):
    entry_date = DateField(_l("Date received"), validators=[DataRequired(_l("Give the date.")), day_within_bounds])
    minutes = IntegerField(
        _l("Minutes"),
        validators=[
            DataRequired(_l("Give the minutes.")),
            NumberRange(1, 24 * 60, _l("Give between 1 and 1440 minutes.")),
        ],
    )
    format = SelectField(_l("Format"), choices=FORMAT_LABELS)
    provider_id = SelectField(_l("Provider with an account"), coerce=int, validators=[Optional()])
    external_name = StringField(_l("…or an external provider's name"), validators=[Optional(), Length(max=200)])
    external_category = SelectField(
        _l("Their endorsement"), choices=[("", "–")] + [(c, c) for c in CATEGORY_CODES], validators=[Optional()]
    )
    external_number = StringField(_l("Their endorsement number"), validators=[Optional(), Length(max=50)])
    external_valid_from = DateField(_l("Their endorsement valid from"), validators=[Optional()])
    external_valid_until = DateField(_l("…and valid until (if it ends)"), validators=[Optional()])

    def field_named(self, service_field: str | None):
        """The form field a service error names."""
        names = {
            "date": self.entry_date,
            "valid_from": self.external_valid_from,
            "valid_until": self.external_valid_until,
        }
        return names.get(service_field or "", self.provider_id)


def reason_field():
    return TextAreaField(
        _l("Why"),
        validators=[
            DataRequired(_l("Say why, in a few words; it stays in the audit trail.")),
            Length(max=500),
        ],
    )


class CorrectEntryForm(FlaskForm):
    minutes = IntegerField(
        _l("Minutes"),
        validators=[
            InputRequired(_l("Give the minutes.")),
            NumberRange(1, 24 * 60, _l("Give between 1 and 1440 minutes.")),
        ],
    )
    entry_date = DateField(_l("Date received"), validators=[InputRequired(_l("Give the date."))])
    reason = reason_field()

    def field_named(self, service_field: str | None):
        return {"minutes": self.minutes, "date": self.entry_date}.get(service_field or "", self.reason)


class VoidEntryForm(FlaskForm):
    reason = reason_field()


class RestampForm(FlaskForm):
    reason = reason_field()
