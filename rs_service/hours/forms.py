from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from rs_service.date_bounds import day_within_bounds
from rs_service.endorsement.categories import CATEGORY_CODES


class ReportFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    start = DateField("From", validators=[Optional(), day_within_bounds])
    end = DateField("To", validators=[Optional(), day_within_bounds])
    group = SelectField("Group", coerce=int, validators=[Optional()])


class RscHoursForm(FlaskForm):
    entry_date = DateField("Date received", validators=[DataRequired(), day_within_bounds])
    minutes = IntegerField("Minutes", validators=[DataRequired(), NumberRange(min=1, max=24 * 60)])
    format = SelectField("Format", choices=[("individual", "Individual"), ("group", "Group")])
    provider_id = SelectField("Provider with an account", coerce=int, validators=[Optional()])
    external_name = StringField("…or an external provider's name", validators=[Optional(), Length(max=200)])
    external_category = SelectField(
        "Their endorsement", choices=[("", "–")] + [(c, c) for c in CATEGORY_CODES], validators=[Optional()]
    )
    external_number = StringField("Their endorsement number", validators=[Optional(), Length(max=50)])
