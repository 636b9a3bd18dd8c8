"""Logs: one JSON line per request in production, and never a password or a token in any of them.

A request's line has its id (X-Request-ID, kept from a proxy or made here, and sent back), the
person making it, the route, status and time taken. The route is the URL rule with ids filled in
(`/groups/12`), so secrets that travel in paths (a calendar feed's token, a certificate's code)
stay out of the log; bodies, query strings and headers are never logged.
"""

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request
from flask_login import AnonymousUserMixin
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import inspect as sa_inspect

log = logging.getLogger("rs_service.requests")

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_SECRET_LOOKING = re.compile(r"[A-Za-z0-9_-]{16,}")


def register_logging(app: Flask) -> None:
    configure_logging(app.config["LOG_FORMAT"])
    app.before_request(start_request)
    app.after_request(log_request)


def configure_logging(log_format: str) -> None:
    """Everything to stderr as JSON lines or as text, unless the host process configured logging already."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(json_formatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def json_formatter() -> logging.Formatter:
    return JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level", "name": "logger"})


def start_request() -> None:
    g.request_started = time.perf_counter()
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def log_request(response: Response) -> Response:
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    started = g.get("request_started")
    log.info(
        "%s %s %s",
        request.method,
        route(),
        response.status_code,
        extra={
            "request_id": request_id,
            "person_id": person_id(),
            "method": request.method,
            "route": route(),
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        },
    )
    return response


def route() -> str:
    """The path as its URL rule, with integer ids filled in and anything else left as its name."""
    rule = request.url_rule
    if rule is None:  # no route matched: the path as sent, any token-like part masked
        return _SECRET_LOOKING.sub("…", request.path)[:200]
    ids = {name: value for name, value in (request.view_args or {}).items() if isinstance(value, int)}
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(ids.get(m.group(1), f"<{m.group(1)}>")), rule.rule)


def person_id() -> int | None:
    """Whoever the request was made by, if it already looked them up.

    Read from the identity map: after the request's commit the person's attributes are expired,
    and reading `person.id` would cost a query just for the log.
    """
    person = g.get("caller") or g.get("_login_user")
    if person is None or isinstance(person, AnonymousUserMixin):
        return None
    identity = sa_inspect(person).identity
    return identity[0] if identity else None
