"""Fields every API schema shares: strict bodies, ids the database can hold, single-line text,
and dates and instants within the range the service works in."""

from datetime import UTC, date, datetime
from typing import Any

import marshmallow as ma
from marshmallow import validate

from rs_service.database import MAX_ID
from rs_service.date_bounds import OUT_OF_RANGE, day_problem
from rs_service.text import single_line_problem


class StrictSchema(ma.Schema):
    """Unknown fields are an error, so a typo never passes silently."""

    class Meta:
        unknown = ma.RAISE


def identifier(**kwargs: Any) -> ma.fields.Integer:
    """An id in a request body: a whole number the database can hold."""
    return ma.fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


class SingleLineText(ma.fields.String):
    """Text for one line (a name, a number, a reason): no control characters, no lone surrogates."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = single_line_problem(text)
        if problem:
            raise ma.ValidationError(problem)
        return text.strip()


def text(max_length: int, **kwargs: Any) -> SingleLineText:
    return SingleLineText(validate=validate.Length(min=1, max=max_length), **kwargs)


def optional_text(max_length: int, **kwargs: Any) -> SingleLineText:
    return SingleLineText(load_default=None, allow_none=True, validate=validate.Length(max=max_length), **kwargs)


class Day(ma.fields.Date):
    """A calendar date between 1900 and 2200: outside that, no schedule, ledger or window makes sense."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        day = super()._deserialize(value, attr, data, **kwargs)
        problem = day_problem(day)
        if problem:
            raise ma.ValidationError(problem)
        return day


class BoundedInstant(ma.fields.AwareDateTime):
    """ISO 8601 with a UTC offset, between 1900 and 2200 (checked without arithmetic that could overflow)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        instant = super()._deserialize(value, attr, data, **kwargs)
        try:
            utc_day = instant.astimezone(UTC).date()
        except OverflowError:
            utc_day = None
        problem = day_problem(utc_day) if utc_day else OUT_OF_RANGE
        if problem:
            raise ma.ValidationError(problem)
        return instant


class ErrorSchema(ma.Schema):
    """The one body of every error the API answers (see rs_service.errors.error_payload)."""

    code = ma.fields.Integer(required=True, metadata={"description": "The HTTP status code"})
    status = ma.fields.String(required=True, metadata={"description": "The status's name, e.g. Not Found"})
    message = ma.fields.String(required=True, metadata={"description": "What went wrong, in words"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        required=True,
        metadata={
            "description": "Problems by field (`_state` when no field is to blame): a list of messages, "
            "or for a list or nested field the same shape again"
        },
    )
