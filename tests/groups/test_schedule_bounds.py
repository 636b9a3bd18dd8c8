"""Expanding a recurrence rule is bounded by count and time span, and gives exactly the rule's dates."""

from datetime import date, datetime, time

import pytest
from dateutil import rrule as dateutil_rrule
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rs_service.groups.schedule import ScheduleError, Series, calendar_twin_shift, local_starts


class MonthsExamined:
    """How many calendar months python-dateutil works through while expanding."""

    def __init__(self, monkeypatch):
        self.count = 0
        rebuild = dateutil_rrule._iterinfo.rebuild

        def counting(info, year, month):
            self.count += 1
            return rebuild(info, year, month)

        monkeypatch.setattr(dateutil_rrule._iterinfo, "rebuild", counting)


def series(rule, first=date(2026, 1, 1), until=date(2026, 12, 31), **kwargs):
    return Series(rule, "America/Detroit", first, until, time(10), **kwargs)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",
        "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29",  # from 2026: 2026, 2030 ... never a leap year
    ],
)
def test_a_rule_that_never_matches_is_refused_after_a_few_decades_of_calendar_not_eight_thousand_years(
    monkeypatch, rule
):
    months = MonthsExamined(monkeypatch)
    assert local_starts(series(rule)) == []
    assert months.count < 40 * 12


def test_an_api_group_whose_rule_never_matches_is_a_422(api, staff, facilitator):
    from tests.factories import group_body, token_for

    body = group_body([facilitator.id], rrule="FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30")
    response = api.post("/groups", token_for(staff), body)
    assert response.status_code == 422 and "rrule" in response.get_json()["errors"]


def test_more_sessions_than_the_limit_are_refused():
    with pytest.raises(ScheduleError, match="more than 400 sessions"):
        local_starts(series("FREQ=DAILY", until=date(2027, 6, 30)))


def test_byeaster_is_not_rfc_5545_and_is_refused():
    with pytest.raises(ScheduleError, match="BYEASTER"):
        local_starts(series("FREQ=YEARLY;BYEASTER=0"))


def test_this_centurys_groups_are_expanded_within_a_few_decades_of_9999():
    for year in range(2000, 2100):
        assert 9999 - 40 <= year + 1 + calendar_twin_shift(year, year) <= 9999


def test_the_twin_years_have_the_same_calendar():
    for first, last in ((2026, 2026), (2024, 2034), (2095, 2105), (1900, 1901), (2199, 2200)):
        shift = calendar_twin_shift(first, last)
        assert last + 1 + shift <= 9999
        for year in range(first - 1, last + 2):
            assert date(year, 1, 1).weekday() == date(year + shift, 1, 1).weekday()
            assert (date(year, 3, 1) - date(year, 2, 1)).days == (
                date(year + shift, 3, 1) - date(year + shift, 2, 1)
            ).days


WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
rules = st.one_of(
    st.builds(
        lambda interval, days: f"FREQ=WEEKLY;INTERVAL={interval};BYDAY={','.join(days)}",
        st.integers(1, 3),
        st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=3, unique=True),
    ),
    st.builds(
        lambda interval, nth, day: f"FREQ=MONTHLY;INTERVAL={interval};BYDAY={nth}{day}",
        st.integers(1, 2),
        st.sampled_from(["1", "2", "3", "4", "-1"]),
        st.sampled_from(WEEKDAYS),
    ),
    st.builds(lambda day: f"FREQ=MONTHLY;BYMONTHDAY={day}", st.integers(1, 28)),
    st.builds(
        lambda month, day: f"FREQ=YEARLY;BYMONTH={month};BYMONTHDAY={day}", st.integers(1, 12), st.integers(1, 28)
    ),
    st.just("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"),
    st.builds(lambda interval: f"FREQ=DAILY;INTERVAL={interval}", st.integers(2, 9)),
)


@settings(max_examples=60, deadline=None)
@example(rule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", first=date(2097, 1, 1), days=0)  # 2100 is no leap year
@given(rule=rules, first=st.dates(date(1901, 1, 1), date(2190, 1, 1)), days=st.integers(0, 3 * 366))
def test_bounded_expansion_gives_exactly_the_dates_of_the_rule(rule, first, days):
    until = date.fromordinal(first.toordinal() + days)
    plain = dateutil_rrule.rrulestr(f"RRULE:{rule}", dtstart=datetime.combine(first, time(10)))
    expected = plain.between(datetime.combine(first, time(10)), datetime.combine(until, time.max), inc=True)
    try:
        assert local_starts(series(rule, first, until)) == expected
    except ScheduleError:
        assert len(expected) > 400
