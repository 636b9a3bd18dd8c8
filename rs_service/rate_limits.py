"""Rate limits on lookups by a secret in the URL, so that nobody can try codes by the thousand.

A calendar feed's token and a certificate's code are the only credential those URLs need; the
limits are far above what a calendar app or a person verifying a certificate ever does. The
limiter itself (rs_service.extensions.limiter) counts per client address, in memory or in Redis.
"""

from typing import cast

from flask import Flask, current_app
from flask.typing import RouteCallable
from werkzeug.middleware.proxy_fix import ProxyFix

from rs_service.extensions import limiter

LOOKUPS_BY_SECRET = (
    "calendars.feed",  # /calendar/<token>.ics
    "endorsement.verify",  # /verify/<code>
    "endorsement_api.verify_certificate",  # GET /api/v1/certificates/<code>
)


def lookup_limit() -> str:
    return current_app.config["LOOKUP_RATE_LIMIT"]


def register_rate_limits(app: Flask) -> None:
    for endpoint in LOOKUPS_BY_SECRET:
        limited = limiter.limit(lookup_limit, scope="lookup-by-secret")(app.view_functions[endpoint])
        app.view_functions[endpoint] = cast(RouteCallable, limited)
    if app.config["PROXY_COUNT"]:
        # Behind a reverse proxy every request comes from the proxy: count the client it names instead.
        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
