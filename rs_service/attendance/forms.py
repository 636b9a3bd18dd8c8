from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

STATUS_LABELS = {
    "present": _l("Present"),
    "late": _l("Late"),
    "left_early": _l("Left early"),
    "absent": _l("Absent"),
    "excused": _l("Excused"),
}


class RosterForm(FlaskForm):
    """CSRF only: the roster's fields are one status and one minutes input per person, read by name."""


class ReportUploadForm(FlaskForm):
    report = FileField(
        _l("Zoom or Teams participants report (CSV)"), validators=[FileRequired(_l("Choose a file first."))]
    )


class CorrectionForm(FlaskForm):
    status = SelectField(_l("Status"), choices=list(STATUS_LABELS.items()))
    minutes = IntegerField(_l("Minutes present (late or left early)"), validators=[Optional(), NumberRange(min=1)])
    reason = TextAreaField(_l("Reason for the correction"), validators=[DataRequired(), Length(max=500)])
