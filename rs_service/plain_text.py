"""Stored text made safe for formats with line structure (iCalendar, email headers).

Entry refuses control characters in single-line text, but rows written before that rule, or by
hand, may still hold them: output never trusts the database. Pure functions.
"""

import re
import unicodedata

# Line and paragraph separators end a line in some readers although they are not control characters.
_BREAKS = {"\u2028", "\u2029", "\x85"}
_SPACES = re.compile(r"\s+")


def _is_unsafe(character: str) -> bool:
    category = unicodedata.category(character)
    return category == "Cc" or category == "Cs" or character in _BREAKS


def one_line(value: str) -> str:
    """`value` as a single line: every control character, line break or lone surrogate becomes a
    space, runs of white space become one, and the ends are trimmed."""
    cleaned = "".join(" " if _is_unsafe(c) else c for c in value)
    return _SPACES.sub(" ", cleaned).strip()


def paragraphs(value: str) -> str:
    """`value` with its line breaks as plain newlines and every other control character (or lone
    surrogate) as a space: for text that may span lines, such as a description."""
    lines = re.split(r"\r\n|[\r\n\u2028\u2029\x85]", value)
    return "\n".join(one_line(line) for line in lines).strip("\n")
