"""Yearly renewal of an endorsement: a pure rule beside `rules.assess_eligibility`.

No Flask, no database. For a person's credentials, their ledger entries (net of corrections),
the association's renewal rule for a category and an as-of date D:

* Endorsed: a credential of the category is valid on D. `endorsed_since` is the start of the
  unbroken run of such credentials (a renewal recorded as a new credential row continues it).
* Due dates fall every year on the rule's `renewal_due` (``MM-DD``). The first one is the first
  due date at least a year after `endorsed_since`: nobody renews an endorsement granted weeks ago.
* What counts toward a due date: qualifying RSC (as for an application: verified, not peer, the
  provider's recorded credential qualifying and valid on the day) received in the 12 months up
  to and including it, and no later than D.
* `due_on`: if the latest due date before D (from the first one on) was missed, that one, and the
  person is `overdue` until the next due date comes, when that year is judged on its own.
  Otherwise the next due date on or after D (or the first, when later): `met` once the counted
  minutes reach the rule's minutes, `due` before that.
* A category that asks no renewal RSC (0 minutes) is always `met` while endorsed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from flask_babel import gettext

from rs_service.endorsement import rules

MET = "met"
DUE = "due"
OVERDUE = "overdue"
NOT_ENDORSED = "not_endorsed"
STATUSES = (MET, DUE, OVERDUE, NOT_ENDORSED)
WINDOW_MONTHS = 12  # RSC counted toward a renewal: the 12 months up to its due date
EARLIEST_ENTRY_NEEDED = relativedelta(years=2)  # the window of an overdue renewal starts at most this before D


@dataclass(frozen=True)
class DueDate:
    """The yearly date, as ``MM-DD``; 29 February is refused, so every year has it."""

    month: int
    day: int

    @classmethod
    def parse(cls, text: str) -> DueDate:
        problem = due_date_problem(text)
        if problem is not None:
            raise ValueError(problem)
        return cls(int(text[:2]), int(text[3:]))

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"

    def in_year(self, year: int) -> date:
        return date(year, self.month, self.day)

    def on_or_after(self, day: date) -> date:
        this_year = self.in_year(day.year)
        return this_year if this_year >= day else self.in_year(day.year + 1)

    def before(self, day: date) -> date:
        this_year = self.in_year(day.year)
        return this_year if this_year < day else self.in_year(day.year - 1)


def _(message: str) -> str:
    """The message in the reader's language (English outside a request)."""
    return str(gettext(message))


def due_date_problem(text: object) -> str | None:
    """Why `text` is not a yearly due date (None when it is one)."""
    if not isinstance(text, str) or len(text) != 5 or text[2] != "-" or not (text[:2] + text[3:]).isdigit():
        return _("must be a yearly date written MM-DD, such as 12-31")
    month, day = int(text[:2]), int(text[3:])
    if (month, day) == (2, 29):
        return _("must be a date every year has: choose 02-28 or 03-01 instead of 02-29")
    try:
        date(2001, month, day)
    except ValueError:
        return _("must be a real date written MM-DD, such as 12-31")
    return None


@dataclass(frozen=True)
class RenewalRule:
    category: str
    renewal_minutes: int  # 0 = the category asks no renewal RSC
    due: DueDate
    provider_categories: frozenset[str]


@dataclass(frozen=True)
class HeldCredential:
    category: str
    valid_from: date
    valid_until: date | None  # None = open-ended


@dataclass(frozen=True)
class Renewal:
    category: str
    status: str  # one of STATUSES
    as_of: date
    endorsed_since: date | None
    due_on: date | None
    required_minutes: int
    counted_minutes: int
    window_start: date | None  # the renewal year: RSC counts from this day ...
    window_end: date | None  # ... to the due date, both inclusive (and never after as_of)
    reasons: tuple[str, ...]  # what is missing, in plain words; empty when met
    counted_entry_ids: tuple[int, ...]

    @property
    def days_left(self) -> int | None:
        """Days from the as-of date to the due date; negative once it has passed."""
        return None if self.due_on is None else (self.due_on - self.as_of).days

    @property
    def shortfall_minutes(self) -> int:
        return max(0, self.required_minutes - self.counted_minutes)


def endorsed_since(credentials: Iterable[HeldCredential], category: str, as_of: date) -> date | None:
    """Start of the unbroken run of credentials of `category` that covers `as_of`; None if none does."""
    periods = [
        (c.valid_from, c.valid_until or date.max)
        for c in credentials
        if c.category == category and c.valid_from <= as_of
    ]
    covering = [start for start, end in periods if as_of <= end]
    if not covering:
        return None
    since = min(covering)
    extended = True
    while extended:  # pull in credentials that end the day before (or overlap) the run's start
        earlier = [start for start, end in periods if start < since and end >= since - timedelta(days=1)]
        extended = bool(earlier)
        if earlier:
            since = min(earlier)
    return since


def assess_renewal_status(
    rule: RenewalRule,
    credentials: Iterable[HeldCredential],
    entries: Iterable[rules.LedgerEntry],
    as_of: date,
) -> Renewal:
    since = endorsed_since(credentials, rule.category, as_of)
    if since is None:
        return Renewal(rule.category, NOT_ENDORSED, as_of, None, None, rule.renewal_minutes, 0, None, None, (), ())
    entries = tuple(entries)
    first_due = rule.due.on_or_after(since + relativedelta(years=1))
    due_on = max(rule.due.on_or_after(as_of), first_due)
    missed = rule.due.before(as_of)
    if first_due <= missed and as_of < due_on:  # on a due date itself, that year is judged
        judged = _count(rule, entries, missed, missed)
        if judged.counted_minutes < rule.renewal_minutes:
            return _renewal(rule, OVERDUE, as_of, since, missed, judged)
    judged = _count(rule, entries, due_on, min(as_of, due_on))
    status = MET if judged.counted_minutes >= rule.renewal_minutes else DUE
    return _renewal(rule, status, as_of, since, due_on, judged)


def _count(rule: RenewalRule, entries: tuple[rules.LedgerEntry, ...], due_on: date, until: date) -> rules.Eligibility:
    """Qualifying RSC in the 12 months up to `due_on`, received no later than `until`."""
    start = rules.window_start(due_on, WINDOW_MONTHS)
    return rules.assess_renewal(
        rule.renewal_minutes,
        rule.provider_categories,
        [e for e in entries if e.date >= start],
        until,
        category=rule.category,
        window_months=WINDOW_MONTHS,
    )


def _renewal(
    rule: RenewalRule, status: str, as_of: date, since: date, due_on: date, judged: rules.Eligibility
) -> Renewal:
    start = rules.window_start(due_on, WINDOW_MONTHS)
    return Renewal(
        category=rule.category,
        status=status,
        as_of=as_of,
        endorsed_since=since,
        due_on=due_on,
        required_minutes=rule.renewal_minutes,
        counted_minutes=judged.counted_minutes,
        window_start=start,
        window_end=due_on,
        reasons=() if status == MET else judged.reasons,
        counted_entry_ids=judged.counted_entry_ids,
    )


__all__ = [
    "DUE",
    "MET",
    "NOT_ENDORSED",
    "OVERDUE",
    "STATUSES",
    "DueDate",
    "HeldCredential",
    "Renewal",
    "RenewalRule",
    "assess_renewal_status",
    "due_date_problem",
    "endorsed_since",
]
