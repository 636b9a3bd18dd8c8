import marshmallow as ma
from marshmallow import validate

from rs_service.accounts.schemas import StrictSchema, identifier, text
from rs_service.date_bounds import day
from rs_service.endorsement.categories import CATEGORY_CODES
from rs_service.hours.models import FORMATS


class ExternalProviderSchema(StrictSchema):
    name = text(200, required=True)
    category = ma.fields.String(required=True, validate=validate.OneOf(CATEGORY_CODES))
    number = text(50, required=True)
    valid_from = day(load_default=None, allow_none=True)
    valid_until = day(load_default=None, allow_none=True)


class RscHoursSchema(StrictSchema):
    date = day(required=True)
    minutes = ma.fields.Integer(required=True, strict=True, validate=validate.Range(1, 24 * 60))
    format = ma.fields.String(required=True, validate=validate.OneOf(FORMATS))
    provider_id = identifier(load_default=None, allow_none=True)
    provider = ma.fields.Nested(ExternalProviderSchema, load_default=None, allow_none=True)

    @ma.validates_schema
    def _one_provider(self, data, **kwargs):
        if (data.get("provider_id") is None) == (data.get("provider") is None):
            raise ma.ValidationError("give either provider_id or provider (name, category, number)", "provider_id")


class HoursQuerySchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    from_ = day(data_key="from", load_default=None)
    to = day(load_default=None)

    @ma.validates_schema
    def _order(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise ma.ValidationError("must not be before from", "to")


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
    reason = ma.fields.String(allow_none=True)


class HoursSchema(ma.Schema):
    person_id = ma.fields.Integer()
    total_minutes = ma.fields.Integer()
    group_minutes = ma.fields.Integer()
    individual_minutes = ma.fields.Integer()
    entries = ma.fields.List(ma.fields.Nested(EntrySchema))
