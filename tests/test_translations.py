"""The Spanish catalog is complete, current and well formed, and templates leave no text untranslated.

(a) every message has its Spanish, none is fuzzy, and every %(name)s placeholder survives;
(b) extracting the messages from the code (babel.cfg's methods) finds none missing from the catalog;
(c) no template holds literal text outside _() or {% trans %}: what remains once Jinja, HTML tags,
    entities and punctuation are taken away is listed as file:line.
"""

import re
from pathlib import Path

import pytest
from babel.messages.checkers import python_format
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "rs_service" / "translations" / "es" / "LC_MESSAGES" / "messages.po"
TEMPLATES = ROOT / "templates"
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def catalog():
    with CATALOG.open("rb") as po:
        return read_po(po, locale="es")


def translated_messages():
    return [m for m in catalog() if m.id]


def message_label(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


# (a) ------------------------------------------------------------------------------------------------


def test_every_message_has_its_spanish():
    empty = [
        message_label(m)
        for m in translated_messages()
        if not (all(m.string) if isinstance(m.string, tuple) else m.string)
    ]
    assert empty == [], f"{len(empty)} messages without Spanish: {empty}"


def test_no_message_is_fuzzy():
    assert [message_label(m) for m in translated_messages() if m.fuzzy] == []
    assert not catalog().fuzzy, "the catalog header is marked fuzzy"


def test_every_placeholder_survives_the_translation():
    wrong = []
    for m in translated_messages():
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = [s for s in (m.string if isinstance(m.string, tuple) else (m.string,)) if s]
        wanted = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != wanted:
                wrong.append((message_label(m), string))
    assert wrong == []


def test_babels_format_checker_passes_every_message():
    problems = []
    cat = catalog()
    for m in translated_messages():
        if m.python_format and m.string:
            try:
                python_format(cat, m)
            except Exception as error:  # TranslationError, or a format Python itself rejects
                problems.append((message_label(m), str(error)))
    assert problems == []


# (b) ------------------------------------------------------------------------------------------------


def messages_in_the_code() -> dict[str, str]:
    """msgid -> where it was found, for every message babel.cfg's methods extract."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str, str] = {}
    for pattern, method in method_map:
        folder, _, rest = pattern.partition("/")
        options = options_map.get(pattern, {})
        for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT / folder), [(rest, method)], {rest: options}, keywords=KEYWORDS
        ):
            msgid = message if isinstance(message, str) else message[0]
            if msgid:
                found.setdefault(msgid, f"{folder}/{filename}:{lineno}")
    return found


def test_the_catalog_holds_every_message_of_the_code():
    known = {message_label(m) for m in catalog()}
    missing = sorted(f"{where}: {msgid!r}" for msgid, where in messages_in_the_code().items() if msgid not in known)
    assert missing == [], "run `make translations` and translate:\n" + "\n".join(missing)


# (c) ------------------------------------------------------------------------------------------------

HUMAN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt", "data-label")
# Words that are the same in every language: the product's name and the file formats offered.
NOT_TRANSLATED = re.compile(r"\b(rs_service|CSV|PDF|JSON)\b")
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
TRANS_BLOCK = re.compile(r"\{%-?\s*trans\b.*?%\}.*?\{%-?\s*endtrans\s*-?%\}", re.S)
JINJA_TAG = re.compile(r"\{%.*?%\}", re.S)
JINJA_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.S)
CODE_BLOCK = re.compile(r"<(pre|code|script|style)\b[^>]*>.*?</\1>", re.S | re.I)
HTML_TAG = re.compile(r"<[!/]?[a-zA-Z][^>]*>", re.S)
ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*("[^"]*"|'[^']*')""")
ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
LETTER = re.compile(r"[^\W\d_]{2,}")


def blank(match: re.Match) -> str:
    """The match replaced by as many newlines as it spanned, so line numbers stay true."""
    return "\n" * match.group(0).count("\n")


def human_attributes(tag: re.Match) -> str:
    """A tag reduced to the attribute values people read (with its newlines)."""
    values = [value[1:-1] for name, value in ATTRIBUTE.findall(tag.group(0)) if name.lower() in HUMAN_ATTRIBUTES]
    return " ".join(values) + blank(tag)


def untranslated_text(source: str) -> list[tuple[int, str]]:
    """(line, text) for each line with letters left outside _() and {% trans %}."""
    text = JINJA_COMMENT.sub(blank, source)
    text = TRANS_BLOCK.sub(blank, text)
    text = JINJA_TAG.sub(blank, text)
    text = JINJA_EXPRESSION.sub(lambda m: " " * (m.group(0).count("\n") == 0) + blank(m), text)
    text = CODE_BLOCK.sub(blank, text)
    text = HTML_TAG.sub(human_attributes, text)
    text = ENTITY.sub(" ", text)
    text = NOT_TRANSLATED.sub(" ", text)
    return [(number, line.strip()) for number, line in enumerate(text.split("\n"), 1) if LETTER.search(line)]


def template_names() -> list[str]:
    return sorted(
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*")
        if path.suffix in (".html", ".txt", ".ics") and path.is_file()
    )


@pytest.mark.parametrize("name", template_names())
def test_a_template_has_no_text_outside_translation(name):
    leftovers = untranslated_text((TEMPLATES / name).read_text(encoding="utf-8"))
    assert leftovers == [], "\n".join(f"templates/{name}:{line}: {text}" for line, text in leftovers)


def test_the_template_check_finds_text_and_passes_translated_text():
    source = (
        '<p title="Hover text" class="x">{{ _("Fine") }}</p>\n'
        "{# a comment #}<h1>Forgotten heading</h1>\n"
        "{% trans n=1 %}Also fine {{ n }}{% endtrans %} <input placeholder=\"{{ _('ok') }}\">\n"
        "<span>{{ person.name }}</span> &amp; · – 12 <code>group_id</code>\n"
        '<td data-label="Date">{{ day }}</td>\n'
    )
    assert untranslated_text(source) == [(1, "Hover text"), (2, "Forgotten heading"), (5, "Date")]
