import marshmallow as ma
from marshmallow import validate

from rs_service.accounts.models import LANGUAGES, ROLES
from rs_service.accounts.schemas import PersonSchema
from rs_service.endorsement.categories import CATEGORY_CODES
from rs_service.listing import MAX_PER_PAGE, PER_PAGE
from rs_service.people.service import SORTS
from rs_service.schemas import StrictSchema, optional_text, text


class PeopleQuerySchema(ma.Schema):
    """Query strings may carry more than we read (cache busters): unknown keys are left alone."""

    class Meta:
        unknown = ma.EXCLUDE

    role = ma.fields.String(load_default=None, validate=validate.OneOf(ROLES))
    q = ma.fields.String(load_default="", validate=validate.Length(max=200))
    active = ma.fields.Boolean(load_default=None)
    sort = ma.fields.String(load_default="name", validate=validate.OneOf(tuple(SORTS)))
    page = ma.fields.Integer(load_default=1, validate=validate.Range(1, 10**6))
    per_page = ma.fields.Integer(load_default=PER_PAGE, validate=validate.Range(1, MAX_PER_PAGE))


class PeoplePageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(PersonSchema))
    total = ma.fields.Integer()
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()


class PersonChangeSchema(StrictSchema):
    name = text(200)
    email = ma.fields.Email(validate=validate.Length(max=254))
    role = ma.fields.String(validate=validate.OneOf(ROLES))
    pursuing = ma.fields.String(allow_none=True, validate=validate.OneOf(CATEGORY_CODES))
    language = ma.fields.String(validate=validate.OneOf(LANGUAGES))


class ReasonSchema(StrictSchema):
    reason = text(500, required=True)


class OptionalReasonSchema(StrictSchema):
    reason = optional_text(500)


class CredentialEndSchema(StrictSchema):
    valid_until = ma.fields.Date(required=True)


class ImportQuerySchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    dry_run = ma.fields.Boolean(load_default=False)


class ImportResultSchema(ma.Schema):
    created = ma.fields.Integer()
    enrolled = ma.fields.Integer()
    invited = ma.fields.Integer()
    dry_run = ma.fields.Boolean()
