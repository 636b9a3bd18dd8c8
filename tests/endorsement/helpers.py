"""Ledger rows and people for endorsement tests, committed so that requests see them."""

from datetime import UTC, date

from rs_service.extensions import db
from rs_service.hours.ledger import ProviderSnapshot, provider_snapshot, record_entry
from tests.factories import give_credential, make_person

AS_OF = date(2025, 12, 31)


def monthly(first: date, months: int, day: int = 10) -> list[date]:
    """One date a month for `months` months from `first`'s month."""
    dates, year, month = [], first.year, first.month
    for _ in range(months):
        dates.append(date(year, month, day))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dates


def provider(organization, category="IMHS", valid_from=date(2020, 1, 1), valid_until=None, name=None):
    """A facilitator holding one credential."""
    person = make_person(organization, "facilitator", name=name)
    give_credential(person, category, valid_from, valid_until)
    return person


def add_hours(person, source, dates, minutes=60, fmt="group", peer=False, session_id=None, verified=True):
    """Entries for `person`; `source` is a provider Person (snapshotted per date) or a ProviderSnapshot."""
    entries = []
    for day in dates:
        snapshot = source if isinstance(source, ProviderSnapshot) else provider_snapshot(source, day)
        entries.append(
            record_entry(
                organization_id=person.organization_id,
                person_id=person.id,
                entry_date=day,
                minutes=minutes,
                format=fmt,
                provider=snapshot,
                recorded_by=None,
                peer=peer,
                session_id=session_id,
                verified=verified,
            )
        )
    db.session.commit()
    return entries


def full_year(person, source, year=2025, minutes=60, verified=True):
    """Twice a month for a calendar year: 24 entries, 24 h at 60 minutes."""
    return add_hours(
        person,
        source,
        monthly(date(year, 1, 1), 12, 10) + monthly(date(year, 1, 1), 12, 24),
        minutes,
        verified=verified,
    )


def recent_year(person, source, minutes=60):
    """24 entries over the 12 whole months before the current one, so 'today' judgements see a full year."""
    from dateutil.relativedelta import relativedelta

    from rs_service.endorsement.requirements import today_for

    first = today_for(person.organization).replace(day=1) - relativedelta(months=12)
    return add_hours(person, source, monthly(first, 12, 5) + monthly(first, 12, 15), minutes)


def make_session(organization, name="Tuesday RS group", starts_at=None, minutes=90, kind="rsc"):
    """A group with one session, for entries that come from attendance."""
    from datetime import datetime, time

    from rs_service.groups.models import Group, Session

    starts_at = starts_at or datetime(2025, 3, 4, 15, 0, tzinfo=UTC)
    group = Group(
        organization_id=organization.id,
        name=name,
        timezone="America/Detroit",
        rrule="FREQ=WEEKLY",
        first_date=starts_at.date(),
        until=starts_at.date(),
        start_time=time(10, 0),
        duration_minutes=minutes,
        capacity=12,
        kind=kind,
    )
    db.session.add(group)
    db.session.flush()
    session = Session(group_id=group.id, original_starts_at=starts_at, starts_at=starts_at, duration_minutes=minutes)
    db.session.add(session)
    db.session.commit()
    return session
