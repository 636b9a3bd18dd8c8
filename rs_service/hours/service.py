"""Hours received: individual and external RSC, a person's totals, the association's report."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import case, func

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
        ledger.ProviderSnapshot.external(
            external.name.strip(), external.category, external.number, external.valid_from, external.valid_until
        )
        if external is not None
        else ledger.provider_snapshot(provider, entry_date)
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
) -> Iterator[ReportRow]:
    """One row per participant (of one group, if given) with totals in the range: one aggregate query.

    Its rows (one per participant, never one per ledger entry) come back in one fetch: a server-side
    cursor would cost PostgreSQL its parallel plan, and the CSV is still written row by row as it
    streams out."""
    query = report_query(organization_id, start, end, group_id, search, sort)
    for row in db.session.execute(query):
        yield ReportRow(*row)


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
    """Each participant's totals net of corrections, in one aggregate over the ledger.

    A reversal is its entry's negative twin (same person, date, format, peer flag and session;
    ledger.reverse_entry), so summing every row in the range nets each corrected entry to zero,
    and counting +1 for an entry and -1 for a reversal counts the sessions still standing: the
    same figures as summing standing entries, without looking up each row's reversal.
    """
    countable = HourEntry.peer.is_(False)
    totals = db.select(
        HourEntry.person_id,
        func.sum(HourEntry.minutes).filter(HourEntry.format == "group", countable).label("group_minutes"),
        func.sum(HourEntry.minutes).filter(HourEntry.format == "individual", countable).label("individual_minutes"),
        func.sum(HourEntry.minutes).filter(HourEntry.peer.is_(True)).label("peer_minutes"),
        func.sum(case((HourEntry.minutes > 0, 1), else_=-1))
        .filter(HourEntry.session_id.is_not(None))
        .label("sessions"),
    ).where(HourEntry.organization_id == organization_id)
    if start:
        totals = totals.where(HourEntry.entry_date >= start)
    if end:
        totals = totals.where(HourEntry.entry_date <= end)
    totals = totals.group_by(HourEntry.person_id).subquery()
    group_minutes = func.coalesce(totals.c.group_minutes, 0)
    individual_minutes = func.coalesce(totals.c.individual_minutes, 0)
    peer_minutes = func.coalesce(totals.c.peer_minutes, 0)
    sessions = func.coalesce(totals.c.sessions, 0)
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
        .outerjoin(totals, totals.c.person_id == Person.id)
        .where(Person.organization_id == organization_id, Person.role == "participant")
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


def entry_sessions(entries: list[HourEntry]) -> dict[int, tuple[Session, Group]]:
    """The session and group of each group entry, in one query, for listing entries."""
    ids = {e.session_id for e in entries if e.session_id}
    if not ids:
        return {}
    rows = db.session.execute(db.select(Session, Group).join(Group).where(Session.id.in_(ids)))
    return {session.id: (session, group) for session, group in rows}
