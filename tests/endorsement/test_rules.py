"""Unit and property tests for rs_service.endorsement.rules (pure, no app, no database)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rs_service.endorsement import baseline
from rs_service.endorsement.rules import (
    DATES_NOT_RECORDED,
    RULE_MINUTES,
    RULE_SOURCES,
    RULE_SPAN,
    Eligibility,
    LedgerEntry,
    ProviderKey,
    Requirement,
    SourceTotal,
    StampedCredential,
    assess_eligibility,
    assess_renewal,
    assess_totals,
    format_hours,
    months_spanned,
    window_start,
)

AS_OF = date(2025, 12, 31)


def req_for(code: str) -> Requirement:
    return Requirement.from_dict(baseline.baseline_for(code))


IFS = req_for("IFS")
IMHS = req_for("IMHS")

_ids = iter(range(1, 10**9))


def entry(
    day: date,
    minutes: int = 90,
    *,
    id: int | None = None,
    provider: int | str | None = 1,
    name: str | None = "Alice Adams",
    category: str | None = "IMHS",
    valid_from: date | None = date(2020, 1, 1),
    valid_until: date | None = None,
    peer: bool = False,
    verified: bool = True,
    fmt: str = "group",
) -> LedgerEntry:
    return LedgerEntry(
        id=next(_ids) if id is None else id,
        date=day,
        minutes=minutes,
        format=fmt,
        peer=peer,
        verified=verified,
        provider_key=key(provider),
        provider_name=name,
        credentials=stamp(category, valid_from, valid_until),
    )


def key(provider: int | str | None) -> ProviderKey | None:
    """An account's numeric id, or an external provider's details."""
    if provider is None:
        return None
    return ProviderKey.account(provider) if isinstance(provider, int) else ProviderKey.outside(provider)


def stamp(category: str | None, valid_from: date | None, valid_until: date | None) -> tuple[StampedCredential, ...]:
    return (StampedCredential(category, valid_from, valid_until),) if category else ()


def monthly(first: date, months: int, minutes: int, **kw) -> list[LedgerEntry]:
    """One session on the 10th of each month for ``months`` months from ``first``."""
    out = []
    y, m = first.year, first.month
    for _ in range(months):
        out.append(entry(date(y, m, 10), minutes, **kw))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# --------------------------------------------------------------------------- helpers


def test_format_hours():
    assert format_hours(1110) == "18.50 h"
    assert format_hours(1440) == "24.00 h"
    assert format_hours(0) == "0.00 h"
    assert format_hours(1) == "0.02 h"
    assert format_hours(20) == "0.33 h"
    assert format_hours(40) == "0.67 h"
    assert format_hours(59) == "0.98 h"
    assert format_hours(3000) == "50.00 h"


def test_months_spanned():
    assert months_spanned(date(2025, 1, 1), date(2025, 12, 31)) == 12
    assert months_spanned(date(2025, 1, 31), date(2025, 1, 1)) == 1
    assert months_spanned(date(2024, 11, 30), date(2025, 2, 1)) == 4
    assert months_spanned(date(2024, 1, 15), date(2025, 12, 15)) == 24


def test_window_start_clamps_month_arithmetic():
    assert window_start(date(2025, 12, 31), 24) == date(2024, 1, 1)
    assert window_start(date(2024, 2, 29), 12) == date(2023, 3, 1)
    assert window_start(date(2025, 3, 31), 1) == date(2025, 3, 1)  # Feb 28 + 1 day
    assert window_start(date(2025, 6, 15), 12) == date(2024, 6, 16)


# --------------------------------------------------------------------------- baseline


def test_baseline_data():
    rows = {r["category"]: r for r in baseline.BASELINE_REQUIREMENTS}
    assert tuple(rows) == baseline.CATEGORY_CODES
    assert len(baseline.CATEGORY_CODES) == 14
    assert baseline.CATEGORY_NAMES["IFS"] == "Infant Family Specialist"
    for code, r in rows.items():
        assert set(r) >= {
            "category",
            "name",
            "rsc_required",
            "required_minutes",
            "window_months",
            "min_span_months",
            "provider_categories",
            "max_sources",
            "majority_rule",
            "renewal_minutes",
        }
        assert r["name"] == baseline.CATEGORY_NAMES[code]
        assert r["window_months"] == 24 and r["min_span_months"] == 12
        assert r["max_sources"] == 2 and r["majority_rule"] is True
        assert set(r["provider_categories"]) <= set(baseline.CATEGORY_CODES)
    assert rows["IFS"]["required_minutes"] == 24 * 60
    assert set(rows["IFS"]["provider_categories"]) == {"IFRS", "IMHS", "IMHM-C"}
    assert rows["IMHS"]["required_minutes"] == 50 * 60
    assert set(rows["IMHS"]["provider_categories"]) == {"IMHS", "IMHM-C"}
    assert set(rows["ECMHS"]["provider_categories"]) == {"IMHS", "ECMHS", "IMHM-C", "ECMHM-C"}
    assert rows["IMHM-C"]["provider_categories"] == ["IMHM-C"]
    assert set(rows["ECMHM-C"]["provider_categories"]) == {"IMHM-C", "ECMHM-C"}
    for code in ("IFA", "ECFA", "IMHM-P", "IMHM-R", "ECMHM-P", "ECMHM-R"):
        assert rows[code]["rsc_required"] is False and rows[code]["required_minutes"] == 0
        assert rows[code]["renewal_minutes"] is None
    for code in ("IFS", "IFRS", "IMHS", "IMHM-C", "ECFS", "ECFRS", "ECMHS", "ECMHM-C"):
        assert rows[code]["rsc_required"] is True
        assert rows[code]["renewal_minutes"] == 720


def test_baseline_for_returns_a_copy():
    row = baseline.baseline_for("IFS")
    row["provider_categories"].append("IFA")
    assert "IFA" not in baseline.baseline_for("IFS")["provider_categories"]
    with pytest.raises(KeyError):
        baseline.baseline_for("NOPE")


# --------------------------------------------------------------------------- scenarios


def test_full_year_of_qualifying_hours_is_eligible():
    # 24 sessions of 60 min, two a month, Jan..Dec 2025, one IMHS provider
    entries = monthly(date(2025, 1, 1), 12, 60) + [entry(date(2025, m, 24), 60) for m in range(1, 13)]
    r = assess_eligibility(IFS, entries, AS_OF)
    assert r.eligible
    assert r.reasons == () and r.failed_rules == ()
    assert r.counted_minutes == 1440 and r.required_minutes == 1440
    assert r.window_start == date(2024, 1, 1) and r.window_end == AS_OF
    assert r.counted_entry_ids == tuple(e.id for e in sorted(entries, key=lambda e: (e.date, e.id)))
    assert r.excluded == ()
    assert r.span_months == 12
    assert r.counted_sources == ((ProviderKey.account(1), 1440),)


def test_group_and_individual_may_be_combined():
    entries = monthly(date(2025, 1, 1), 12, 60) + monthly(date(2025, 1, 1), 12, 60, fmt="individual")
    assert assess_eligibility(IFS, entries, AS_OF).eligible


def test_short_span_fails_the_span_rule_only():
    entries = monthly(date(2025, 6, 1), 7, 240)  # 28 h over Jun..Dec
    r = assess_eligibility(IFS, entries, AS_OF)
    assert not r.eligible
    assert r.failed_rules == (RULE_SPAN,)
    assert r.reasons == ("hours span 7 months, needs at least 12",)
    assert r.counted_minutes == 7 * 240


def test_lapsed_provider_counts_only_while_the_credential_was_valid():
    jane = {
        "provider": 7,
        "name": "Jane Doe",
        "category": "IMHS",
        "valid_from": date(2023, 7, 1),
        "valid_until": date(2025, 6, 30),
    }
    entries = monthly(date(2024, 10, 1), 12, 120, **jane)  # Oct 2024 .. Sep 2025 (24 h)
    late = [e for e in entries if e.date > date(2025, 6, 30)]
    r = assess_eligibility(IFS, entries, AS_OF)
    assert not r.eligible
    assert r.counted_minutes == 9 * 120
    assert set(r.counted_entry_ids) == {e.id for e in entries} - {e.id for e in late}
    assert dict(r.excluded) == {
        e.id: f"provider Jane Doe's IMHS credential was not valid on {e.date.isoformat()} "
        f"(valid 2023-07-01 to 2025-06-30)"
        for e in late
    }
    assert dict(r.excluded)[late[0].id] == (
        "provider Jane Doe's IMHS credential was not valid on 2025-07-10 (valid 2023-07-01 to 2025-06-30)"
    )
    assert r.failed_rules == (RULE_MINUTES, RULE_SPAN)
    assert "needs 24.00 h of qualifying RSC, has 18.00 h" in r.reasons
    assert "hours span 9 months, needs at least 12" in r.reasons
    assert (
        "3 sessions with Jane Doe after 2025-06-30 do not count: Jane Doe's IMHS credential lapsed on 2025-06-30"
    ) in r.reasons


def test_credential_not_valid_yet_and_wrong_or_missing_credential():
    early = entry(date(2025, 1, 10), name="Bo", category="IMHS", valid_from=date(2025, 2, 1))
    wrong = entry(date(2025, 2, 10), name="Cy", category="IFS")
    wrong_unnamed = entry(date(2025, 2, 11), name=None, category="IFS")
    missing = entry(date(2025, 3, 10), category=None)
    r = assess_eligibility(IMHS, [early, wrong, wrong_unnamed, missing], AS_OF)
    ex = dict(r.excluded)
    assert ex[early.id] == ("provider Bo's IMHS credential was not valid on 2025-01-10 (valid from 2025-02-01)")
    assert ex[wrong.id] == "provider Cy's credential IFS does not qualify for IMHS"
    assert ex[wrong_unnamed.id] == "provider's credential IFS does not qualify for IMHS"
    assert ex[missing.id] == "no provider credential recorded"
    assert r.counted_entry_ids == ()
    assert (
        "1 session with Bo before 2025-02-01 does not count: Bo's IMHS credential was only valid from 2025-02-01"
    ) in r.reasons


def test_peer_group_entries_never_count():
    good = monthly(date(2025, 1, 1), 12, 120)
    # a peer group led by someone who is endorsed IMHM-C still never counts
    peer = monthly(date(2025, 1, 1), 12, 120, provider=9, name="Pat Peer", category="IMHM-C", peer=True)
    r = assess_eligibility(IFS, good + peer, AS_OF)
    assert r.eligible
    assert r.counted_minutes == 1440
    assert dict(r.excluded) == {e.id: "peer supervision never counts" for e in peer}
    only_peer = assess_eligibility(IFS, peer, AS_OF)
    assert not only_peer.eligible and only_peer.counted_minutes == 0
    assert only_peer.failed_rules == (RULE_MINUTES, RULE_SPAN)


def test_unverified_entries_do_not_count():
    entries = monthly(date(2025, 1, 1), 12, 120, verified=False)
    r = assess_eligibility(IFS, entries, AS_OF)
    assert not r.eligible
    assert all(why == "not verified" for _, why in r.excluded)
    assert len(r.excluded) == 12


def test_two_sources_without_a_majority_fail():
    a = monthly(date(2025, 1, 1), 12, 60, provider=1, name="Alice Adams")
    b = monthly(date(2025, 1, 1), 12, 60, provider=2, name="Ben Brown", category="IMHM-C")
    r = assess_eligibility(IFS, a + b, AS_OF)
    assert not r.eligible
    assert r.counted_minutes == 1440
    assert r.failed_rules == (RULE_SOURCES,)
    assert r.reasons == (
        "the largest source provides 12.00 h, more than half of the required 24.00 h is needed from one source",
    )
    # exactly half is not a majority; one minute more is
    b2 = [*b, entry(date(2025, 12, 20), 1, provider=2, category="IMHM-C")]
    assert assess_eligibility(IFS, a + b2, AS_OF).eligible


def test_majority_rule_can_be_switched_off():
    a = monthly(date(2025, 1, 1), 12, 60, provider=1)
    b = monthly(date(2025, 1, 1), 12, 60, provider=2)
    assert assess_eligibility(replace(IFS, majority_rule=False), a + b, AS_OF).eligible


def test_a_third_source_is_left_out_ties_going_to_accounts_before_external_providers():
    a = monthly(date(2025, 1, 1), 12, 80, provider=1, name="Alice Adams")  # 16 h
    b = monthly(date(2025, 1, 1), 6, 60, provider=2, name="Ben Brown")  # 6 h
    c = monthly(date(2025, 7, 1), 6, 60, provider="cara|imhs|1", name="Cara Cole")  # 6 h
    r = assess_eligibility(IFS, a + b + c, AS_OF)
    # b and c tie at 6 h; Ben Brown has an account, Cara Cole is external, so she is left out
    assert r.counted_sources == ((ProviderKey.account(1), 960), (ProviderKey.account(2), 360))
    assert dict(r.excluded) == {e.id: "a third source (Cara Cole): at most 2 sources count" for e in c}
    assert r.counted_minutes == 1320
    assert not r.eligible
    assert r.failed_rules == (RULE_MINUTES,)
    assert "needs 24.00 h of qualifying RSC, has 22.00 h" in r.reasons
    assert "6.00 h from Cara Cole (a third source) do not count: at most 2 sources count" in r.reasons
    # the same with a fourth source, and with sources unlimited
    d = [entry(date(2025, 3, 3), 30, provider=4, name="Dee")]
    r4 = assess_eligibility(IFS, a + b + c + d, AS_OF)
    assert dict(r4.excluded)[d[0].id] == "a fourth source (Dee): at most 2 sources count"
    unlimited = assess_eligibility(replace(IFS, max_sources=None), a + b + c + d, AS_OF)
    assert unlimited.eligible and unlimited.counted_minutes == 960 + 360 + 360 + 30


def test_equal_sources_go_to_the_lower_numeric_provider_id_not_the_lower_text():
    # Provider 2's January hours give the 12-month span; provider 10 ties with them at 2 h.
    # Compared as text, "10" sorts before "2" and would push provider 2 out.
    a = monthly(date(2025, 6, 1), 7, 200, provider=1, name="Alice Adams")  # Jun..Dec, 23.33 h
    two = [entry(date(2025, 1, 10), 120, provider=2, name="Ben Brown")]
    ten = [entry(date(2025, 11, 10), 120, provider=10, name="Tia Tran")]
    r = assess_eligibility(IFS, a + two + ten, AS_OF)
    assert r.eligible, r.reasons
    assert r.counted_sources == ((ProviderKey.account(1), 1400), (ProviderKey.account(2), 120))
    assert dict(r.excluded) == {ten[0].id: "a third source (Tia Tran): at most 2 sources count"}
    assert r.span_months == 12


def test_any_stamped_credential_that_qualifies_makes_the_entry_count():
    # A mentor endorsed IMHM-C since 2015 and ECMHS since 2023: IMHS applicants need the IMHM-C.
    dual = (StampedCredential("ECMHS", date(2023, 1, 1), None), StampedCredential("IMHM-C", date(2015, 1, 1), None))
    entries = [replace(e, credentials=dual) for e in monthly(date(2025, 1, 1), 12, 250)]
    assert assess_eligibility(IMHS, entries, AS_OF).eligible
    only_ecmhs = [replace(e, credentials=dual[:1]) for e in entries]
    r = assess_eligibility(IMHS, only_ecmhs, AS_OF)
    assert r.counted_minutes == 0
    assert set(dict(r.excluded).values()) == {"provider Alice Adams's credential ECMHS does not qualify for IMHS"}
    wrong_pair = (StampedCredential("IFS", date(2015, 1, 1), None), StampedCredential("ECFS", date(2015, 1, 1), None))
    r = assess_eligibility(IMHS, [replace(entries[0], credentials=wrong_pair)], AS_OF)
    assert dict(r.excluded)[entries[0].id] == "provider Alice Adams's credentials ECFS and IFS do not qualify for IMHS"


def test_a_qualifying_credential_counts_only_when_it_was_valid_on_the_day():
    # IMHM-C lapsed before the session; the ECMHS held that day does not qualify for IMHS.
    held = (
        StampedCredential("IMHM-C", date(2015, 1, 1), date(2024, 12, 31)),
        StampedCredential("ECMHS", date(2023, 1, 1), None),
    )
    e = replace(entry(date(2025, 3, 10), 120), credentials=held)
    r = assess_eligibility(IMHS, [e], AS_OF)
    assert dict(r.excluded) == {
        e.id: "provider Alice Adams's IMHM-C credential was not valid on 2025-03-10 (valid 2015-01-01 to 2024-12-31)"
    }
    assert (
        "1 session with Alice Adams after 2024-12-31 does not count: "
        "Alice Adams's IMHM-C credential lapsed on 2024-12-31"
    ) in r.reasons


def test_an_external_provider_without_a_recorded_start_does_not_count():
    undated = monthly(date(2025, 1, 1), 12, 120, provider="dr lee|imhs|wa-1", name="Dr. Lee", valid_from=None)
    r = assess_eligibility(IFS, undated, AS_OF)
    assert not r.eligible and r.counted_minutes == 0
    assert set(dict(r.excluded).values()) == {DATES_NOT_RECORDED}
    assert f"12 sessions with Dr. Lee do not count: {DATES_NOT_RECORDED}" in r.reasons
    ended = [entry(date(2025, 3, 3), 60, provider="x|imhs|1", name="X", valid_from=None, valid_until=date(2025, 1, 1))]
    assert dict(assess_eligibility(IFS, ended, AS_OF).excluded)[ended[0].id] == (
        "provider X's IMHS credential was not valid on 2025-03-03 (valid until 2025-01-01)"
    )
    dated = [replace(e, credentials=stamp("IMHS", date(2020, 1, 1), None)) for e in undated]
    assert assess_eligibility(IFS, dated, AS_OF).eligible


def test_a_new_larger_source_can_push_out_the_source_that_gave_the_span():
    # The only way an added qualifying entry can make someone ineligible: the source cap.
    a = monthly(date(2025, 6, 1), 7, 172, provider=1, name="Alice Adams")  # Jun-Dec
    b = [
        entry(date(2025, 1, 10), 120, provider=2, name="Ben Brown"),
        entry(date(2025, 2, 10), 120, provider=2, name="Ben Brown"),
    ]
    before = assess_eligibility(IFS, a + b, AS_OF)
    assert before.eligible and before.span_months == 12
    c = [entry(date(2025, 12, 20), 300, provider=3, name="Cara Cole")]
    after = assess_eligibility(IFS, a + b + c, AS_OF)
    assert not after.eligible
    assert after.counted_minutes > before.counted_minutes
    assert after.failed_rules == (RULE_SPAN,)
    assert after.reasons == (
        "hours span 7 months, needs at least 12",
        "4.00 h from Ben Brown (a third source) do not count: at most 2 sources count",
    )


def test_unknown_provider_cannot_be_a_source():
    e = entry(date(2025, 5, 5), provider=None)
    r = assess_eligibility(IFS, [e], AS_OF)
    assert dict(r.excluded) == {e.id: "provider not identified, so the hours cannot be attributed to a source"}


def test_window_boundaries():
    as_of = date(2025, 6, 15)
    req = replace(IFS, required_minutes=60, min_span_months=0, majority_rule=False)
    at_as_of = entry(as_of, 60)
    on_cutoff = entry(date(2023, 6, 15), 60)  # as_of minus 24 months: outside
    day_after = entry(date(2023, 6, 16), 60)  # first day inside
    after_as_of = entry(date(2025, 6, 16), 60)
    r = assess_eligibility(req, [at_as_of, on_cutoff, day_after, after_as_of], as_of)
    assert r.window_start == date(2023, 6, 16) and r.window_end == as_of
    assert r.counted_entry_ids == (day_after.id, at_as_of.id)
    assert r.excluded == ()
    assert assess_eligibility(req, [at_as_of], as_of).eligible
    assert not assess_eligibility(req, [on_cutoff], as_of).eligible
    assert assess_eligibility(req, [day_after], as_of).eligible
    assert not assess_eligibility(req, [after_as_of], as_of).eligible


@pytest.mark.parametrize("code", ["IFA", "ECFA", "IMHM-P", "IMHM-R", "ECMHM-P", "ECMHM-R"])
def test_categories_without_rsc_requirement_are_eligible(code):
    req = req_for(code)
    assert not req.rsc_required
    for entries in ([], monthly(date(2025, 1, 1), 3, 60, peer=True)):
        r = assess_eligibility(req, entries, AS_OF)
        assert r.eligible and r.reasons == ()
        assert r.required_minutes == 0 and r.category == code


def test_no_hours_at_all():
    r = assess_eligibility(IMHS, [], AS_OF)
    assert not r.eligible
    assert r.failed_rules == (RULE_MINUTES, RULE_SPAN)
    assert r.reasons[0] == "needs 50.00 h of qualifying RSC, has 0.00 h"


def test_rule_version_is_reported():
    r = assess_eligibility(replace(IFS, version=3), [], AS_OF)
    assert r.rule_version == 3


# --------------------------------------------------------------------------- renewal

RENEWAL_PROVIDERS = frozenset(baseline.baseline_for("IMHS")["provider_categories"])


def test_renewal_needs_12_hours_in_the_last_12_months():
    as_of = date(2025, 12, 15)
    recent = monthly(date(2025, 7, 1), 6, 120)  # 12 h, Jul..Dec
    old = [entry(date(2024, 12, 15), 600)]  # exactly 12 months back: outside
    r = assess_renewal(720, RENEWAL_PROVIDERS, recent + old, as_of)
    assert r.eligible and r.counted_minutes == 720
    assert r.window_start == date(2024, 12, 16)
    assert old[0].id not in r.counted_entry_ids
    short = assess_renewal(720, RENEWAL_PROVIDERS, recent[:-1] + old, as_of)
    assert not short.eligible
    assert short.reasons == ("needs 12.00 h of qualifying RSC, has 10.00 h",)


def test_renewal_has_no_source_or_span_rule_but_checks_credentials():
    as_of = date(2025, 12, 15)
    entries = [entry(date(2025, 11, d), 240, provider=d) for d in (1, 2, 3)]
    r = assess_renewal(720, RENEWAL_PROVIDERS, entries, as_of)
    assert r.eligible and len(r.counted_entry_ids) == 3
    bad = [entry(date(2025, 11, 1), 720, category="IFS")]
    assert not assess_renewal(720, RENEWAL_PROVIDERS, bad, as_of).eligible
    spread = assess_renewal(720, RENEWAL_PROVIDERS, entries, as_of, min_span_months=6)
    assert not spread.eligible and spread.failed_rules == (RULE_SPAN,)


# --------------------------------------------------------------------------- properties

PROP_AS_OF = date(2025, 6, 30)
PROP_REQ = Requirement(
    category="IFS",
    name="Infant Family Specialist",
    rsc_required=True,
    required_minutes=600,
    window_months=24,
    min_span_months=12,
    provider_categories=frozenset({"IMHS", "IMHM-C"}),
    max_sources=2,
    majority_rule=True,
)
W_START = window_start(PROP_AS_OF, PROP_REQ.window_months)

# (key, name, category, valid_from, valid_until)
PROVIDERS = [
    (key(1), "Alice Adams", "IMHS", date(2020, 1, 1), None),
    (key(2), "Ben Brown", "IMHM-C", date(2020, 1, 1), date(2024, 12, 31)),
    (key("cara|imhs|1"), "Cara Cole", "IMHS", date(2024, 3, 1), None),
    (key(4), "Dee Dunn", "IFS", date(2020, 1, 1), None),
    (None, None, None, None, None),
]

in_window_dates = st.dates(min_value=W_START, max_value=PROP_AS_OF)
outside_dates = st.one_of(
    st.dates(min_value=date(2018, 1, 1), max_value=W_START - timedelta(days=1)),
    st.dates(min_value=PROP_AS_OF + timedelta(days=1), max_value=date(2027, 1, 1)),
)


@st.composite
def raw_entries(draw, dates=in_window_dates):
    key, name, category, vf, vu = draw(st.sampled_from(PROVIDERS))
    return {
        "date": draw(dates),
        "minutes": draw(st.integers(min_value=1, max_value=300)),
        "format": draw(st.sampled_from(["group", "individual"])),
        "peer": draw(st.booleans()),
        "verified": draw(st.booleans()),
        "provider_key": key,
        "provider_name": name,
        "credentials": stamp(category, vf, vu),
    }


@st.composite
def qualifying_raw_entries(draw):
    """Verified, non-peer, in the window, from a qualifying provider valid on the day."""
    key, name, category, vf, vu = draw(st.sampled_from(PROVIDERS[:3]))
    lo = max(W_START, vf)
    hi = PROP_AS_OF if vu is None else min(PROP_AS_OF, vu)
    return {
        "date": draw(st.dates(min_value=lo, max_value=hi)),
        "minutes": draw(st.integers(min_value=1, max_value=300)),
        "format": draw(st.sampled_from(["group", "individual"])),
        "peer": False,
        "verified": True,
        "provider_key": key,
        "provider_name": name,
        "credentials": stamp(category, vf, vu),
    }


def with_ids(raws, first_id=1):
    return [LedgerEntry(id=first_id + i, **r) for i, r in enumerate(raws)]


def _alice(day: date, minutes: int) -> dict:
    return {
        "date": day,
        "minutes": minutes,
        "format": "group",
        "peer": False,
        "verified": True,
        "provider_key": key(1),
        "provider_name": "Alice Adams",
        "credentials": stamp("IMHS", date(2020, 1, 1), None),
    }


@st.composite
def ledgers(draw, anchored=None):
    raws = draw(st.lists(st.one_of(raw_entries(), qualifying_raw_entries()), max_size=20))
    if anchored if anchored is not None else draw(st.booleans()):
        # an anchor that makes eligibility likely: a source spanning the window
        mid = draw(st.dates(min_value=W_START, max_value=PROP_AS_OF))
        raws += [_alice(day, draw(st.integers(min_value=60, max_value=250))) for day in (W_START, mid, PROP_AS_OF)]
    raws = draw(st.permutations(raws))
    return with_ids(raws)


PROP_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow]
)


@PROP_SETTINGS
@given(ledgers(anchored=True), st.lists(qualifying_raw_entries(), min_size=1, max_size=3))
def test_adding_qualifying_entries_only_hurts_through_the_source_rule(entries, extra_raws):
    before = assess_eligibility(PROP_REQ, entries, PROP_AS_OF)
    assume(before.eligible)
    extra = with_ids(extra_raws, first_id=len(entries) + 1)
    after = assess_eligibility(PROP_REQ, entries + extra, PROP_AS_OF)
    # counted minutes (the sum of the largest sources) and the largest source never shrink
    assert after.counted_minutes >= before.counted_minutes
    assert after.counted_sources[0][1] >= before.counted_sources[0][1]
    if not after.eligible:
        # only the source cap can have this effect: a source that used to count was left
        # out, taking its span with it
        assert RULE_MINUTES not in after.failed_rules
        assert RULE_SOURCES not in after.failed_rules
        dropped = {k for k, _ in before.counted_sources} - {k for k, _ in after.counted_sources}
        assert dropped
        assert any("at most 2 sources count" in why for _, why in after.excluded)
        assert after.failed_rules == (RULE_SPAN,)


@PROP_SETTINGS
@given(ledgers(anchored=True), st.lists(qualifying_raw_entries(), min_size=1, max_size=3))
def test_adding_qualifying_entries_without_source_cap_never_hurts(entries, extra_raws):
    req = replace(PROP_REQ, max_sources=None)
    before = assess_eligibility(req, entries, PROP_AS_OF)
    assume(before.eligible)
    extra = with_ids(extra_raws, first_id=len(entries) + 1)
    assert assess_eligibility(req, entries + extra, PROP_AS_OF).eligible


@PROP_SETTINGS
@given(ledgers(), st.lists(raw_entries(dates=outside_dates), max_size=10))
def test_entries_outside_the_window_never_change_the_result(entries, outside_raws):
    outside = with_ids(outside_raws, first_id=len(entries) + 1)
    base = assess_eligibility(PROP_REQ, entries, PROP_AS_OF)
    mixed = assess_eligibility(PROP_REQ, outside + entries, PROP_AS_OF)
    assert mixed == base


@PROP_SETTINGS
@given(ledgers(), st.randoms(use_true_random=False))
def test_the_order_of_entries_never_matters(entries, rnd: random.Random):
    shuffled = list(entries)
    rnd.shuffle(shuffled)
    a = assess_eligibility(PROP_REQ, entries, PROP_AS_OF)
    b = assess_eligibility(PROP_REQ, shuffled, PROP_AS_OF)
    assert a == b
    assert isinstance(a, Eligibility)
    assert list(a.counted_entry_ids) == sorted(
        a.counted_entry_ids, key=lambda i: next((e.date, e.id) for e in entries if e.id == i)
    )
    # renewal too
    assert assess_renewal(720, PROP_REQ.provider_categories, entries, PROP_AS_OF) == assess_renewal(
        720, PROP_REQ.provider_categories, tuple(shuffled), PROP_AS_OF
    )


@PROP_SETTINGS
@given(ledgers())
def test_result_is_consistent(entries):
    r = assess_eligibility(PROP_REQ, entries, PROP_AS_OF)
    by_id = {e.id: e for e in entries}
    in_window = {e.id for e in entries if r.window_start <= e.date <= r.window_end}
    counted, excluded = set(r.counted_entry_ids), {i for i, _ in r.excluded}
    assert counted | excluded == in_window and not counted & excluded
    assert r.counted_minutes == sum(by_id[i].minutes for i in counted)
    assert r.eligible == (r.reasons == ()) == (r.failed_rules == ())
    assert len(r.counted_sources) <= 2
    for i in counted:
        e = by_id[i]
        assert not e.peer and e.verified
        assert any(c.category in {"IMHS", "IMHM-C"} and c.valid_on(e.date) for c in e.credentials)


# Providers with accounts whose ids compare differently as text ("10" < "9") and external ones;
# minutes in whole hours so that sources often tie.
ACCOUNT_IDS = [2, 9, 10, 11, 100]


@st.composite
def tie_prone_ledgers(draw):
    raws = []
    for _ in range(draw(st.integers(min_value=0, max_value=14))):
        provider = draw(st.one_of(st.sampled_from(ACCOUNT_IDS), st.sampled_from(["ext|imhs|1", "ext|imhs|2"])))
        raws.append(
            {
                "date": draw(in_window_dates),
                "minutes": 60 * draw(st.integers(min_value=1, max_value=4)),
                "format": "group",
                "peer": False,
                "verified": True,
                "provider_key": key(provider),
                "provider_name": f"Provider {provider}",
                "credentials": stamp("IMHS", date(2020, 1, 1), None),
            }
        )
    return with_ids(raws)


def relabelled(entries, new_ids: dict[int, int]) -> list[LedgerEntry]:
    return [
        replace(e, provider_key=ProviderKey.account(new_ids[e.provider_key.account_id]))
        if e.provider_key is not None and not e.provider_key.external
        else e
        for e in entries
    ]


@PROP_SETTINGS
@given(tie_prone_ledgers(), st.lists(st.integers(min_value=1, max_value=10**6), min_size=5, max_size=5, unique=True))
def test_relabelling_provider_ids_in_the_same_order_never_changes_eligibility(entries, new_ids):
    relabel = dict(zip(ACCOUNT_IDS, sorted(new_ids), strict=True))  # order-preserving
    for req in (PROP_REQ, replace(PROP_REQ, max_sources=1), replace(PROP_REQ, majority_rule=False)):
        before = assess_eligibility(req, entries, PROP_AS_OF)
        after = assess_eligibility(req, relabelled(entries, relabel), PROP_AS_OF)
        assert after.eligible == before.eligible
        assert after.counted_entry_ids == before.counted_entry_ids
        assert (after.counted_minutes, after.reasons, after.excluded) == (
            before.counted_minutes,
            before.reasons,
            before.excluded,
        )


# --------------------------------------------------------------------------- totals agree with entries


def source_totals(req: Requirement, entries: list[LedgerEntry], as_of: date) -> list[SourceTotal]:
    """What the database sums: per source (and name) the entries that pass steps 1 and 2."""
    start = window_start(as_of, req.window_months)
    groups: dict[tuple[ProviderKey | None, str | None], list[LedgerEntry]] = {}
    for e in entries:
        counts = (
            start <= e.date <= as_of
            and not e.peer
            and e.verified
            and e.minutes > 0
            and e.format in req.allowed_formats
            and any(c.category in req.provider_categories and c.valid_on(e.date) for c in e.credentials)
        )
        if counts:
            groups.setdefault((e.provider_key, e.provider_name), []).append(e)
    return [
        SourceTotal(key, name, sum(e.minutes for e in es), min(e.date for e in es), max(e.date for e in es))
        for (key, name), es in groups.items()
    ]


def same_judgement(by_entries: Eligibility, by_totals: Eligibility) -> None:
    assert by_totals.eligible == by_entries.eligible
    assert by_totals.counted_minutes == by_entries.counted_minutes
    assert by_totals.failed_rules == by_entries.failed_rules
    assert by_totals.span_months == by_entries.span_months
    assert by_totals.counted_sources == by_entries.counted_sources
    assert (by_totals.window_start, by_totals.window_end) == (by_entries.window_start, by_entries.window_end)
    rule_reasons = len(by_entries.failed_rules)
    assert by_totals.reasons[:rule_reasons] == by_entries.reasons[:rule_reasons]


VARIANTS = (
    PROP_REQ,
    replace(PROP_REQ, max_sources=1),
    replace(PROP_REQ, max_sources=None),
    replace(PROP_REQ, majority_rule=False, max_sources=None),
    replace(PROP_REQ, min_span_months=0, allowed_formats=frozenset({"group"})),
)


@PROP_SETTINGS
@given(st.one_of(ledgers(), tie_prone_ledgers()))
def test_totals_by_source_give_the_same_answer_as_the_entries(entries):
    for req in VARIANTS:
        same_judgement(
            assess_eligibility(req, entries, PROP_AS_OF),
            assess_totals(req, source_totals(req, entries, PROP_AS_OF), PROP_AS_OF),
        )


def test_totals_for_one_source_under_two_names_are_one_source():
    renamed = [
        entry(date(2025, 1, 10), 600, provider=7, name="Ana Ruiz"),
        entry(date(2025, 11, 10), 600, provider=7, name="Ana Ruiz-Cole"),
        entry(date(2025, 12, 1), 200, provider="cara|imhs|1", name="Cara Cole"),
        entry(date(2025, 12, 2), 200, provider=None, name=None),
    ]
    for req in (IFS, replace(IFS, max_sources=None, majority_rule=False), replace(IFS, max_sources=1)):
        by_totals = assess_totals(req, source_totals(req, renamed, AS_OF), AS_OF)
        same_judgement(assess_eligibility(req, renamed, AS_OF), by_totals)
        assert by_totals.counted_sources[0] == (ProviderKey.account(7), 1200)


def test_totals_without_hours_and_without_a_requirement():
    nothing = assess_totals(IFS, [], AS_OF)
    assert (nothing.eligible, nothing.counted_minutes, nothing.failed_rules) == (False, 0, (RULE_MINUTES, RULE_SPAN))
    assert assess_totals(req_for("IFA"), [], AS_OF).eligible
