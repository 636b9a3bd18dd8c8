"""A group's recurrence rule in words, in English and Spanish."""

import pytest
from flask_babel import force_locale

from rs_service.groups.schedule import describe_rule, ordinal


@pytest.mark.parametrize(
    ("rule", "english", "spanish"),
    [
        ("FREQ=MONTHLY;BYDAY=1TU,3TU", "1st and 3rd Tuesday of the month", "1.er y 3.er martes del mes"),
        ("FREQ=MONTHLY;BYDAY=2TH,4TH", "2nd and 4th Thursday of the month", "2.º y 4.º jueves del mes"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "last Friday of the month", "último viernes del mes"),
        ("FREQ=MONTHLY;BYDAY=1MO,3MO,5MO", "1st, 3rd, and 5th Monday of the month", "1.er, 3.er y 5.º lunes del mes"),
        ("FREQ=WEEKLY;BYDAY=TU", "Every Tuesday", "Cada martes"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "Every other Monday and Thursday", "Cada dos semanas: lunes y jueves"),
        ("FREQ=WEEKLY", "Every week", "Cada semana"),
        ("RRULE:FREQ=WEEKLY;INTERVAL=2", "Every other week", "Cada dos semanas"),
    ],
)
def test_common_rules_read_in_both_languages(app, rule, english, spanish):
    with app.test_request_context():
        assert describe_rule(rule, "en") == english
        with force_locale("es"):
            assert describe_rule(rule, "es") == spanish


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MONTHLY;BYDAY=1TU,3WE",  # two weekdays with ordinals: no short way to say it
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=1TU",
        "FREQ=DAILY",
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=TU",
        "FREQ=YEARLY;BYMONTH=3;BYDAY=1TU",
        "FREQ=MONTHLY;BYDAY=-3TU",
    ],
)
def test_unusual_rules_are_not_described(app, rule):
    with app.test_request_context():
        assert describe_rule(rule, "en") is None


def test_ordinals_follow_each_languages_rules(app):
    with app.test_request_context():
        assert [ordinal(n, "en") for n in (1, 2, 3, 4, 5)] == ["1st", "2nd", "3rd", "4th", "5th"]
        assert [ordinal(n, "es") for n in (1, 2, 3, 4, 5)] == ["1.er", "2.º", "3.er", "4.º", "5.º"]
