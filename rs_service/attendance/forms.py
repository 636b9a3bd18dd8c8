from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

STATUS_LABELS = {
    "present": lazy_gettext("Present"),
    "late": lazy_gettext("Late"),
    "left_early": lazy_gettext("Left early"),
    "absent": lazy_gettext("Absent"),
    "excused": lazy_gettext("Excused"),
}


class RosterForm(FlaskForm):
    """CSRF only: the roster's fields are one status and one minutes input per person, read by name."""


class ReportUploadForm(FlaskForm):
    report = FileField(
        lazy_gettext("Zoom or Teams participants report (CSV)"),
        validators=[FileRequired(lazy_gettext("Choose a file first."))],
    )


class CorrectionForm(FlaskForm):
    status = SelectField(lazy_gettext("Status"), choices=list(STATUS_LABELS.items()))
    minutes = IntegerField(
        lazy_gettext("Minutes present (late or left early)"), validators=[Optional(), NumberRange(min=1)]
    )
    reason = TextAreaField(lazy_gettext("Reason for the correction"), validators=[DataRequired(), Length(max=500)])
