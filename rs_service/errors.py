"""One error shape for every /api/ path; friendly pages everywhere else.

No handler queries the database: the request boundary rolls back every response of 400 and up, and a
page answering a failed flush rolls back first (`end_failed_transaction`), since it reads who is logged in.
"""

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from flask import jsonify, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_smorest import Api, Blueprint
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from werkzeug.exceptions import Conflict as WerkzeugConflict
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable, UnprocessableEntity

from rs_service.domain_errors import Conflict, InvalidInput
from rs_service.schemas import ErrorSchema

log = logging.getLogger(__name__)

__all__ = ["Conflict", "InvalidInput", "put_on_form"]


def put_on_form(form, error: InvalidInput | Conflict, field=None) -> None:
    """The domain's message on the form field it concerns (given, or the form's field named like the error's),
    else on the form as a whole."""
    if field is None and error.field:
        field = getattr(form, "_fields", {}).get(error.field)
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def handle_domain_error(error: InvalidInput | Conflict):
    answer = (UnprocessableEntity if error.status == 422 else WerkzeugConflict)(description=error.message)
    if is_api_request():
        return jsonify(error_payload(answer, {"errors": {error.field or "_state": [error.message]}})), error.status
    return render_error_page(answer)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def error_payload(error: HTTPException, data: dict | None = None) -> dict:
    """The one error body of the API; *data* (else the error's own, set by webargs) carries the field errors."""
    data = data or getattr(error, "data", None) or {}
    errors = data.get("errors", data.get("messages", {}))
    return {
        "code": error.code,
        "status": error.name,
        "message": data.get("message") or error.description,
        "errors": _merge_locations(errors),
    }


def _merge_locations(errors: dict) -> dict:
    """webargs nests field errors under their location ("json", "query"); integrators want fields."""
    locations = {"json", "query", "form", "view_args", "headers", "files"}
    if errors and set(errors) <= locations and all(isinstance(v, dict) for v in errors.values()):
        merged = {}
        for fields in errors.values():
            merged.update(fields)
        return merged
    return errors


class ServiceApi(Api):
    ERROR_SCHEMA = ErrorSchema  # every error response the OpenAPI document declares has this body

    def handle_http_exception(self, error):
        if not is_api_request():
            return render_error_page(error)
        payload = error_payload(error)
        headers = {**((getattr(error, "data", None) or {}).get("headers") or {}), **protocol_headers(error)}
        return payload, error.code, headers


class ApiBlueprint(Blueprint):
    def errors(self, *codes: int) -> Callable[[Any], Any]:
        """Declare in the OpenAPI document the error answers an operation gives, each with ErrorSchema's body.

        422 needs no declaring where `arguments` validates a body or query: flask-smorest declares it there.
        """

        def declare(view: Any) -> Any:
            for code in codes:
                view = self.alt_response(code, response=HTTPStatus(code).name)(view)
            return view

        return declare


def protocol_headers(error: HTTPException) -> dict:
    """Headers HTTP asks of the error itself: Allow on a 405, Retry-After on a 429 or 503."""
    return {name: value for name, value in error.get_headers() if name in ("Allow", "Retry-After")}


def render_error_page(error: HTTPException):
    if request_ctx.url_adapter is None:  # a Host outside TRUSTED_HOSTS: no link can be built, so no page
        return f"{error.code} {error.name}", error.code, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("error.html", error=error), error.code, protocol_headers(error)


def handle_integrity_error(error: IntegrityError):
    log.info("integrity error answered as 409: %s", error.orig)
    if not is_api_request():
        end_failed_transaction()
    conflict = WerkzeugConflict(description=_("That conflicts with existing data; reload and try again."))
    if is_api_request():
        return jsonify(error_payload(conflict)), 409
    return render_error_page(conflict)


def end_failed_transaction() -> None:
    """After a failed flush the session runs nothing until rolled back, and a page reads the person
    logged in (their name, their language): roll back first, as the request boundary would anyway."""
    from rs_service.extensions import db

    db.session.rollback()


def handle_data_error(error: DataError):
    """A value the database cannot hold (a number too large, say) that validation let through."""
    log.warning("data error answered as 422: %s", error.orig)
    if not is_api_request():
        end_failed_transaction()
    return handle_domain_error(
        InvalidInput(field="_value", message=_("A value is out of the range this service accepts."))
    )


def handle_database_unavailable(error: SQLAlchemyError):
    """A locked or unreachable database is a moment to wait, not a bug: 503 and nothing changed."""
    log.warning("database unavailable on %s %s: %s", request.method, request.path, getattr(error, "orig", error))
    busy = ServiceUnavailable(description=_("The database is busy or unreachable; try again in a moment."))
    if is_api_request():
        return jsonify(error_payload(busy)), 503
    return render_error_page(busy)


def handle_unexpected_error(error: Exception):
    if isinstance(error, HTTPException):
        return error
    log.exception("unexpected error on %s %s", request.method, request.path)
    failure = InternalServerError()
    if is_api_request():
        return jsonify(error_payload(failure)), 500
    return render_error_page(failure)
