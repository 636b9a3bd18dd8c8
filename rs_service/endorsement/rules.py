"""Endorsement eligibility rules: pure functions over an hour ledger.

No Flask, no database. The caller loads a person's ledger entries (already net of
corrections), builds a :class:`Requirement` from the association's rule set and calls
:func:`assess_eligibility` or :func:`assess_renewal`.

Semantics (docs/domain.md, "How eligibility is computed"), for an as-of date D:

1. Candidates: verified entries dated after D minus ``window_months`` up to and including D,
   not from a peer group.
2. An entry counts only if the provider credential recorded on it at sign-off is in the
   qualifying provider list and valid on the entry's date.
3. Source rule: group counted entries by provider; at most ``max_sources`` providers count
   (most minutes first, ties broken by provider key); the largest source must provide more
   than half of the required minutes (``majority_rule``).
4. Span rule: the counted entries cover at least ``min_span_months`` calendar months,
   first and last month inclusive.
5. Eligible when counted minutes reach the required minutes and rules 3 and 4 hold.

Every rule can be switched off through the data: ``max_sources=None`` (no limit),
``majority_rule=False``, ``min_span_months=0``, ``rsc_required=False``.

The result never depends on the order of the entries: they are sorted deterministically.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

GROUP = "group"
INDIVIDUAL = "individual"
ALL_FORMATS: frozenset[str] = frozenset({GROUP, INDIVIDUAL})

# Codes in Eligibility.failed_rules (machine-readable twin of ``reasons``).
RULE_MINUTES = "minutes"
RULE_SOURCES = "sources"  # the majority ("largest source") rule
RULE_SPAN = "span"

_ORDINALS = {
    1: "first",
    2: "second",
    3: "third",
    4: "fourth",
    5: "fifth",
    6: "sixth",
    7: "seventh",
    8: "eighth",
    9: "ninth",
    10: "tenth",
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


@dataclass(frozen=True)
class LedgerEntry:  # already net of corrections (the caller removes reversed rows)
    id: int
    date: date
    minutes: int  # > 0
    format: str  # "group" or "individual"
    peer: bool  # from a peer group: never counts
    verified: bool
    provider_key: str | None  # identity of the source; None = unknown provider
    provider_name: str | None
    provider_category: str | None  # credential snapshot at sign-off
    provider_valid_from: date | None  # None = no recorded start (treated as open)
    provider_valid_until: date | None  # None = open-ended


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
    counted_sources: tuple[tuple[str, int], ...] = ()  # (provider key, minutes), largest first
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
    return as_of - relativedelta(months=window_months) + timedelta(days=1)


def format_hours(minutes: int) -> str:
    """Clock hours with two decimals: 1110 -> "18.50 h"."""
    sign = "-" if minutes < 0 else ""
    m = abs(int(minutes))
    whole, rest = divmod(m, 60)
    # exact decimal rounding of rest/60 to hundredths, half up
    hundredths = (rest * 100 * 2 + 60) // 120
    if hundredths == 100:
        whole, hundredths = whole + 1, 0
    return f"{sign}{whole}.{hundredths:02d} h"


def months_spanned(first: date, last: date) -> int:
    """Calendar months from ``first`` to ``last``, both inclusive (Jan..Dec = 12)."""
    if last < first:
        first, last = last, first
    return (last.year - first.year) * 12 + (last.month - first.month) + 1


def _entry_sort_key(e: LedgerEntry) -> tuple:
    # (date, id) first; the repr breaks ties between malformed duplicates deterministically.
    return (e.date, e.id, repr(e))


def _provider_label(e: LedgerEntry) -> str:
    if e.provider_name:
        return e.provider_name
    return "an unnamed provider"


def _possessive(e: LedgerEntry) -> str:
    if e.provider_name:
        return f"provider {e.provider_name}'s"
    return "provider's"


def _validity_text(e: LedgerEntry) -> str:
    f, u = e.provider_valid_from, e.provider_valid_until
    if f and u:
        return f"valid {f.isoformat()} to {u.isoformat()}"
    if f:
        return f"valid from {f.isoformat()}"
    if u:
        return f"valid until {u.isoformat()}"
    return "no validity dates recorded"


def _credential_valid_on(e: LedgerEntry, day: date) -> bool:
    if e.provider_valid_from is not None and day < e.provider_valid_from:
        return False
    return not (e.provider_valid_until is not None and day > e.provider_valid_until)


def _ordinal(n: int) -> str:
    return _ORDINALS.get(n, f"number {n}")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --------------------------------------------------------------------------- core


def _exclusion_reason(req: Requirement, e: LedgerEntry) -> str | None:
    """Why an in-window entry does not count before the source rule (None = it counts)."""
    if e.peer:
        return "peer supervision never counts"
    if not e.verified:
        return "not verified"
    if e.minutes <= 0:
        return "no minutes recorded"
    if e.format not in req.allowed_formats:
        return f"{e.format or 'unknown-format'} RSC does not count for {req.category}"
    if not e.provider_category:
        return "no provider credential recorded"
    if e.provider_category not in req.provider_categories:
        return f"{_possessive(e)} credential {e.provider_category} does not qualify for {req.category}"
    if not _credential_valid_on(e, e.date):
        return (
            f"{_possessive(e)} {e.provider_category} credential was not valid on "
            f"{e.date.isoformat()} ({_validity_text(e)})"
        )
    if e.provider_key is None and req.source_rule_enabled:
        return "provider not identified, so the hours cannot be attributed to a source"
    return None


def _lapse_summaries(invalid: list[LedgerEntry]) -> list[str]:
    """One sentence per (provider, credential, validity) explaining date exclusions."""
    groups: dict[tuple, list[LedgerEntry]] = {}
    for e in invalid:
        k = (
            e.provider_key or "",
            e.provider_name or "",
            e.provider_category or "",
            e.provider_valid_from,
            e.provider_valid_until,
        )
        groups.setdefault(k, []).append(e)
    out: list[str] = []
    for k in sorted(groups, key=lambda k: (k[0], k[1], k[2], k[3] or date.min, k[4] or date.max)):
        es = groups[k]
        sample = es[0]
        who = _provider_label(sample)
        cred = sample.provider_category
        until, since = sample.provider_valid_until, sample.provider_valid_from
        after = [e for e in es if until is not None and e.date > until]
        before = [e for e in es if since is not None and e.date < since]
        if after:
            out.append(
                f"{_plural(len(after), 'session')} with {who} after {until.isoformat()} "
                f"do{'es' if len(after) == 1 else ''} not count: {who}'s {cred} credential "
                f"lapsed on {until.isoformat()}"
            )
        if before:
            out.append(
                f"{_plural(len(before), 'session')} with {who} before {since.isoformat()} "
                f"do{'es' if len(before) == 1 else ''} not count: {who}'s {cred} credential "
                f"was only valid from {since.isoformat()}"
            )
    return out


def assess_eligibility(requirement: Requirement, entries: Iterable[LedgerEntry], as_of: date) -> Eligibility:  # noqa: C901 (split into steps: issue 14)
    """Assess one category's RSC requirement for one person as of ``as_of``."""
    req = requirement
    start = window_start(as_of, req.window_months)
    in_window = sorted((e for e in entries if start <= e.date <= as_of), key=_entry_sort_key)

    if not req.rsc_required:
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

    excluded: dict[int, str] = {}  # keyed by position in in_window
    invalid_dates: list[LedgerEntry] = []
    qualifying: list[tuple[int, LedgerEntry]] = []
    for i, e in enumerate(in_window):
        why = _exclusion_reason(req, e)
        if why is None:
            qualifying.append((i, e))
        else:
            excluded[i] = why
            if (
                not e.peer
                and e.verified
                and e.minutes > 0
                and e.format in req.allowed_formats
                and e.provider_category
                and e.provider_category in req.provider_categories
                and not _credential_valid_on(e, e.date)
            ):
                invalid_dates.append(e)

    # Step 3a: at most max_sources providers count (most minutes, ties by provider key).
    totals: dict[str | None, int] = {}
    for _, e in qualifying:
        totals[e.provider_key] = totals.get(e.provider_key, 0) + e.minutes
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0] or ""))
    dropped_summaries: list[str] = []
    if req.max_sources is not None and len(ranked) > req.max_sources:
        kept = ranked[: req.max_sources]
        dropped = {key: rank for rank, (key, _) in enumerate(ranked[req.max_sources :], start=req.max_sources + 1)}
        names: dict[str | None, str] = {}
        for i, e in qualifying:
            if e.provider_key in dropped:
                rank = dropped[e.provider_key]
                label = e.provider_name or e.provider_key
                names.setdefault(e.provider_key, label)
                excluded[i] = f"a {_ordinal(rank)} source ({label}): at most {_plural(req.max_sources, 'source')} count"
        qualifying = [(i, e) for i, e in qualifying if e.provider_key not in dropped]
        for key, minutes in ranked[req.max_sources :]:
            dropped_summaries.append(
                f"{format_hours(minutes)} from {names[key]} (a {_ordinal(dropped[key])} "
                f"source) do not count: at most {_plural(req.max_sources, 'source')} count"
            )
        ranked = kept

    counted = [e for _, e in qualifying]
    counted_minutes = sum(e.minutes for e in counted)
    reasons: list[str] = []
    failed: list[str] = []

    # Step 5 (minutes)
    if counted_minutes < req.required_minutes:
        failed.append(RULE_MINUTES)
        reasons.append(
            f"needs {format_hours(req.required_minutes)} of qualifying RSC, has {format_hours(counted_minutes)}"
        )

    # Step 3b: majority rule
    if req.majority_rule and req.required_minutes > 0 and counted:
        largest = ranked[0][1] if ranked else 0
        if largest * 2 <= req.required_minutes:
            failed.append(RULE_SOURCES)
            reasons.append(
                f"the largest source provides {format_hours(largest)}, more than half of "
                f"the required {format_hours(req.required_minutes)} is needed from one "
                f"source"
            )

    # Step 4: span
    span = months_spanned(counted[0].date, counted[-1].date) if counted else 0
    if req.min_span_months and span < req.min_span_months:
        failed.append(RULE_SPAN)
        if counted:
            reasons.append(f"hours span {_plural(span, 'month')}, needs at least {req.min_span_months}")
        else:
            reasons.append(
                f"no qualifying hours, so no span; needs hours spread over at least {req.min_span_months} months"
            )

    eligible = not failed
    if not eligible:
        # Explanations (not rules themselves) of why hours in the window were left out.
        reasons.extend(_lapse_summaries(invalid_dates))
        reasons.extend(dropped_summaries)

    return Eligibility(
        category=req.category,
        eligible=eligible,
        counted_minutes=counted_minutes,
        required_minutes=req.required_minutes,
        window_start=start,
        window_end=as_of,
        reasons=tuple(reasons),
        counted_entry_ids=tuple(e.id for e in counted),
        excluded=tuple((in_window[i].id, why) for i, why in sorted(excluded.items())),
        failed_rules=tuple(failed),
        span_months=span,
        counted_sources=tuple((k or "", m) for k, m in ranked),
        rule_version=req.version,
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
    "GROUP",
    "INDIVIDUAL",
    "RULE_MINUTES",
    "RULE_SOURCES",
    "RULE_SPAN",
    "Eligibility",
    "LedgerEntry",
    "Requirement",
    "assess_eligibility",
    "assess_renewal",
    "format_hours",
    "months_spanned",
    "window_start",
]
