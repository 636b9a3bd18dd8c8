"""Hours received: individual and external RSC, a person's totals, the association's report."""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, case, func

from rs_service import clock
from rs_service.accounts.models import Person
from rs_service.audit.service import record_event
from rs_service.domain_errors import InvalidInput
from rs_service.extensions import db
from rs_service.groups.models import Enrollment, Group, Session
from rs_service.hours import ledger
from rs_service.hours.models import HourEntry
from rs_service.listing import Page, contains, page_of_query


@dataclass(frozen=True)
class ExternalProvider:
    name: str
    category: str | None
    number: str | None
    valid_from: date | None = None
    valid_until: date | None = None


def record_rsc_hours(
    person: Person,
    *,
    entry_date: date,
    minutes: int,
    format: str,
    actor: Person,
    provider: Person | None = None,
    external: ExternalProvider | None = None,
) -> HourEntry:
    """RSC received outside the service's groups, from a provider with an account or an external one."""
    if (provider is None) == (external is None):
        raise InvalidInput(
            field="provider_id", message=_("Give either a provider with an account or an external provider, not both.")
        )
    if provider is not None and provider.id == person.id:
        raise InvalidInput(field="provider_id", message=_("Nobody can provide their own reflective supervision."))
    refuse_future_date(person, entry_date)
    if (
        external is not None
        and external.valid_from
        and external.valid_until
        and external.valid_until < external.valid_from
    ):
        raise InvalidInput(field="valid_until", message=_("The end of the endorsement must not be before its start."))
    snapshot = (
        ledger.provider_snapshot(provider, entry_date)
        if provider is not None
        else ledger.ProviderSnapshot.external(
            external.name.strip(), external.category, external.number, external.valid_from, external.valid_until
        )
    )
    entry = ledger.record_entry(
        organization_id=person.organization_id,
        person_id=person.id,
        entry_date=entry_date,
        minutes=minutes,
        format=format,
        provider=snapshot,
        recorded_by=actor,
    )
    record_event(
        person.organization_id,
        actor,
        "hours.recorded",
        person_id=person.id,
        after={
            "entry_id": entry.id,
            "date": entry_date.isoformat(),
            "minutes": minutes,
            "format": format,
            "provider": snapshot.name,
            "credentials": [c.category for c in snapshot.credentials],
        },
    )
    return entry


def refuse_future_date(person: Person, entry_date: date) -> None:
    """Hours are recorded once received: no date after today where the association works."""
    today = clock.today_in(person.organization.timezone)
    if entry_date > today:
        raise InvalidInput(
            field="date",
            message=_(
                "%(date)s is after today (%(today)s in %(zone)s); record hours once they are received",
                date=entry_date.isoformat(),
                today=today.isoformat(),
                zone=person.organization.timezone,
            ),
        )


@dataclass(frozen=True)
class HoursSummary:
    """A person's hours by kind: group and individual RSC can count; peer supervision never does."""

    person_id: int
    group_minutes: int  # RSC groups only
    individual_minutes: int
    peer_minutes: int
    entries: list[HourEntry]

    @property
    def countable_minutes(self) -> int:
        return self.group_minutes + self.individual_minutes

    @property
    def total_minutes(self) -> int:
        return self.countable_minutes + self.peer_minutes

    @property
    def countable_entries(self) -> list[HourEntry]:
        return [e for e in self.entries if not e.peer]


def hours_of(person: Person, start: date | None = None, end: date | None = None) -> HoursSummary:
    entries = ledger.standing_entries(person.organization_id, person.id, start, end)
    group = sum(e.minutes for e in entries if e.format == "group" and not e.peer)
    individual = sum(e.minutes for e in entries if e.format == "individual" and not e.peer)
    peer = sum(e.minutes for e in entries if e.peer)
    return HoursSummary(person.id, group, individual, peer, entries)


@dataclass(frozen=True)
class ReportRow:
    person_id: int
    name: str
    email: str
    pursuing_category: str | None
    group_minutes: int  # RSC groups only
    individual_minutes: int
    peer_minutes: int
    sessions: int

    @property
    def counting_minutes(self) -> int:
        """What can count toward Endorsement: everything but peer supervision."""
        return self.group_minutes + self.individual_minutes

    @property
    def total_minutes(self) -> int:
        return self.counting_minutes + self.peer_minutes


REPORT_SORTS = tuple(
    f"{direction}{key}"
    for key in ("name", "group", "individual", "peer", "total", "sessions")
    for direction in ("", "-")
)


def hours_report(
    organization_id: int,
    start: date | None,
    end: date | None,
    group_id: int | None = None,
    search: str = "",
    sort: str = "name",
) -> list[ReportRow]:
    """One row per participant (of one group, if given) with totals in the range: one query."""
    query = report_query(organization_id, start, end, group_id, search, sort)
    return [ReportRow(*row) for row in db.session.execute(query)]


def hours_report_page(
    organization_id: int,
    start: date | None,
    end: date | None,
    group_id: int | None = None,
    search: str = "",
    sort: str = "name",
    number: int = 1,
) -> Page[ReportRow]:
    """One page of the report: a count and the page's rows, two queries whatever the number of people."""
    page = page_of_query(report_query(organization_id, start, end, group_id, search, sort), number)
    return Page([ReportRow(*row) for row in page.items], page.total, page.number, page.per_page)


def report_query(
    organization_id: int, start: date | None, end: date | None, group_id: int | None, search: str, sort: str
):
    entries = ledger.standing_entries_query(organization_id).with_only_columns(
        HourEntry.person_id, HourEntry.format, HourEntry.peer, HourEntry.minutes, HourEntry.session_id
    )
    if start:
        entries = entries.where(HourEntry.entry_date >= start)
    if end:
        entries = entries.where(HourEntry.entry_date <= end)
    entries = entries.subquery()
    group_minutes = minutes_where(entries, and_(entries.c.format == "group", entries.c.peer.is_(False)))
    individual_minutes = minutes_where(entries, and_(entries.c.format == "individual", entries.c.peer.is_(False)))
    peer_minutes = minutes_where(entries, entries.c.peer.is_(True))
    sessions = func.count(entries.c.session_id)
    query = (
        db.select(
            Person.id,
            Person.name,
            Person.email,
            Person.pursuing_category,
            group_minutes,
            individual_minutes,
            peer_minutes,
            sessions,
        )
        .outerjoin(entries, entries.c.person_id == Person.id)
        .where(Person.organization_id == organization_id, Person.role == "participant")
        .group_by(Person.id, Person.name, Person.email, Person.pursuing_category)
    )
    if group_id is not None:
        query = query.where(
            Person.id.in_(
                db.select(Enrollment.person_id).where(Enrollment.group_id == group_id, Enrollment.waitlisted.is_(False))
            )
        )
    if search.strip():
        query = query.where(contains(search, Person.name, Person.email))
    orders = {
        "name": Person.name,
        "group": group_minutes,
        "individual": individual_minutes,
        "peer": peer_minutes,
        "total": group_minutes + individual_minutes + peer_minutes,
        "sessions": sessions,
    }
    key = sort.removeprefix("-")
    order = orders.get(key, Person.name)
    return query.order_by(order.desc() if sort.startswith("-") else order, Person.name, Person.id)


def minutes_where(entries, condition):
    return func.coalesce(func.sum(case((condition, entries.c.minutes), else_=0)), 0)


def entry_sessions(entries: list[HourEntry]) -> dict[int, tuple[Session, Group]]:
    """The session and group of each group entry, in one query, for listing entries."""
    ids = {e.session_id for e in entries if e.session_id}
    if not ids:
        return {}
    rows = db.session.execute(db.select(Session, Group).join(Group).where(Session.id.in_(ids)))
    return {session.id: (session, group) for session, group in rows}
