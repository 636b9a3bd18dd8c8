import marshmallow as ma
from marshmallow import validate

from rs_service.accounts.models import ROLES
from rs_service.endorsement.categories import CATEGORY_CODES
from rs_service.notifications.channels import wants_invites
from rs_service.schemas import Day, StrictSchema, text


def encodable(value: str) -> None:
    """JSON may carry lone surrogates ("\\ud800") that no password hash or database can take."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ma.ValidationError("must be text without lone surrogates") from None


class TokenRequestSchema(StrictSchema):
    email = ma.fields.Email(required=True)
    password = ma.fields.String(required=True, validate=[validate.Length(min=1, max=500), encodable])


class TokenSchema(ma.Schema):
    token = ma.fields.String()
    expires_at = ma.fields.AwareDateTime()


class InvitationSchema(ma.Schema):
    person_id = ma.fields.Integer()
    expires_at = ma.fields.AwareDateTime()


class PersonCreateSchema(StrictSchema):
    email = ma.fields.Email(required=True, validate=validate.Length(max=254))
    name = text(200, required=True)
    role = ma.fields.String(required=True, validate=validate.OneOf(ROLES))
    pursuing_category = ma.fields.String(load_default=None, allow_none=True, validate=validate.OneOf(CATEGORY_CODES))


class PersonSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.String()
    pursuing_category = ma.fields.String(allow_none=True)
    pursuing = ma.fields.Function(lambda person: person.pursuing_category)
    language = ma.fields.String()
    active = ma.fields.Boolean()
    # Whether their session reminders and changes carry a calendar invite (else plain emails).
    calendar_invites = ma.fields.Function(wants_invites)


class CredentialCreateSchema(StrictSchema):
    category = ma.fields.String(required=True, validate=validate.OneOf(CATEGORY_CODES))
    number = text(50, required=True)
    valid_from = Day(required=True)
    valid_until = Day(load_default=None, allow_none=True)

    @ma.validates_schema
    def _period(self, data, **kwargs):
        if data.get("valid_until") and data.get("valid_from") and data["valid_until"] < data["valid_from"]:
            raise ma.ValidationError("must not be before valid_from", "valid_until")


class CredentialSchema(ma.Schema):
    id = ma.fields.Integer()
    person_id = ma.fields.Integer()
    category = ma.fields.String()
    number = ma.fields.String()
    valid_from = ma.fields.Date()
    valid_until = ma.fields.Date(allow_none=True)
