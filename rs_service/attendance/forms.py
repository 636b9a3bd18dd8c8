from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

STATUS_LABELS = {
    "present": "Present",
    "late": "Late",
    "left_early": "Left early",
    "absent": "Absent",
    "excused": "Excused",
}


class RosterForm(FlaskForm):
    """CSRF only: the roster's fields are one status and one minutes input per person, read by name."""


class ReportUploadForm(FlaskForm):
    report = FileField("Zoom or Teams participants report (CSV)", validators=[FileRequired("Choose a file first.")])


class CorrectionForm(FlaskForm):
    status = SelectField("Status", choices=list(STATUS_LABELS.items()))
    minutes = IntegerField("Minutes present (late or left early)", validators=[Optional(), NumberRange(min=1)])
    reason = TextAreaField("Reason for the correction", validators=[DataRequired(), Length(max=500)])
