from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from rs_service.endorsement.categories import CATEGORY_CODES


class ReportFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])
    group = SelectField("Group", coerce=int, validators=[Optional()])
    q = StringField(_l("Name or email"), validators=[Optional(), Length(max=200)])

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("“To” is before “From”: choose a To date on or after the From date."))


class RscHoursForm(FlaskForm):
    entry_date = DateField("Date received", validators=[DataRequired()])
    minutes = IntegerField("Minutes", validators=[DataRequired(), NumberRange(min=1, max=24 * 60)])
    format = SelectField("Format", choices=[("individual", "Individual"), ("group", "Group")])
    provider_id = SelectField("Provider with an account", coerce=int, validators=[Optional()])
    external_name = StringField("…or an external provider's name", validators=[Optional(), Length(max=200)])
    external_category = SelectField(
        "Their endorsement", choices=[("", "–")] + [(c, c) for c in CATEGORY_CODES], validators=[Optional()]
    )
    external_number = StringField("Their endorsement number", validators=[Optional(), Length(max=50)])
