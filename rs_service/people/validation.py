"""Checks on what people type, shared by the pages, the API and the import."""

import unicodedata


def single_line_problem(value: str) -> str | None:
    """Why `value` cannot be a single line of text (a name, a number, a reason), or None.

    Control characters (new lines, tabs, escapes) and lone surrogates end up in email headers,
    calendar files and CSV exports, where they break the format or smuggle in content.
    """
    for character in value:
        category = unicodedata.category(character)
        if category == "Cc":
            return "must be a single line without control characters"
        if category == "Cs":
            return "contains a character that is not valid text"
    return None
