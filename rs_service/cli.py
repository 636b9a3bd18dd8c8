"""`flask --app wsgi rs ...`: administration from the command line.

Every failure is a one-line message on stderr and a non-zero exit, never a traceback.
"""

import functools
from datetime import UTC

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from rs_service.accounts import auth
from rs_service.accounts import service as accounts
from rs_service.accounts.models import ROLES
from rs_service.accounts.passwords import password_problem
from rs_service.domain_errors import Conflict, InvalidInput
from rs_service.extensions import db

rs = AppGroup("rs", help="Administer rs_service.")


def committing(command):
    """Commit what the command did, or roll back and report a clear error."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            result = command(*args, **kwargs)
            db.session.commit()
            return result
        except (InvalidInput, Conflict) as error:
            db.session.rollback()
            raise click.ClickException(f"{error.field}: {error.message}" if error.field else error.message) from None
        except SQLAlchemyError as error:
            db.session.rollback()
            raise click.ClickException(
                f"the database refused the change ({error.__class__.__name__}); "
                "is it reachable and upgraded (flask --app wsgi db upgrade)?"
            ) from None

    return wrapper


def organization_or_fail(slug: str):
    organization = accounts.organization_by_slug(slug)
    if organization is None:
        raise click.ClickException(f"no association with the slug {slug!r} (see rs create-org)")
    return organization


@rs.command("create-org")
@click.argument("slug")
@click.option("--name", required=True, help="The association's name, e.g. 'Michigan AIMH'.")
@click.option("--timezone", "timezone", required=True, help="Default IANA time zone, e.g. America/Detroit.")
@committing
def create_org(slug, name, timezone):
    """Create an association."""
    organization = accounts.create_organization(slug, name, timezone)
    click.echo(f"Created association {organization.slug} ({organization.name}), time zone {organization.timezone}.")


@rs.command("set-organizer")
@click.argument("slug")
@click.argument("email", required=False)
@committing
def set_organizer(slug, email):
    """Set the association's ORGANIZER address for emailed invites (none: MAIL_FROM's address)."""
    organization = accounts.set_organizer(organization_or_fail(slug), email)
    click.echo(f"Invites from {organization.slug} name {organization.organizer_email or 'the MAIL_FROM address'}.")


@rs.command("create-user")
@click.argument("email")
@click.option("--org", "slug", required=True, help="The association's slug.")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", required=True)
@click.option("--password", required=True)
@committing
def create_user(email, slug, role, name, password):
    """Create a person who can log in."""
    problem = password_problem(password, email)
    if problem:
        raise click.ClickException(f"password: {problem}")
    person = accounts.create_person(organization_or_fail(slug), email, name, role, password)
    click.echo(f"Created {person.role} {person.name} <{person.email}> in {slug}.")


@rs.command("create-token")
@click.argument("email")
@click.option("--org", "slug", default=None, help="The association, when the email exists in several.")
@committing
def create_token(email, slug):
    """Print a new API token (the last line of the output)."""
    person = person_or_fail(email, slug)
    issued = auth.issue_api_token(person)
    click.echo(f"API token for {person.name} ({person.role}, {person.organization.slug}),")
    click.echo(f"valid until {issued.expires_at.isoformat(timespec='seconds')}:")
    click.echo(issued.secret)


@rs.command("revoke-tokens")
@click.argument("email")
@click.option("--org", "slug", default=None, help="The association, when the email exists in several.")
@committing
def revoke_tokens(email, slug):
    """Revoke every API token of a person: each answers 401 from then on."""
    person = person_or_fail(email, slug)
    count = auth.revoke_tokens(person)
    click.echo(f"Revoked {count} API token{'' if count == 1 else 's'} of {person.name} ({person.organization.slug}).")


def person_or_fail(email: str, slug: str | None):
    people = accounts.people_by_email(email)
    if slug:
        people = [p for p in people if p.organization.slug == slug]
    if not people:
        raise click.ClickException(f"no person with the email {email!r}")
    if len(people) > 1:
        raise click.ClickException(f"{email} belongs to several associations; name one with --org")
    return people[0]


@rs.command("demo")
@committing
def demo():
    """Seed a demo association (idempotent) and print how to log in."""
    from flask import current_app

    from rs_service.demo import seed_demo

    if current_app.config["RS_ENV"] == "production":
        raise click.ClickException(
            "rs demo creates people with a published password; it refuses to run in production (RS_ENV=production)"
        )
    for line in seed_demo():
        click.echo(line)


class Instant(click.ParamType):
    """An ISO 8601 date and time with a UTC offset ("Z" or "+02:00"); a naive one is refused, since
    the server's zone, UTC and the association's zone would each give a different moment."""

    name = "ISO_DATETIME"

    def convert(self, value, param, ctx):
        from datetime import datetime

        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date and time, e.g. 2026-03-02T15:00:00Z", param, ctx)
        if moment.tzinfo is None or moment.utcoffset() is None:
            self.fail(f"{value!r} has no UTC offset; add one, e.g. {value}Z for UTC", param, ctx)
        return moment.astimezone(UTC)


@rs.command("run-jobs")
@click.option(
    "--at",
    "at",
    type=Instant(),
    default=None,
    help="The moment to run for, with a UTC offset (e.g. 2026-03-02T15:00:00Z); default now.",
)
@committing
def run_jobs(at):
    """Run, once, every background job due at that moment; running it twice sends nothing twice."""
    from rs_service import clock
    from rs_service.notifications.jobs import run_due_jobs

    summary = run_due_jobs(at or clock.now())
    click.echo(str(summary))
    if not summary.ok:
        raise click.ClickException(
            "not everything due was sent (see the summary above and the log); "
            "messages not given up are retried with growing pauses for 48 hours"
        )


@rs.command("scheduler")
def scheduler():
    """Run the background jobs every minute until Ctrl-C (one such process per deployment)."""
    from flask import current_app

    from rs_service.notifications.scheduler import run_scheduler

    run_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]  # a LocalProxy typed as Flask
