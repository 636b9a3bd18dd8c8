"""Security headers on every answer: one small after-request step.

The pages need no JavaScript (static/enhance.js only adds shortcuts) and load nothing from
elsewhere; their only styling is style.css and SVG presentation attributes, so the policy allows
our own origin and nothing inline. No page may
be framed (clickjacking of staff forms). HSTS only in production, which is served over HTTPS.
"""

from flask import Flask, Response, current_app

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
ONE_YEAR = 365 * 24 * 3600


def register_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config["RS_ENV"] == "production":
        headers.setdefault("Strict-Transport-Security", f"max-age={ONE_YEAR}; includeSubDomains")
    return response
