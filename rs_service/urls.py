"""Absolute URLs for emails, feeds and certificates, inside a request or not (CLI, scheduler)."""

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values) -> str:
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    return public_url(endpoint, **values)


def public_url(endpoint: str, **values) -> str:
    """Always under PUBLIC_URL, whatever host a request came in on: for identifiers that must never
    change, such as those inside signed credentials."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
