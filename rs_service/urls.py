"""Absolute URLs for emails, feeds and certificates, inside a request or not (CLI, scheduler).

Always built from PUBLIC_URL, never from the request's Host header: a forged Host would otherwise
point feed URLs, verify links and a certificate's QR code at someone else's site.
"""

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
