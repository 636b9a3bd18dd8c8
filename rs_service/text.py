"""What the service accepts as text and dates from anyone, checked the same way by API schemas and forms.

Pure: no Flask, no database.
"""

import unicodedata
from datetime import date

# Schedules, ledgers and windows outside these years are typing mistakes, and far-off years overflow
# date arithmetic (a session in 9999 cannot end).
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2200, 12, 31)


def single_line_problem(value: str) -> str | None:
    """Why `value` cannot be one line of text (a name, a number, a reason), or None when it can."""
    for character in value:
        if 0xD800 <= ord(character) <= 0xDFFF:
            return "must not contain invalid characters (a lone surrogate)"
        if unicodedata.category(character) == "Cc" or character in "\u2028\u2029":
            return "must be a single line without control characters"
    return None


def day_problem(value: date) -> str | None:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        return f"must be between {EARLIEST_DAY} and {LATEST_DAY}"
    return None
