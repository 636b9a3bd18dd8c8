"""The languages people read the service in, and how each request picks one.

A logged-in person reads their own `language`; anyone else gets the language they chose with the
footer switch (a cookie), else the best match for their browser's Accept-Language, else English.
Messages for someone else (emails, invites, PDFs) use `flask_babel.force_locale(person.language)`.
"""

from urllib.parse import urlsplit

from flask import Blueprint, Flask, g, has_request_context, redirect, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import inspect

from rs_service.accounts.models import LANGUAGES

DEFAULT_LANGUAGE = "en"
# Each language named in itself, so a reader finds theirs whatever the page is in.
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
COOKIE = "language"
ONE_YEAR = 365 * 24 * 3600

blp = Blueprint("language", __name__)


def select_locale() -> str:
    person = g.get("caller") or (current_user if current_user and current_user.is_authenticated else None)
    language = loaded_language(person)
    if language in LANGUAGES:
        return str(language)
    if not has_request_context():
        return DEFAULT_LANGUAGE  # a command or a job; messages for someone use force_locale
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def loaded_language(person) -> str | None:
    """The person's language as already loaded, never by a query: an error handler may ask for the
    locale after a failed flush, when the session can run no statement until it is rolled back."""
    if person is None:
        return None
    state = inspect(person, raiseerr=False)
    return state.dict.get("language") if state is not None else getattr(person, "language", None)


def same_site_path(target: str | None, fallback: str) -> str:
    """Only a path on this site, so no link can send people elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return fallback


@blp.route("/language", methods=["POST"])
def choose():
    """The footer switch for pages read without logging in (verify, login, password pages)."""
    language = request.form.get("language", "")
    response = redirect(same_site_path(request.form.get("next"), url_for("accounts.login")))
    if language in LANGUAGES:
        response.set_cookie(COOKIE, language, max_age=ONE_YEAR, samesite="Lax", httponly=True)
    return response


def register_languages(app: Flask) -> None:
    from rs_service.extensions import babel

    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    app.register_blueprint(blp)
    app.jinja_env.globals.update(LANGUAGE_NAMES=LANGUAGE_NAMES, current_language=current_language)


def current_language() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE)
