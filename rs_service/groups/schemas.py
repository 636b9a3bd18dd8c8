from zoneinfo import ZoneInfo

import marshmallow as ma
from marshmallow import validate

from rs_service.groups.models import GROUP_KINDS, LONGEST_SESSION_MINUTES
from rs_service.schemas import BoundedInstant, Day, StrictSchema, identifier, optional_text, text

SESSION_LENGTH = validate.Range(1, LONGEST_SESSION_MINUTES)


class LocalTime(ma.fields.Time):
    """`HH:MM` local wall-clock time."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
            raise ma.ValidationError("use HH:MM, e.g. 10:00")
        return super()._deserialize(value, attr, data, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return value.strftime("%H:%M") if value else None


class Instant(BoundedInstant):
    """ISO 8601 with a UTC offset; answers are written in the group's time zone."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        zone = getattr(obj, "group", None)
        local = value.astimezone(ZoneInfo(zone.timezone)) if zone is not None else value
        return local.isoformat()


class GroupCreateSchema(StrictSchema):
    name = text(200, required=True)
    facilitator_ids = ma.fields.List(identifier(), required=True, validate=validate.Length(min=1, max=10))
    timezone = text(64, required=True)
    first_date = Day(required=True)
    until = Day(required=True)
    start_time = LocalTime(required=True)
    duration_minutes = ma.fields.Integer(required=True, strict=True, validate=SESSION_LENGTH)
    rrule = text(500, required=True)
    capacity = ma.fields.Integer(required=True, strict=True, validate=validate.Range(1, 500))
    kind = ma.fields.String(load_default="rsc", validate=validate.OneOf(GROUP_KINDS))
    location = optional_text(300)
    join_url = ma.fields.Url(
        load_default=None, allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=500)
    )
    blackout_dates = ma.fields.List(Day(), load_default=list, validate=validate.Length(max=100))
    provider_id = identifier(
        load_default=None,
        allow_none=True,
        metadata={"description": "the facilitator whose credentials stand behind the hours; default the first"},
    )

    @ma.validates_schema
    def _range(self, data, **kwargs):
        if data.get("first_date") and data.get("until") and data["until"] < data["first_date"]:
            raise ma.ValidationError("must not be before first_date", "until")


class SeriesChangeSchema(StrictSchema):
    from_date = Day(required=True)
    start_time = LocalTime(load_default=None)
    duration_minutes = ma.fields.Integer(load_default=None, strict=True, validate=SESSION_LENGTH)
    rrule = text(500, load_default=None)
    until = Day(load_default=None)


class GroupChangeSchema(StrictSchema):
    name = ma.fields.String(validate=validate.Length(min=1, max=200))
    capacity = ma.fields.Integer(strict=True, validate=validate.Range(1, 500))
    facilitator_ids = ma.fields.List(identifier(), validate=validate.Length(min=1, max=10))
    provider_id = identifier(allow_none=True)
    location = ma.fields.String(allow_none=True, validate=validate.Length(max=300))
    join_url = ma.fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=500))
    description = ma.fields.String(allow_none=True, validate=validate.Length(max=2000))


class GroupSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    facilitator_ids = ma.fields.Method("_facilitator_ids")
    timezone = ma.fields.String()
    first_date = ma.fields.Date()
    until = ma.fields.Date()
    start_time = LocalTime()
    duration_minutes = ma.fields.Integer()
    rrule = ma.fields.String()
    capacity = ma.fields.Integer()
    kind = ma.fields.String()
    location = ma.fields.String(allow_none=True)
    join_url = ma.fields.String(allow_none=True)
    description = ma.fields.String(allow_none=True)
    blackout_dates = ma.fields.Method("_blackout_dates")
    session_count = ma.fields.Integer()
    provider_id = ma.fields.Method("_provider_id")

    def _facilitator_ids(self, group):
        return [f.id for f in group.facilitators]

    def _provider_id(self, group):
        provider = group.provider_of_record
        return provider.id if provider else None

    def _blackout_dates(self, group):
        return [b.day.isoformat() for b in group.blackout_dates]


class SessionSchema(ma.Schema):
    id = ma.fields.Integer()
    group_id = ma.fields.Integer()
    starts_at = Instant()
    ends_at = ma.fields.Method("_ends_at")
    original_starts_at = Instant()
    duration_minutes = ma.fields.Integer()
    status = ma.fields.String()
    sequence = ma.fields.Integer()
    signed_off = ma.fields.Boolean()
    cancel_reason = ma.fields.String(allow_none=True)

    def _ends_at(self, session):
        return session.ends_at.astimezone(ZoneInfo(session.group.timezone)).isoformat()


class SessionChangeSchema(StrictSchema):
    starts_at = Instant(load_default=None)
    duration_minutes = ma.fields.Integer(load_default=None, strict=True, validate=SESSION_LENGTH)

    @ma.validates_schema
    def _something(self, data, **kwargs):
        if data.get("starts_at") is None and data.get("duration_minutes") is None:
            raise ma.ValidationError("give starts_at, duration_minutes or both", "starts_at")


class CancelSchema(StrictSchema):
    reason = text(500, required=True)


class EnrollSchema(StrictSchema):
    person_id = identifier(required=True)
    joined_on = Day(load_default=None)
    waitlist = ma.fields.Boolean(load_default=False)


class WithdrawSchema(StrictSchema):
    left_on = Day(required=True)


class EnrollmentSchema(ma.Schema):
    id = ma.fields.Integer()
    group_id = ma.fields.Integer()
    person_id = ma.fields.Integer()
    joined_on = ma.fields.Date()
    left_on = ma.fields.Date(allow_none=True)
    waitlisted = ma.fields.Boolean()
