"""Examples and properties of the yearly renewal rule (rs_service.endorsement.renewal): pure, no app."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rs_service.endorsement.renewal import (
    DUE,
    MET,
    NOT_ENDORSED,
    OVERDUE,
    DueDate,
    HeldCredential,
    RenewalRule,
    assess_renewal_status,
    due_date_problem,
    endorsed_since,
)
from rs_service.endorsement.rules import LedgerEntry, ProviderKey, StampedCredential

PROVIDERS = frozenset({"IFRS", "IMHS", "IMHM-C"})
IFS = RenewalRule("IFS", 720, DueDate(12, 31), PROVIDERS)
SINCE_2022 = (HeldCredential("IFS", date(2022, 5, 1), None),)
SINCE_2024 = (HeldCredential("IFS", date(2024, 1, 1), None),)  # first renewal due 2025-12-31


def rsc(day: date, minutes: int = 90, entry_id: int = 0, *, category: str = "IMHS", peer: bool = False) -> LedgerEntry:
    return LedgerEntry(
        id=entry_id or day.toordinal() * 10 + minutes % 7,
        date=day,
        minutes=minutes,
        format="group",
        peer=peer,
        verified=True,
        provider_key=ProviderKey.account(1),
        provider_name="Alice Adams",
        credentials=(StampedCredential(category, date(2015, 1, 1), None),),
    )


def monthly(first: date, months: int, minutes: int = 90) -> list[LedgerEntry]:
    return [rsc(first + relativedelta(months=n), minutes) for n in range(months)]


# ----------------------------------------------------------------------------- due dates


@pytest.mark.parametrize("text", ["12-31", "01-31", "12-15", "02-28", "03-01"])
def test_yearly_due_dates_that_every_year_has_are_accepted(text):
    assert due_date_problem(text) is None and str(DueDate.parse(text)) == text


@pytest.mark.parametrize(
    "text", ["02-29", "02-30", "13-01", "00-10", "12-32", "12/31", "1231", "Dec 31", "", None, 1231]
)
def test_other_due_dates_are_refused_in_words(text):
    assert "MM-DD" in due_date_problem(text) or "every year" in due_date_problem(text)
    with pytest.raises(ValueError):
        DueDate.parse(text) if isinstance(text, str) else DueDate.parse(str(text))


def test_due_dates_fall_each_year_on_the_date():
    due = DueDate(1, 31)
    assert due.on_or_after(date(2025, 1, 31)) == date(2025, 1, 31)
    assert due.on_or_after(date(2025, 2, 1)) == date(2026, 1, 31)
    assert due.before(date(2025, 1, 31)) == date(2024, 1, 31)


# ----------------------------------------------------------------------------- examples


def test_not_endorsed_without_a_valid_credential_of_the_category():
    lapsed = (HeldCredential("IFS", date(2020, 1, 1), date(2024, 6, 30)),)
    other = (HeldCredential("IMHS", date(2020, 1, 1), None),)
    for credentials in ((), lapsed, other):
        answer = assess_renewal_status(IFS, credentials, monthly(date(2025, 1, 1), 12), date(2025, 12, 1))
        assert (answer.status, answer.due_on, answer.counted_minutes) == (NOT_ENDORSED, None, 0)


def test_twelve_hours_in_the_year_before_the_due_date_meet_the_renewal():
    answer = assess_renewal_status(IFS, SINCE_2024, monthly(date(2025, 1, 10), 8), date(2025, 11, 1))
    assert (answer.status, answer.due_on, answer.counted_minutes, answer.required_minutes) == (
        MET,
        date(2025, 12, 31),
        720,
        720,
    )
    assert (answer.window_start, answer.window_end, answer.endorsed_since) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
        date(2024, 1, 1),
    )
    assert answer.reasons == ()


def test_short_before_the_due_date_is_due_with_what_is_missing():
    answer = assess_renewal_status(IFS, SINCE_2024, monthly(date(2025, 1, 10), 4), date(2025, 11, 1))
    assert (answer.status, answer.counted_minutes, answer.shortfall_minutes, answer.days_left) == (DUE, 360, 360, 60)
    assert any("12.00 h" in reason for reason in answer.reasons)


def test_a_missed_due_date_is_overdue_until_the_next_one_judges_its_own_year():
    last_year_short = monthly(date(2024, 1, 10), 4)  # 6 h toward 2024-12-31
    this_year_full = monthly(date(2025, 1, 10), 8)  # 12 h toward 2025-12-31
    entries = last_year_short + this_year_full
    answer = assess_renewal_status(IFS, SINCE_2022, entries, date(2025, 6, 1))
    assert (answer.status, answer.due_on, answer.counted_minutes, answer.days_left) == (
        OVERDUE,
        date(2024, 12, 31),
        360,
        -152,
    )
    on_the_day = assess_renewal_status(IFS, SINCE_2022, entries, date(2025, 12, 31))
    assert (on_the_day.status, on_the_day.due_on) == (MET, date(2025, 12, 31))


def test_hours_after_the_as_of_date_are_not_counted_yet():
    entries = monthly(date(2025, 1, 10), 8)
    answer = assess_renewal_status(IFS, SINCE_2024, entries, date(2025, 5, 1))
    assert (answer.status, answer.counted_minutes) == (DUE, 360)  # January to April


def test_the_first_renewal_falls_a_year_after_endorsement():
    new = (HeldCredential("IFS", date(2025, 3, 1), None),)
    answer = assess_renewal_status(IFS, new, [], date(2025, 6, 1))
    assert (answer.status, answer.due_on, answer.window_start) == (DUE, date(2026, 12, 31), date(2026, 1, 1))
    just_after = (HeldCredential("IFS", date(2024, 12, 31), None),)
    assert assess_renewal_status(IFS, just_after, [], date(2025, 6, 1)).due_on == date(2025, 12, 31)


def test_a_renewal_recorded_as_a_new_credential_continues_the_endorsement():
    renewed = (
        HeldCredential("IFS", date(2021, 1, 1), date(2023, 12, 31)),
        HeldCredential("IFS", date(2024, 1, 1), None),
    )
    assert endorsed_since(renewed, "IFS", date(2025, 6, 1)) == date(2021, 1, 1)
    gap = (HeldCredential("IFS", date(2021, 1, 1), date(2023, 6, 30)), HeldCredential("IFS", date(2024, 1, 1), None))
    assert endorsed_since(gap, "IFS", date(2025, 6, 1)) == date(2024, 1, 1)


def test_peer_and_unqualified_rsc_do_not_count_toward_renewal():
    entries = [rsc(date(2025, 3, 1), 720, 1, peer=True), rsc(date(2025, 4, 1), 720, 2, category="IFA")]
    answer = assess_renewal_status(IFS, SINCE_2024, entries, date(2025, 11, 1))
    assert (answer.status, answer.counted_minutes, answer.counted_entry_ids) == (DUE, 0, ())


def test_a_category_asking_no_renewal_rsc_is_met_while_endorsed():
    ifa = RenewalRule("IFA", 0, DueDate(12, 31), frozenset())
    answer = assess_renewal_status(ifa, (HeldCredential("IFA", date(2020, 1, 1), None),), [], date(2025, 6, 1))
    assert (answer.status, answer.required_minutes) == (MET, 0)


# ----------------------------------------------------------------------------- properties

PROPERTIES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
days = st.dates(min_value=date(2018, 1, 1), max_value=date(2030, 12, 31))
due_dates = st.builds(DueDate, st.integers(1, 12), st.integers(1, 28))
rule_minutes = st.sampled_from([0, 600, 720, 900])


@st.composite
def credentials(draw):
    periods = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(days)
        end = draw(st.one_of(st.none(), st.dates(min_value=start, max_value=date(2031, 12, 31))))
        periods.append(HeldCredential(draw(st.sampled_from(["IFS", "IFS", "IMHS"])), start, end))
    return tuple(periods)


@st.composite
def ledgers(draw):
    entries = []
    for n in range(draw(st.integers(0, 25))):
        entries.append(
            rsc(
                draw(days),
                draw(st.integers(15, 240)),
                n + 1,
                category=draw(st.sampled_from(["IMHS", "IMHS", "IMHM-C", "IFA"])),
                peer=draw(st.booleans()) and draw(st.booleans()),
            )
        )
    return entries


@PROPERTIES
@given(due_dates, rule_minutes, credentials(), ledgers(), days)
def test_every_answer_is_consistent(due, minutes, held, entries, as_of):
    rule = RenewalRule("IFS", minutes, due, PROVIDERS)
    answer = assess_renewal_status(rule, held, entries, as_of)
    endorsed = any(c.category == "IFS" and c.valid_from <= as_of <= (c.valid_until or date.max) for c in held)
    assert (answer.status != NOT_ENDORSED) == endorsed
    if not endorsed:
        return
    assert (answer.due_on.month, answer.due_on.day) == (due.month, due.day)
    assert answer.endorsed_since <= as_of
    assert answer.due_on >= answer.endorsed_since + relativedelta(years=1)  # never due in the first year
    assert answer.window_start == answer.due_on - relativedelta(months=12) + timedelta(days=1)
    assert (answer.status == MET) == (answer.counted_minutes >= minutes)
    if answer.status == OVERDUE:
        assert answer.due_on < as_of and answer.due_on > as_of - relativedelta(years=1)
    else:
        assert answer.due_on >= as_of
    counted = [e for e in entries if e.id in answer.counted_entry_ids]
    assert sum(e.minutes for e in counted) == answer.counted_minutes
    for entry in counted:
        assert answer.window_start <= entry.date <= min(as_of, answer.due_on)
        assert not entry.peer and any(c.category in PROVIDERS and c.valid_on(entry.date) for c in entry.credentials)


@PROPERTIES
@given(due_dates, credentials(), ledgers(), days, st.randoms(use_true_random=False))
def test_the_order_of_entries_and_credentials_never_matters(due, held, entries, as_of, rnd: random.Random):
    rule = RenewalRule("IFS", 720, due, PROVIDERS)
    shuffled_entries, shuffled_held = list(entries), list(held)
    rnd.shuffle(shuffled_entries)
    rnd.shuffle(shuffled_held)
    assert assess_renewal_status(rule, held, entries, as_of) == assess_renewal_status(
        rule, shuffled_held, shuffled_entries, as_of
    )


@PROPERTIES
@given(due_dates, ledgers(), days, days, st.integers(15, 240))
def test_one_more_qualifying_session_never_makes_things_worse(due, entries, as_of, extra_day, minutes):
    rule = RenewalRule("IFS", 720, due, PROVIDERS)
    held = (HeldCredential("IFS", date(2015, 1, 1), None),)
    before = assess_renewal_status(rule, held, entries, as_of)
    after = assess_renewal_status(rule, held, [*entries, rsc(extra_day, minutes, 10_000)], as_of)
    rank = {OVERDUE: 0, DUE: 1, MET: 2}
    assert after.due_on == before.due_on or before.status == OVERDUE
    assert rank[after.status] >= rank[before.status]
    if after.due_on == before.due_on:
        assert after.counted_minutes >= before.counted_minutes


@PROPERTIES
@given(due_dates, credentials(), ledgers(), days)
def test_entries_after_the_as_of_date_never_change_the_answer(due, held, entries, as_of):
    rule = RenewalRule("IFS", 720, due, PROVIDERS)
    past = [e for e in entries if e.date <= as_of]
    assert assess_renewal_status(rule, held, entries, as_of) == assess_renewal_status(rule, held, past, as_of)
