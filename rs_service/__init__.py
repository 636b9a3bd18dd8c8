"""rs_service: reflective supervision groups and the Endorsement hours earned in them."""

from pathlib import Path

from flask import Flask

from config import INSTANCE_DIR, load_config
from rs_service.i18n import register_languages
from rs_service.rate_limits import register_rate_limits
from rs_service.request_limits import register_request_limits
from rs_service.request_log import register_logging
from rs_service.secret_key import ensure_secret_key
from rs_service.security_headers import register_security_headers
from rs_service.templating import register_template_helpers


def create_app(env: str | None = None, overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(INSTANCE_DIR), template_folder="../templates")
    app.config.from_mapping(load_config(env))
    app.config.from_mapping(overrides or {})
    register_logging(app)  # first: its after-request step then runs last and logs the final status
    ensure_secret_key(app)
    register_extensions(app)
    register_request_limits(app)
    register_languages(app)
    register_blueprints(app)
    register_rate_limits(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_request_boundary(app)
    register_security_headers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext

    from rs_service import models  # noqa: F401  (every table known before migrate binds)
    from rs_service.extensions import api, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = lazy_gettext("Please log in to see that page.")
    api.init_app(app)
    limiter.init_app(app)


def register_blueprints(app: Flask) -> None:
    from rs_service.accounts import api as accounts_api
    from rs_service.accounts import password_views
    from rs_service.accounts import views as accounts_views
    from rs_service.accounts.profile import blp as profile_blp
    from rs_service.attendance import api as attendance_api
    from rs_service.attendance import views as attendance_views
    from rs_service.calendars import api as calendars_api
    from rs_service.calendars import views as calendars_views
    from rs_service.endorsement import api as endorsement_api
    from rs_service.endorsement import badges_views, records_api, records_views, renewal_api, renewal_views
    from rs_service.endorsement import views as endorsement_views
    from rs_service.extensions import api, csrf
    from rs_service.groups import api as groups_api
    from rs_service.groups import views as groups_views
    from rs_service.health import blp as health_blp
    from rs_service.hours import api as hours_api
    from rs_service.hours import views as hours_views
    from rs_service.notifications import views as notifications_views
    from rs_service.people import api as people_api
    from rs_service.people import views as people_views

    app.register_blueprint(health_blp)
    app.register_blueprint(accounts_views.blp)
    app.register_blueprint(profile_blp)
    app.register_blueprint(password_views.blp)
    app.register_blueprint(groups_views.blp)
    app.register_blueprint(calendars_views.blp)
    app.register_blueprint(attendance_views.blp)
    app.register_blueprint(hours_views.blp)
    app.register_blueprint(endorsement_views.blp)
    app.register_blueprint(renewal_views.blp)
    app.register_blueprint(records_views.blp)
    app.register_blueprint(badges_views.blp)
    app.register_blueprint(people_views.blp)
    app.register_blueprint(notifications_views.blp)
    for blueprint in (
        accounts_api.blp,
        groups_api.blp,
        calendars_api.blp,
        attendance_api.blp,
        hours_api.blp,
        endorsement_api.blp,
        renewal_api.blp,
        records_api.blp,
        people_api.blp,
    ):
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)  # bearer tokens, not cookies: nothing for a forged form to ride on


def register_errorhandlers(app: Flask) -> None:
    from sqlalchemy.exc import DataError, IntegrityError, OperationalError

    from rs_service.errors import (
        Conflict,
        InvalidInput,
        handle_data_error,
        handle_database_unavailable,
        handle_domain_error,
        handle_integrity_error,
        handle_unexpected_error,
    )

    app.register_error_handler(InvalidInput, handle_domain_error)
    app.register_error_handler(Conflict, handle_domain_error)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(DataError, handle_data_error)
    app.register_error_handler(Exception, handle_unexpected_error)


def register_request_boundary(app: Flask) -> None:
    """One transaction per request: services flush, the boundary commits or rolls back."""
    from sqlalchemy.exc import IntegrityError, SQLAlchemyError

    from rs_service.errors import handle_database_unavailable, handle_integrity_error
    from rs_service.extensions import db

    @app.after_request
    def commit_or_roll_back(response):
        if response.status_code >= 400:
            db.session.rollback()
            return response
        try:
            db.session.commit()
        except SQLAlchemyError as error:  # the view's answer would be a lie: nothing was saved
            db.session.rollback()
            if isinstance(error, IntegrityError):
                return app.make_response(handle_integrity_error(error))
            return app.make_response(handle_database_unavailable(error))
        return response


def register_commands(app: Flask) -> None:
    from rs_service.cli import rs

    app.cli.add_command(rs)
