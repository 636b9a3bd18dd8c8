import marshmallow as ma
from marshmallow import validate

from rs_service.endorsement.categories import CATEGORY_CODES
from rs_service.endorsement.requirements import EARLIEST_DATE, LATEST_DATE
from rs_service.schemas import Day, StrictSchema, identifier, text


def day(**kwargs):
    """A date within the years Endorsement rules are judged in (narrower than the service's own bounds)."""
    return Day(validate=validate.Range(min=EARLIEST_DATE, max=LATEST_DATE), **kwargs)


def category(**kwargs):
    return ma.fields.String(validate=validate.OneOf(CATEGORY_CODES), **kwargs)


class AsOfQuerySchema(StrictSchema):
    as_of = day(load_default=None)


class EligibilityQuerySchema(StrictSchema):
    category = category(load_default=None, metadata={"description": "default: the category the person pursues"})
    as_of = day(load_default=None, metadata={"description": "default: today in the association's time zone"})


class RequirementSchema(ma.Schema):
    category = ma.fields.String()
    name = ma.fields.String()
    required_minutes = ma.fields.Integer()
    window_months = ma.fields.Integer()
    min_span_months = ma.fields.Integer()
    provider_categories = ma.fields.List(ma.fields.String())
    max_sources = ma.fields.Integer(allow_none=True)
    version = ma.fields.Integer(attribute="requirement_set.version")
    effective_from = ma.fields.Date(attribute="requirement_set.effective_from")
    rsc_required = ma.fields.Boolean()
    majority_rule = ma.fields.Boolean()
    renewal_minutes = ma.fields.Integer(allow_none=True)
    renewal_due = ma.fields.String(metadata={"description": "the yearly date renewal RSC is due, MM-DD"})


class EligibilitySchema(ma.Schema):
    category = ma.fields.String()
    eligible = ma.fields.Boolean()
    counted_minutes = ma.fields.Integer()
    required_minutes = ma.fields.Integer()
    window_start = ma.fields.Date()
    window_end = ma.fields.Date()
    reasons = ma.fields.List(ma.fields.String())
    counted_entry_ids = ma.fields.List(ma.fields.Integer())
    excluded = ma.fields.Method("excluded_entries", metadata={"description": "in-window entries that did not count"})
    span_months = ma.fields.Integer()
    rule_version = ma.fields.Integer(allow_none=True)

    def excluded_entries(self, result):
        return [{"entry_id": entry_id, "reason": why} for entry_id, why in result.excluded]


class CertificateRequestSchema(StrictSchema):
    person_id = identifier(required=True)
    category = category(required=True)
    as_of = day(load_default=None)


class RevokeRequestSchema(StrictSchema):
    reason = text(500, required=True)


class ConfirmRequestSchema(StrictSchema):
    reason = text(500, required=True, metadata={"description": "why the certificate stands after the correction"})


class CertificateSchema(ma.Schema):
    """What the issuing association sees."""

    code = ma.fields.String()
    verify_url = ma.fields.String()
    person_id = ma.fields.Integer()
    category = ma.fields.String()
    counted_minutes = ma.fields.Integer()
    window_start = ma.fields.Date()
    window_end = ma.fields.Date()
    issued_at = ma.fields.DateTime()
    status = ma.fields.String()
    under_review = ma.fields.Boolean()
    review_since = ma.fields.Date(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)
    rule_version = ma.fields.Integer()


class PublicCertificateSchema(ma.Schema):
    """What anyone holding the code sees: only what a reviewer needs."""

    code = ma.fields.String()
    status = ma.fields.String()
    under_review = ma.fields.Boolean(
        metadata={"description": "an entry it counted was corrected; true until staff confirm or revoke it"}
    )
    review_since = ma.fields.Date(allow_none=True, metadata={"description": "in the issuing association's zone"})
    person_name = ma.fields.String()
    category = ma.fields.String()
    category_name = ma.fields.String()
    counted_minutes = ma.fields.Integer()
    hours = ma.fields.String(metadata={"description": "clock hours with two decimals"})
    window_start = ma.fields.Date()
    window_end = ma.fields.Date()
    issued_at = ma.fields.DateTime()
    revoked_at = ma.fields.DateTime(allow_none=True)
    issuer = ma.fields.String(metadata={"description": "the association that issued the certificate"})
