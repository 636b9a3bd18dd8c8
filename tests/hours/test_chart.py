"""The hours chart: counted minutes only, its line ending where the progress bar does, and an empty state."""

from datetime import date

from rs_service.hours.chart import HEIGHT, cumulative_chart
from tests.factories import log_in, make_org, make_person


def test_the_line_ends_at_the_counted_total_and_a_reversal_brings_it_down():
    chart = cumulative_chart([(date(2026, 3, 3), 90), (date(2026, 1, 6), 90), (date(2026, 3, 3), -90)], 24 * 60)
    assert chart.counted_minutes == 90 and (chart.first, chart.last) == (date(2026, 1, 6), date(2026, 3, 3))
    assert chart.top_minutes == 24 * 60 and chart.target_y is not None and 0 < chart.target_y < HEIGHT
    last_y = float(chart.points.split()[-1].split(",")[1])
    assert abs(last_y - (HEIGHT - 34 - 90 / (24 * 60) * (HEIGHT - 16 - 34))) < 0.1


def test_no_counted_hours_is_an_empty_chart():
    assert cumulative_chart([], 24 * 60).empty
    assert cumulative_chart([(date(2026, 1, 6), 90), (date(2026, 1, 7), -90)], None).empty


def test_the_empty_chart_says_what_to_do(client):
    person = make_person(make_org("mi-aimh"), name="Ana", pursuing_category="IFS")
    log_in(client, person)
    html = client.get("/my/hours").get_data(as_text=True)
    assert "No hours count yet." in html and "signs off the attendance" in html and "<polyline" not in html
