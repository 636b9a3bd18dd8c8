"""Endorsement eligibility rules: pure functions over an hour ledger.

No Flask, no database. The caller loads a person's ledger entries (already net of
corrections), builds a :class:`Requirement` from the association's rule set and calls
:func:`assess_eligibility` or :func:`assess_renewal`.

Semantics (docs/domain.md, "How eligibility is computed"), for an as-of date D:

1. Candidates: verified entries dated after D minus ``window_months`` up to and including D,
   not from a peer group.
2. An entry counts when any credential stamped on it (every credential its provider held on
   the entry's date) is in the qualifying provider list and valid on the entry's date. A
   credential without a recorded start (an external provider's, typed in without dates)
   cannot be checked, so it does not count.
3. Source rule: group counted entries by provider; at most ``max_sources`` providers count
   (most minutes first; equal minutes go to the provider with the lower numeric id, and
   providers with an account come before external ones); the largest source must provide
   more than half of the required minutes (``majority_rule``).
4. Span rule: the counted entries cover at least ``min_span_months`` calendar months,
   first and last month inclusive.
5. Eligible when counted minutes reach the required minutes and rules 3 and 4 hold.

Every rule can be switched off through the data: ``max_sources=None`` (no limit),
``majority_rule=False``, ``min_span_months=0``, ``rsc_required=False``.

The result never depends on the order of the entries: they are sorted deterministically.

Reasons are plain words in the reader's language: flask_babel's gettext picks it (English outside
a request, or the locale a caller forces), so the functions stay free of any request or database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import flask_babel
from dateutil.relativedelta import relativedelta

from rs_service.clock_hours import clock_hours


# The reader's language through flask_babel (English outside a request), typed as the str they return.
def _(message: str, **variables: Any) -> str:
    return str(flask_babel.gettext(message, **variables))


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    return str(flask_babel.ngettext(singular, plural, num, **variables))


def pgettext(context: str, message: str, **variables: Any) -> str:
    return str(flask_babel.pgettext(context, message, **variables))


GROUP = "group"
INDIVIDUAL = "individual"
ALL_FORMATS: frozenset[str] = frozenset({GROUP, INDIVIDUAL})

# Codes in Eligibility.failed_rules (machine-readable twin of ``reasons``).
RULE_MINUTES = "minutes"
RULE_SOURCES = "sources"  # the majority ("largest source") rule
RULE_SPAN = "span"

DATES_NOT_RECORDED = "provider credential dates not recorded"


def _dates_not_recorded() -> str:
    """DATES_NOT_RECORDED in the reader's language."""
    return _("provider credential dates not recorded")


def _ordinals() -> dict[int, str]:
    # The ordinal of a source ("a third source"): in Spanish it agrees with "fuente" (feminine).
    return {
        1: pgettext("source", "first"),
        2: pgettext("source", "second"),
        3: pgettext("source", "third"),
        4: pgettext("source", "fourth"),
        5: pgettext("source", "fifth"),
        6: pgettext("source", "sixth"),
        7: pgettext("source", "seventh"),
        8: pgettext("source", "eighth"),
        9: pgettext("source", "ninth"),
        10: pgettext("source", "tenth"),
    }


@dataclass(frozen=True)
class Requirement:
    category: str
    name: str
    rsc_required: bool
    required_minutes: int
    window_months: int
    min_span_months: int
    provider_categories: frozenset[str]
    max_sources: int | None  # None = no limit on number of sources
    majority_rule: bool  # the largest source must provide > half of required minutes
    version: int = 1
    effective_from: date | None = None
    # Which RSC formats count; the Alliance baseline counts both (and combined).
    allowed_formats: frozenset[str] = ALL_FORMATS

    @property
    def source_rule_enabled(self) -> bool:
        return self.max_sources is not None or self.majority_rule

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, version: int | None = None, effective_from: date | None = None
    ) -> Requirement:
        """Build from a plain dict such as those in ``baseline.BASELINE_REQUIREMENTS``.

        Unknown keys (e.g. ``renewal_minutes``) are ignored.
        """
        return cls(
            category=data["category"],
            name=data.get("name", data["category"]),
            rsc_required=bool(data["rsc_required"]),
            required_minutes=int(data.get("required_minutes") or 0),
            window_months=int(data.get("window_months") or 24),
            min_span_months=int(data.get("min_span_months") or 0),
            provider_categories=frozenset(data.get("provider_categories") or ()),
            max_sources=data.get("max_sources"),
            majority_rule=bool(data.get("majority_rule", False)),
            version=version if version is not None else int(data.get("version", 1)),
            effective_from=effective_from if effective_from is not None else data.get("effective_from"),
            allowed_formats=frozenset(data.get("allowed_formats") or ALL_FORMATS),
        )


@dataclass(frozen=True, order=True)
class ProviderKey:
    """Who hours came from, for the source rule.

    The order breaks ties between sources with equal minutes: providers with an account by their
    numeric id, then external providers (who have no id) by their details.
    """

    external: bool
    account_id: int
    details: str = ""

    @classmethod
    def account(cls, person_id: int) -> ProviderKey:
        return cls(False, person_id)

    @classmethod
    def outside(cls, details: str) -> ProviderKey:
        return cls(True, 0, details)


@dataclass(frozen=True)
class StampedCredential:
    """A credential recorded on an entry: one the provider held (or had lately held) on its date."""

    category: str
    valid_from: dt.date | None  # None: never recorded, so its validity cannot be checked
    valid_until: dt.date | None  # None: open-ended

    def valid_on(self, day: dt.date) -> bool:
        if self.valid_from is None or day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until

    def possibly_valid_on(self, day: dt.date) -> bool:
        """Nothing recorded says it was not valid (its start may be unknown)."""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until


@dataclass(frozen=True)
class LedgerEntry:  # already net of corrections (the caller removes reversed rows)
    id: int
    date: dt.date
    minutes: int  # > 0
    format: str  # "group" or "individual"
    peer: bool  # from a peer group: never counts
    verified: bool
    provider_key: ProviderKey | None  # identity of the source; None = unknown provider
    provider_name: str | None
    credentials: tuple[StampedCredential, ...]  # the stamp: every credential held on the entry's date


@dataclass(frozen=True)
class Eligibility:
    category: str
    eligible: bool
    counted_minutes: int
    required_minutes: int
    window_start: date  # first day inside the window
    window_end: date  # = as_of
    reasons: tuple[str, ...]  # every failed rule, in plain words; empty when eligible
    counted_entry_ids: tuple[int, ...]  # sorted by (date, id)
    excluded: tuple[tuple[int, str], ...]  # (entry id, why it did not count), in window
    # Extra detail (defaults keep the required interface):
    failed_rules: tuple[str, ...] = ()  # RULE_MINUTES / RULE_SOURCES / RULE_SPAN
    span_months: int = 0  # calendar months covered by the counted entries
    counted_sources: tuple[tuple[ProviderKey | None, int], ...] = ()  # (provider, minutes), largest first
    rule_version: int | None = None

    @property
    def counted_hours(self) -> str:
        return format_hours(self.counted_minutes)

    @property
    def required_hours(self) -> str:
        return format_hours(self.required_minutes)


# --------------------------------------------------------------------------- helpers


def window_start(as_of: date, window_months: int) -> date:
    """First day inside a window of ``window_months`` ending on ``as_of`` (inclusive).

    The day after (as_of minus window_months); month arithmetic is clamped to the end of
    the month (2024-02-29 minus 12 months is 2023-02-28, so the window starts 2023-03-01).
    """
    start: date = as_of - relativedelta(months=window_months) + timedelta(days=1)
    return start


def format_hours(minutes: int) -> str:
    """Clock hours with two decimals and the unit: 1110 -> "18.50 h"."""
    return f"{clock_hours(minutes)} h"


def months_spanned(first: date, last: date) -> int:
    """Calendar months from ``first`` to ``last``, both inclusive (Jan..Dec = 12)."""
    if last < first:
        first, last = last, first
    return (last.year - first.year) * 12 + (last.month - first.month) + 1


def _entry_sort_key(e: LedgerEntry) -> tuple[date, int, str]:
    # (date, id) first; the repr breaks ties between malformed duplicates deterministically.
    return (e.date, e.id, repr(e))


def _source_order(key: ProviderKey | None) -> tuple[bool, ProviderKey]:
    """Unknown providers last (they only count when no source rule applies)."""
    return (key is None, key or ProviderKey(True, 0))


def _provider_label(e: LedgerEntry) -> str:
    if e.provider_name:
        return e.provider_name
    return _("an unnamed provider")


def _validity_text(c: StampedCredential) -> str:
    f, u = c.valid_from, c.valid_until
    if f and u:
        return _("valid %(start)s to %(end)s", start=f.isoformat(), end=u.isoformat())
    if f:
        return _("valid from %(start)s", start=f.isoformat())
    if u:
        return _("valid until %(end)s", end=u.isoformat())
    return _("no validity dates recorded")


def _ordinal(n: int) -> str:
    return _ordinals().get(n) or pgettext("source", "number %(num)d", num=n)


# --------------------------------------------------------------------------- credentials


def _qualifying(req: Requirement, e: LedgerEntry) -> list[StampedCredential]:
    return [c for c in e.credentials if c.category in req.provider_categories]


def _nearest(credentials: list[StampedCredential], day: date) -> StampedCredential:
    """The credential whose validity came closest to ``day``: the one to name when none was valid."""

    def distance(c: StampedCredential) -> tuple[int, str]:
        if c.valid_until is not None and c.valid_until < day:
            return ((day - c.valid_until).days, c.category)
        if c.valid_from is not None and day < c.valid_from:
            return ((c.valid_from - day).days, c.category)
        return (0, c.category)

    return min(credentials, key=distance)


def _dates_unrecorded(req: Requirement, e: LedgerEntry) -> bool:
    """A qualifying credential might have been valid, but its start was never recorded."""
    qualifying = _qualifying(req, e)
    if any(c.valid_on(e.date) for c in qualifying):
        return False
    return any(c.valid_from is None and c.possibly_valid_on(e.date) for c in qualifying)


def _credential_reason(req: Requirement, e: LedgerEntry) -> str | None:
    """Why the stamped credentials do not make the entry count (None: one qualifies)."""
    if not e.credentials:
        return _("no provider credential recorded")
    qualifying = _qualifying(req, e)
    if not qualifying:
        held = sorted({c.category for c in e.credentials})
        conjunction = pgettext("between credential names", "and")
        names = {
            "provider": e.provider_name,
            "credentials": f" {conjunction} ".join(held),
            "category": req.category,
        }
        if e.provider_name:
            return ngettext(
                "provider %(provider)s's credential %(credentials)s does not qualify for %(category)s",
                "provider %(provider)s's credentials %(credentials)s do not qualify for %(category)s",
                len(held),
                **names,
            )
        return ngettext(
            "provider's credential %(credentials)s does not qualify for %(category)s",
            "provider's credentials %(credentials)s do not qualify for %(category)s",
            len(held),
            **names,
        )
    if any(c.valid_on(e.date) for c in qualifying):
        return None
    if _dates_unrecorded(req, e):
        return _dates_not_recorded()
    lapsed = _nearest(qualifying, e.date)
    names = {
        "provider": e.provider_name,
        "credential": lapsed.category,
        "date": e.date.isoformat(),
        "validity": _validity_text(lapsed),
    }
    if e.provider_name:
        return _("provider %(provider)s's %(credential)s credential was not valid on %(date)s (%(validity)s)", **names)
    return _("provider's %(credential)s credential was not valid on %(date)s (%(validity)s)", **names)


def _entry_reason(req: Requirement, e: LedgerEntry) -> str | None:
    """Why the entry itself cannot count, whoever provided it (None: it may)."""
    if e.peer:
        return _("peer supervision never counts")
    if not e.verified:
        return _("not verified")
    if e.minutes <= 0:
        return _("no minutes recorded")
    if e.format not in req.allowed_formats:
        if e.format == GROUP:
            return _("group RSC does not count for %(category)s", category=req.category)
        if e.format == INDIVIDUAL:
            return _("individual RSC does not count for %(category)s", category=req.category)
        return _(
            "%(format)s RSC does not count for %(category)s", format=e.format or "unknown-format", category=req.category
        )
    return None


def _source_reason(req: Requirement, e: LedgerEntry) -> str | None:
    if e.provider_key is None and req.source_rule_enabled:
        return _("provider not identified, so the hours cannot be attributed to a source")
    return None


# --------------------------------------------------------------------------- explanations


_LapseKey = tuple[tuple[bool, ProviderKey], str, str, date | None, date | None]


def _lapse_summaries(lapsed: list[tuple[LedgerEntry, StampedCredential]]) -> list[str]:
    """One sentence per (provider, credential, validity) explaining date exclusions."""
    groups: dict[_LapseKey, list[LedgerEntry]] = {}
    for e, c in lapsed:
        key = (_source_order(e.provider_key), e.provider_name or "", c.category, c.valid_from, c.valid_until)
        groups.setdefault(key, []).append(e)
    out: list[str] = []
    for key in sorted(groups, key=lambda k: (k[0], k[1], k[2], k[3] or date.min, k[4] or date.max)):
        es = groups[key]
        who = _provider_label(es[0])
        _order, _name, category, since, until = key
        after = [e for e in es if until is not None and e.date > until]
        before = [e for e in es if since is not None and e.date < since]
        if until is not None and after:
            out.append(
                ngettext(
                    "%(num)d session with %(who)s after %(date)s does not count: "
                    "%(who)s's %(category)s credential lapsed on %(date)s",
                    "%(num)d sessions with %(who)s after %(date)s do not count: "
                    "%(who)s's %(category)s credential lapsed on %(date)s",
                    len(after),
                    who=who,
                    date=until.isoformat(),
                    category=category,
                )
            )
        if since is not None and before:
            out.append(
                ngettext(
                    "%(num)d session with %(who)s before %(date)s does not count: "
                    "%(who)s's %(category)s credential was only valid from %(date)s",
                    "%(num)d sessions with %(who)s before %(date)s do not count: "
                    "%(who)s's %(category)s credential was only valid from %(date)s",
                    len(before),
                    who=who,
                    date=since.isoformat(),
                    category=category,
                )
            )
    return out


def _undated_summaries(undated: list[LedgerEntry]) -> list[str]:
    """One sentence per provider whose credential dates were never recorded."""
    by_provider: dict[tuple[tuple[bool, ProviderKey], str], list[LedgerEntry]] = {}
    for e in undated:
        by_provider.setdefault((_source_order(e.provider_key), e.provider_name or ""), []).append(e)
    return [
        ngettext(
            "%(num)d session with %(who)s does not count: provider credential dates not recorded",
            "%(num)d sessions with %(who)s do not count: provider credential dates not recorded",
            len(es),
            who=_provider_label(es[0]),
        )
        for _key, es in sorted(by_provider.items(), key=lambda item: item[0])
    ]


# --------------------------------------------------------------------------- the steps


Indexed = tuple[int, LedgerEntry]  # an entry with its position among the in-window entries


@dataclass(frozen=True)
class _Screening:
    """Step 1 and 2: which in-window entries qualify, and why the others do not."""

    qualifying: list[Indexed]
    excluded: dict[int, str]  # position -> why
    explanations: list[str]  # summaries of credential dates that kept entries out


def _screen(req: Requirement, in_window: list[LedgerEntry]) -> _Screening:
    qualifying: list[Indexed] = []
    excluded: dict[int, str] = {}
    lapsed: list[tuple[LedgerEntry, StampedCredential]] = []
    undated: list[LedgerEntry] = []
    for i, e in enumerate(in_window):
        why = _entry_reason(req, e)
        if why is None:
            why = _credential_reason(req, e)
            if why == _dates_not_recorded():
                undated.append(e)
            elif why is not None and (qualifying_credentials := _qualifying(req, e)):
                lapsed.append((e, _nearest(qualifying_credentials, e.date)))
        why = why or _source_reason(req, e)
        if why is None:
            qualifying.append((i, e))
        else:
            excluded[i] = why
    return _Screening(qualifying, excluded, _lapse_summaries(lapsed) + _undated_summaries(undated))


@dataclass(frozen=True)
class _Sources:
    """Step 3a: the sources that count, largest first, and the entries of those left out."""

    counted: list[Indexed]
    ranked: list[tuple[ProviderKey | None, int]]
    left_out: dict[int, str]  # position -> why
    explanations: list[str]


Ranked = list[tuple[ProviderKey | None, int]]  # (provider, minutes), largest first


def _ranked(totals: Mapping[ProviderKey | None, int]) -> Ranked:
    """Most minutes first; equal minutes by the provider's order (ProviderKey), unknown providers last."""
    return sorted(totals.items(), key=lambda kv: (-kv[1], _source_order(kv[0])))


def _rank_sources(qualifying: list[Indexed]) -> Ranked:
    totals: dict[ProviderKey | None, int] = {}
    for _position, e in qualifying:
        totals[e.provider_key] = totals.get(e.provider_key, 0) + e.minutes
    return _ranked(totals)


def _ranks_left_out(req: Requirement, ranked: Ranked) -> dict[ProviderKey | None, int]:
    """The sources beyond ``max_sources``, with their rank (4 for a fourth source)."""
    if req.max_sources is None:
        return {}
    return {key: rank for rank, (key, _) in enumerate(ranked[req.max_sources :], start=req.max_sources + 1)}


def _left_out_explanations(
    req: Requirement, ranked: Ranked, rank_of: Mapping[ProviderKey | None, int], names: Mapping[ProviderKey | None, str]
) -> list[str]:
    return [
        ngettext(
            "%(hours)s from %(name)s (a %(ordinal)s source) do not count: at most %(num)d source counts",
            "%(hours)s from %(name)s (a %(ordinal)s source) do not count: at most %(num)d sources count",
            req.max_sources or 0,
            hours=format_hours(minutes),
            name=names[key],
            ordinal=_ordinal(rank_of[key]),
        )
        for key, minutes in ranked[len(ranked) - len(rank_of) :]
    ]


def _cap_sources(req: Requirement, qualifying: list[Indexed]) -> _Sources:
    ranked = _rank_sources(qualifying)
    rank_of = _ranks_left_out(req, ranked)
    if not rank_of:
        return _Sources(qualifying, ranked, {}, [])
    names: dict[ProviderKey | None, str] = {}
    left_out: dict[int, str] = {}
    for i, e in qualifying:
        if e.provider_key in rank_of:
            label = names.setdefault(e.provider_key, _provider_label(e))
            left_out[i] = ngettext(
                "a %(ordinal)s source (%(name)s): at most %(num)d source counts",
                "a %(ordinal)s source (%(name)s): at most %(num)d sources count",
                req.max_sources or 0,
                ordinal=_ordinal(rank_of[e.provider_key]),
                name=label,
            )
    explanations = _left_out_explanations(req, ranked, rank_of, names)
    counted = [(i, e) for i, e in qualifying if i not in left_out]
    return _Sources(counted, ranked[: req.max_sources], left_out, explanations)


_Failure = tuple[str, str]  # (rule code, reason)


def _minutes_rule(req: Requirement, counted_minutes: int) -> _Failure | None:
    if counted_minutes >= req.required_minutes:
        return None
    return (
        RULE_MINUTES,
        _(
            "needs %(required)s of qualifying RSC, has %(counted)s",
            required=format_hours(req.required_minutes),
            counted=format_hours(counted_minutes),
        ),
    )


def _majority_rule(req: Requirement, ranked: Ranked) -> _Failure | None:
    """Step 3b: the largest source provides more than half of the required minutes."""
    if not (req.majority_rule and req.required_minutes > 0 and ranked):
        return None
    largest = ranked[0][1]
    if largest * 2 > req.required_minutes:
        return None
    return (
        RULE_SOURCES,
        _(
            "the largest source provides %(largest)s, more than half of the required %(required)s "
            "is needed from one source",
            largest=format_hours(largest),
            required=format_hours(req.required_minutes),
        ),
    )


def _span_rule(req: Requirement, span: int, anything_counted: bool) -> _Failure | None:
    """Step 4: the counted entries cover at least ``min_span_months`` calendar months."""
    if not req.min_span_months or span >= req.min_span_months:
        return None
    if anything_counted:
        return (
            RULE_SPAN,
            ngettext(
                "hours span %(num)d month, needs at least %(needed)d",
                "hours span %(num)d months, needs at least %(needed)d",
                span,
                needed=req.min_span_months,
            ),
        )
    return (
        RULE_SPAN,
        ngettext(
            "no qualifying hours, so no span; needs hours spread over at least %(num)d month",
            "no qualifying hours, so no span; needs hours spread over at least %(num)d months",
            req.min_span_months,
        ),
    )


def _nothing_required(req: Requirement, start: date, as_of: date) -> Eligibility:
    return Eligibility(
        category=req.category,
        eligible=True,
        counted_minutes=0,
        required_minutes=0,
        window_start=start,
        window_end=as_of,
        reasons=(),
        counted_entry_ids=(),
        excluded=(),
        rule_version=req.version,
    )


def _failures(req: Requirement, counted_minutes: int, ranked: Ranked, span: int) -> list[_Failure]:
    """Steps 3b, 4 and 5 over what counted: its minutes, its sources (largest first) and its span."""
    return [
        failure
        for failure in (
            _minutes_rule(req, counted_minutes),
            _majority_rule(req, ranked),
            _span_rule(req, span, bool(ranked)),
        )
        if failure is not None
    ]


def assess_eligibility(requirement: Requirement, entries: Iterable[LedgerEntry], as_of: date) -> Eligibility:
    """Assess one category's RSC requirement for one person as of ``as_of``."""
    req = requirement
    start = window_start(as_of, req.window_months)
    if not req.rsc_required:
        return _nothing_required(req, start, as_of)
    in_window = sorted((e for e in entries if start <= e.date <= as_of), key=_entry_sort_key)
    screening = _screen(req, in_window)
    sources = _cap_sources(req, screening.qualifying)
    counted = [e for _position, e in sources.counted]
    counted_minutes = sum(e.minutes for e in counted)
    span = months_spanned(counted[0].date, counted[-1].date) if counted else 0
    failures = _failures(req, counted_minutes, sources.ranked, span)
    # Explanations (not rules themselves) of why hours in the window were left out.
    explanations = screening.explanations + sources.explanations if failures else []
    excluded = screening.excluded | sources.left_out
    return _judgement(
        req,
        (start, as_of),
        failures,
        explanations,
        (counted_minutes, span, sources.ranked),
        counted_entry_ids=tuple(e.id for e in counted),
        excluded=tuple((in_window[i].id, why) for i, why in sorted(excluded.items())),
    )


def _judgement(
    req: Requirement,
    window: tuple[date, date],
    failures: list[_Failure],
    explanations: list[str],
    counted: tuple[int, int, Ranked],
    *,
    counted_entry_ids: tuple[int, ...],
    excluded: tuple[tuple[int, str], ...],
) -> Eligibility:
    """The answer, from the window, the rules that failed and what counted (minutes, months, sources)."""
    minutes, span, sources = counted
    return Eligibility(
        category=req.category,
        eligible=not failures,
        counted_minutes=minutes,
        required_minutes=req.required_minutes,
        window_start=window[0],
        window_end=window[1],
        reasons=tuple(reason for _rule, reason in failures) + tuple(explanations),
        failed_rules=tuple(rule for rule, _ in failures),
        span_months=span,
        counted_sources=tuple(sources),
        rule_version=req.version,
        counted_entry_ids=counted_entry_ids,
        excluded=excluded,
    )


@dataclass(frozen=True)
class SourceTotal:
    """What one source gave one person in a window, summed by the database over the entries that pass
    steps 1 and 2 (in the window, not peer, verified, an allowed format, a qualifying credential valid
    on the entry's date). Several totals may name one source: they are added together."""

    provider_key: ProviderKey | None
    provider_name: str | None
    minutes: int
    first: date  # the earliest entry's date
    last: date  # the latest entry's date


def assess_totals(requirement: Requirement, totals: Iterable[SourceTotal], as_of: date) -> Eligibility:
    """The same judgement as :func:`assess_eligibility`, from per-source totals instead of entries.

    Steps 3 to 5 need only each source's minutes and its first and last date, so the ledger never
    has to be loaded entry by entry. The answer names no entries (``counted_entry_ids`` and
    ``excluded`` are empty) and explains left-out sources but not credential dates: the evidence
    packet (entry by entry) says those.
    """
    req = requirement
    start = window_start(as_of, req.window_months)
    if not req.rsc_required:
        return _nothing_required(req, start, as_of)
    merged: dict[ProviderKey | None, SourceTotal] = {}
    for total in totals:
        if total.minutes <= 0 or (total.provider_key is None and req.source_rule_enabled):
            continue  # step 3 cannot attribute hours of an unknown provider to a source
        seen = merged.get(total.provider_key)
        if seen is not None:
            named = (
                seen if (seen.first, seen.provider_name or "") <= (total.first, total.provider_name or "") else total
            )
            total = SourceTotal(
                total.provider_key,
                named.provider_name,
                seen.minutes + total.minutes,
                min(seen.first, total.first),
                max(seen.last, total.last),
            )
        merged[total.provider_key] = total
    ranked = _ranked({key: total.minutes for key, total in merged.items()})
    rank_of = _ranks_left_out(req, ranked)
    counted = [merged[key] for key, _ in ranked if key not in rank_of]
    counted_minutes = sum(total.minutes for total in counted)
    span = months_spanned(min(t.first for t in counted), max(t.last for t in counted)) if counted else 0
    kept = ranked[: req.max_sources] if rank_of else ranked
    failures = _failures(req, counted_minutes, kept, span)
    names = {key: merged[key].provider_name or "an unnamed provider" for key in rank_of}
    explanations = _left_out_explanations(req, ranked, rank_of, names) if failures else []
    window = (start, as_of)
    return _judgement(
        req, window, failures, explanations, (counted_minutes, span, kept), counted_entry_ids=(), excluded=()
    )


def assess_renewal(
    renewal_minutes: int,
    provider_categories: frozenset[str],
    entries: Iterable[LedgerEntry],
    as_of: date,
    *,
    category: str = "renewal",
    window_months: int = 12,
    min_span_months: int = 0,
) -> Eligibility:
    """Yearly renewal: ``renewal_minutes`` of qualifying RSC in the 12 months up to ``as_of``.

    Entries are filtered and credential-checked as for an application, but there is no
    source rule and (by default) no span rule. MI-AIMH's "spread over at least 6 months"
    can be switched on with ``min_span_months=6``.
    """
    req = Requirement(
        category=category,
        name=f"{category} renewal",
        rsc_required=renewal_minutes > 0,
        required_minutes=renewal_minutes,
        window_months=window_months,
        min_span_months=min_span_months,
        provider_categories=frozenset(provider_categories),
        max_sources=None,
        majority_rule=False,
    )
    return assess_eligibility(req, entries, as_of)


__all__ = [
    "ALL_FORMATS",
    "DATES_NOT_RECORDED",
    "GROUP",
    "INDIVIDUAL",
    "RULE_MINUTES",
    "RULE_SOURCES",
    "RULE_SPAN",
    "Eligibility",
    "LedgerEntry",
    "ProviderKey",
    "Requirement",
    "SourceTotal",
    "StampedCredential",
    "assess_eligibility",
    "assess_renewal",
    "assess_totals",
    "format_hours",
    "months_spanned",
    "window_start",
]
