"""What the service accepts as a line of text from anyone, checked the same way by API schemas and forms.

Pure: no Flask, no database.
"""

import unicodedata


def single_line_problem(value: str) -> str | None:
    """Why `value` cannot be one line of text (a name, a number, a reason), or None when it can."""
    for character in value:
        if 0xD800 <= ord(character) <= 0xDFFF:
            return "must not contain invalid characters (a lone surrogate)"
        if unicodedata.category(character) == "Cc" or character in "\u2028\u2029":
            return "must be a single line without control characters"
    return None
