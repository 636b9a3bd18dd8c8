"""Hours as the Endorsement counts them: clock hours with two decimals, rounded half up.

The one way every page, PDF, CSV, badge and rule writes minutes as hours; `local_times.decimal_hours`
writes the same number the reader's way ("12,50" in Spanish).
"""


def clock_hours(minutes: int) -> str:
    """Clock hours with two decimals, rounded half up, without the unit: 1110 -> "18.50"."""
    sign = "-" if minutes < 0 else ""
    m = abs(int(minutes))
    whole, rest = divmod(m, 60)
    # exact decimal rounding of rest/60 to hundredths, half up
    hundredths = (rest * 100 * 2 + 60) // 120
    if hundredths == 100:
        whole, hundredths = whole + 1, 0
    return f"{sign}{whole}.{hundredths:02d}"
