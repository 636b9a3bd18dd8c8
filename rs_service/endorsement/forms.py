from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from rs_service.endorsement.categories import CATEGORY_CODES, CATEGORY_NAMES
from rs_service.endorsement.requirements import EARLIEST_DATE, LATEST_DATE

CATEGORY_CHOICES = [(code, f"{code} · {CATEGORY_NAMES[code]}") for code in CATEGORY_CODES]


def within_date_bounds(form, field):
    if field.data and not EARLIEST_DATE <= field.data <= LATEST_DATE:
        raise ValidationError(
            _(
                "Choose a date between %(start)s and %(end)s.",
                start=EARLIEST_DATE.isoformat(),
                end=LATEST_DATE.isoformat(),
            )
        )


def hours_to_minutes(hours: Decimal | None) -> int | None:
    return None if hours is None else int((hours * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def minutes_to_hours(minutes: int | None) -> Decimal | None:
    return None if minutes is None else (Decimal(minutes) / 60).quantize(Decimal("0.01"))


class EvidenceQueryForm(FlaskForm):
    """Which category and date the evidence packet judges; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    category = SelectField(lazy_gettext("Category"), choices=CATEGORY_CHOICES, validators=[DataRequired()])
    as_of = DateField(lazy_gettext("As of"), validators=[Optional(), within_date_bounds])


class IssueCertificateForm(FlaskForm):
    category = HiddenField(validators=[AnyOf(CATEGORY_CODES)])
    as_of = DateField(widget=HiddenInput(), validators=[DataRequired(), within_date_bounds])
    evidence = HiddenField(validators=[Optional(), Length(max=64)])  # what the confirmation page showed


class RevokeForm(FlaskForm):
    reason = TextAreaField(lazy_gettext("Reason for revoking"), validators=[DataRequired(), Length(max=500)])


class ClearReviewForm(FlaskForm):
    note = TextAreaField(lazy_gettext("Why the certificate still stands"), validators=[DataRequired(), Length(max=500)])


class RequirementForm(Form):
    """One category inside the new-version form (a plain Form: the outer form carries the CSRF token)."""

    category = HiddenField(validators=[AnyOf(CATEGORY_CODES)])
    rsc_required = BooleanField(lazy_gettext("RSC hours required"))
    required_hours = DecimalField(
        lazy_gettext("Required clock hours"), places=2, validators=[InputRequired(), NumberRange(min=0, max=500)]
    )
    window_months = IntegerField(
        lazy_gettext("Window (months)"), validators=[InputRequired(), NumberRange(min=1, max=120)]
    )
    min_span_months = IntegerField(
        lazy_gettext("Minimum span (months)"), validators=[InputRequired(), NumberRange(min=0, max=120)]
    )
    provider_categories = SelectMultipleField(
        lazy_gettext("Qualifying provider categories"),
        choices=list(CATEGORY_CODES),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    max_sources = IntegerField(
        lazy_gettext("Most sources that count"),
        validators=[Optional(), NumberRange(min=1, max=20)],
        description=lazy_gettext("Leave empty for no limit."),
    )
    majority_rule = BooleanField(lazy_gettext("More than half the required hours from one source"))
    renewal_hours = DecimalField(
        lazy_gettext("Renewal clock hours a year"),
        places=2,
        validators=[Optional(), NumberRange(min=0.01, max=500)],
        description=lazy_gettext("Leave empty when renewal asks no RSC."),
    )
    renewal_due = StringField(
        lazy_gettext("Renewal due every year on (MM-DD)"),
        validators=[InputRequired(), Length(min=5, max=5)],
        description=lazy_gettext("For example 12-31 for December 31."),
    )

    def values(self) -> dict:
        return {
            "rsc_required": self.rsc_required.data,
            "required_minutes": hours_to_minutes(self.required_hours.data),
            "window_months": self.window_months.data,
            "min_span_months": self.min_span_months.data,
            "provider_categories": list(self.provider_categories.data or []),
            "max_sources": self.max_sources.data,
            "majority_rule": self.majority_rule.data,
            "renewal_minutes": hours_to_minutes(self.renewal_hours.data),
            "renewal_due": (self.renewal_due.data or "").strip(),
        }

    @staticmethod
    def initial(values: dict) -> dict:
        return {
            **values,
            "required_hours": minutes_to_hours(values["required_minutes"]),
            "renewal_hours": minutes_to_hours(values["renewal_minutes"]),
        }


# Where a service error about a requirement field shows up in the form.
FORM_FIELD_FOR = {"required_minutes": "required_hours", "renewal_minutes": "renewal_hours"}


class RequirementSetForm(FlaskForm):
    effective_from = DateField(lazy_gettext("Effective from"), validators=[DataRequired(), within_date_bounds])
    note = StringField(lazy_gettext("What changed and why"), validators=[Optional(), Length(max=500)])
    requirements = FieldList(FormField(RequirementForm), min_entries=0, max_entries=len(CATEGORY_CODES))

    def changes(self) -> dict[str, dict]:
        return {entry.form.category.data: entry.form.values() for entry in self.requirements}

    def validate_requirements(self, field):
        categories = [entry.form.category.data for entry in field]
        if len(set(categories)) != len(categories):
            raise ValidationError(_("Each category may appear only once."))

    def show_service_error(self, error) -> None:
        """Put a service InvalidInput ("IFS.required_minutes") next to the field it is about."""
        category, _, name = error.field.partition(".")
        for entry in self.requirements:
            if entry.form.category.data == category:
                target = getattr(entry.form, FORM_FIELD_FOR.get(name, name), None)
                if target is not None:
                    target.errors = [*target.errors, error.message]
                    # FieldList keeps the errors it saw while validating; make it see this one too.
                    self.requirements.errors = [e.errors for e in self.requirements.entries]
                    return
        self.form_errors.append(error.message)
