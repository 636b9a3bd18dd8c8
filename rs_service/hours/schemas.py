import marshmallow as ma
from marshmallow import validate

from rs_service.endorsement.categories import CATEGORY_CODES
from rs_service.endorsement.schemas import day
from rs_service.hours.models import FORMATS
from rs_service.schemas import Day, StrictSchema, identifier, text


class ExternalProviderSchema(StrictSchema):
    name = text(200, required=True)
    category = ma.fields.String(required=True, validate=validate.OneOf(CATEGORY_CODES))
    number = text(50, required=True)
    valid_from = day(
        load_default=None, allow_none=True, metadata={"description": "without it the entry is recorded but not counted"}
    )
    valid_until = day(load_default=None, allow_none=True)

    @ma.validates_schema
    def _period(self, data, **kwargs):
        if data.get("valid_from") and data.get("valid_until") and data["valid_until"] < data["valid_from"]:
            raise ma.ValidationError("must not be before valid_from", "valid_until")


class RscHoursSchema(StrictSchema):
    date = day(required=True, metadata={"description": "not after today in the association's time zone"})
    minutes = ma.fields.Integer(required=True, strict=True, validate=validate.Range(1, 24 * 60))
    format = ma.fields.String(required=True, validate=validate.OneOf(FORMATS))
    provider_id = identifier(load_default=None, allow_none=True)
    provider = ma.fields.Nested(ExternalProviderSchema, load_default=None, allow_none=True)

    @ma.validates_schema
    def _one_provider(self, data, **kwargs):
        if (data.get("provider_id") is None) == (data.get("provider") is None):
            raise ma.ValidationError("give either provider_id or provider (name, category, number)", "provider_id")


class RscCorrectionSchema(StrictSchema):
    """`{minutes?, date?, reason}` to correct, or `{void: true, reason}` to void."""

    minutes = ma.fields.Integer(load_default=None, strict=True, validate=validate.Range(1, 24 * 60))
    date = day(load_default=None)
    void = ma.fields.Boolean(load_default=False)
    reason = text(500, required=True)

    @ma.validates_schema
    def _one_change(self, data, **kwargs):
        changes = data.get("minutes") is not None or data.get("date") is not None
        if data.get("void") and changes:
            raise ma.ValidationError("a void takes no minutes or date", "void")
        if not data.get("void") and not changes:
            raise ma.ValidationError("give minutes, a date, or void: true", "minutes")


class RestampRequestSchema(StrictSchema):
    reason = text(500, required=True)


class RestampSchema(ma.Schema):
    restamped = ma.fields.Integer(metadata={"description": "entries reversed and added again with a new stamp"})


class HoursQuerySchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    from_ = Day(data_key="from", load_default=None)
    to = Day(load_default=None)

    @ma.validates_schema
    def _order(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise ma.ValidationError("must not be before from", "to")


class StampedCredentialSchema(ma.Schema):
    category = ma.fields.String()
    number = ma.fields.String(allow_none=True)
    valid_from = ma.fields.Date(allow_none=True)
    valid_until = ma.fields.Date(allow_none=True)


class EntrySchema(ma.Schema):
    id = ma.fields.Integer()
    date = ma.fields.Date(attribute="entry_date")
    minutes = ma.fields.Integer()
    format = ma.fields.String()
    session_id = ma.fields.Integer(allow_none=True)
    peer = ma.fields.Boolean()
    provider_id = ma.fields.Integer(allow_none=True)
    provider_name = ma.fields.String(allow_none=True)
    provider_category = ma.fields.String(allow_none=True)
    provider_credential_number = ma.fields.String(allow_none=True)
    provider_valid_from = ma.fields.Date(allow_none=True)
    provider_valid_until = ma.fields.Date(allow_none=True)
    provider_categories = ma.fields.List(
        ma.fields.String(), metadata={"description": "every credential the provider held on the entry's date"}
    )
    provider_credentials = ma.fields.List(
        ma.fields.Nested(StampedCredentialSchema),
        attribute="credentials",
        metadata={"description": "the credentials stamped on the entry"},
    )
    reason = ma.fields.String(allow_none=True)


class RscCorrectionResultSchema(ma.Schema):
    corrected_entry_id = ma.fields.Integer(attribute="corrected.id")
    reversal_id = ma.fields.Integer(attribute="reversal.id")
    entry = ma.fields.Nested(EntrySchema, attribute="replacement", allow_none=True)


class HoursSchema(ma.Schema):
    person_id = ma.fields.Integer()
    total_minutes = ma.fields.Integer()
    group_minutes = ma.fields.Integer()
    individual_minutes = ma.fields.Integer()
    peer_minutes = ma.fields.Integer(
        metadata={"description": "peer supervision: part of total_minutes, never counted toward Endorsement"}
    )
    entries = ma.fields.List(ma.fields.Nested(EntrySchema))
