"""Web forms for the people pages; they shape input, the service decides what is allowed."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from rs_service.endorsement.categories import CATEGORY_CODES, CATEGORY_NAMES
from rs_service.text import single_line_problem

ROLE_LABELS = (("participant", _l("Participant")), ("facilitator", _l("Facilitator")), ("staff", _l("Staff")))
LANGUAGE_LABELS = (("en", "English"), ("es", "Español"))
CATEGORY_CHOICES = [(code, f"{code} · {CATEGORY_NAMES[code]}") for code in CATEGORY_CODES]
STATUS_CHOICES = (("active", _l("Active")), ("deactivated", _l("Deactivated")), ("all", _l("Everyone")))
SORT_CHOICES = (
    ("name", _l("Name, A to Z")),
    ("-name", _l("Name, Z to A")),
    ("email", _l("Email")),
    ("role", _l("Role")),
    ("newest", _l("Newest first")),
)


def one_line(form, field):
    if field.data and single_line_problem(field.data):
        raise ValidationError(_l("Write it on one line, without tabs or control characters."))


class PersonForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give their name.")), Length(max=200), one_line])
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Give their email address.")),
            Email(_l("Give a valid email address.")),
            Length(max=254),
        ],
    )
    role = SelectField(_l("Role"), choices=ROLE_LABELS, default="participant")
    pursuing = SelectField(
        _l("Endorsement category pursued"), choices=[("", _l("None recorded")), *CATEGORY_CHOICES], default=""
    )
    language = SelectField(_l("Language of their pages and emails"), choices=LANGUAGE_LABELS, default="en")

    def changes(self) -> dict:
        """The fields in API names, as the service takes them."""
        return {
            "name": self.name.data,
            "email": self.email.data,
            "role": self.role.data,
            "pursuing": self.pursuing.data or None,
            "language": self.language.data,
        }


class CredentialForm(FlaskForm):
    category = SelectField(_l("Category"), choices=CATEGORY_CHOICES)
    number = StringField(
        _l("Endorsement number"), validators=[DataRequired(_l("Give the number.")), Length(max=50), one_line]
    )
    valid_from = DateField(_l("Valid from"), validators=[InputRequired(_l("Give the first day it is valid."))])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])

    def validate_valid_until(self, field):
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(_l("The end date must not be before the start date."))


class EndCredentialForm(FlaskForm):
    valid_until = DateField(_l("Last day valid"), validators=[InputRequired(_l("Give the last day it is valid."))])


class DeactivateForm(FlaskForm):
    reason = StringField(
        _l("Reason"),
        validators=[DataRequired(_l("Say why; the reason is kept in the audit trail.")), Length(max=500), one_line],
    )


class ReactivateForm(FlaskForm):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=500), one_line])


class PeopleFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    q = StringField(_l("Name or email"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=[("", _l("Any role")), *ROLE_LABELS], default="", validators=[Optional()])
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, default="active", validators=[Optional()])
    sort = SelectField(_l("Sort by"), choices=SORT_CHOICES, default="name", validators=[Optional()])


class ImportForm(FlaskForm):
    file = FileField(_l("Spreadsheet saved as CSV"))
    content = TextAreaField()  # the checked file, carried from the preview to the import
    file_name = StringField()
    group_id = SelectField(_l("Enroll everyone in a group"), coerce=int, default=0, validators=[Optional()])
    invite = BooleanField(_l("Email each person an invitation to set their password"))
