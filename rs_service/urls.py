"""Absolute URLs for emails, feeds and certificates, inside a request or not (CLI, scheduler);
URLs for the rows of long lists, built once per list.

Always built from PUBLIC_URL, never from the request's Host header: a forged Host would otherwise
point feed URLs, verify links and a certificate's QR code at someone else's site.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, url_for

from rs_service.database import MAX_ID


def external_url(endpoint: str, **values) -> str:
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


@dataclass(frozen=True)
class IdUrl:
    """The URL of one endpoint for any id, built once: a long list links each row without url_for per row."""

    before: str
    after: str

    def __call__(self, id: int) -> str:
        return f"{self.before}{int(id)}{self.after}"


def id_url(endpoint: str, key: str, **values: Any) -> IdUrl:
    """`IdUrl` for `endpoint` whose `key` (an <int:...> part of the rule) varies; the rest is `values`."""
    values[key] = MAX_ID
    built = url_for(endpoint, **values)
    before, found, after = built.partition(str(MAX_ID))
    if not found:
        raise ValueError(f"{endpoint} does not put {key} in its path")
    return IdUrl(before, after)
