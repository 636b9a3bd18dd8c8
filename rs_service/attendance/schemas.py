import marshmallow as ma
from marshmallow import validate

from rs_service.attendance.models import STATUSES
from rs_service.schemas import StrictSchema, identifier, text


class MarkSchema(StrictSchema):
    person_id = identifier(required=True)
    status = ma.fields.String(required=True, validate=validate.OneOf(STATUSES))
    minutes = ma.fields.Integer(load_default=None, allow_none=True, strict=True)


class AttendanceSaveSchema(StrictSchema):
    records = ma.fields.List(ma.fields.Nested(MarkSchema), required=True, validate=validate.Length(max=500))
    version = ma.fields.Integer(load_default=None, allow_none=True, strict=True)


class RecordSchema(ma.Schema):
    person_id = ma.fields.Integer()
    name = ma.fields.String()
    status = ma.fields.String()
    minutes = ma.fields.Integer()  # minutes credited
    minutes_present = ma.fields.Integer(allow_none=True)  # as entered, for late and left early


class AttendanceSchema(ma.Schema):
    session_id = ma.fields.Integer()
    signed_off = ma.fields.Boolean()
    signed_off_at = ma.fields.AwareDateTime(allow_none=True)
    version = ma.fields.Integer()
    records = ma.fields.List(ma.fields.Nested(RecordSchema))


class CorrectionSchema(StrictSchema):
    status = ma.fields.String(required=True, validate=validate.OneOf(STATUSES))
    minutes = ma.fields.Integer(load_default=None, allow_none=True, strict=True)
    reason = text(500, required=True)
