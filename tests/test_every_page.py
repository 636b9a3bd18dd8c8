"""Every page answers in English and in Spanish, and a Spanish page shows no English.

English on a Spanish page is found three ways, all reported at once, page by page:
- a catalog message (2+ words) whose Spanish differs from its English, shown in English;
- a message the code asks to translate that the catalog lacks or leaves empty;
- English written straight into a template, outside any `_()` or `{% trans %}`.
What the scenario itself wrote (names, reasons, the association's name) is data, read in no language.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from rs_service.extensions import db
from tests.factories import log_in
from tests.pages import ANONYMOUS, PAGES, ROLES, build_scenario, candidate_routes, url_values

ROOT = Path(__file__).resolve().parent.parent
SPANISH_CATALOG = ROOT / "rs_service/translations/es/LC_MESSAGES/messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
READABLE_ATTRIBUTES = {"aria-label", "title", "alt", "placeholder"}
WORD = re.compile(r"\S*[^\W\d_]\S*")  # a word has a letter in it
PLACEHOLDER = re.compile(r"%\([^)]*\)[sdif]|%[sdif]")
DATA = "\x00"  # stands where data was: no phrase reads across it


class VisibleText(HTMLParser):
    """The words a person reads or hears: text outside scripts and styles, labels read aloud, button values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.hidden += 1
        values = dict(attrs)
        readable = [v for k, v in values.items() if k in READABLE_ATTRIBUTES and v]
        if tag == "input" and values.get("type") in ("submit", "button", "reset") and values.get("value"):
            readable.append(values["value"])
        self.parts.extend(DATA + value + DATA for value in readable)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str, between_elements: str = " ") -> str:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return re.sub(r"\s+", " ", between_elements.join(parser.parts))


def words(text: str) -> int:
    return len(WORD.findall(PLACEHOLDER.sub(" ", text)))


def literal_pattern(text: str) -> str:
    body = re.escape(text).replace(r"\ ", r"\s+")
    start = r"\b" if re.match(r"\w", text) else ""
    end = r"\b" if re.search(r"\w$", text) else ""
    return start + body + end


class Phrase:
    """English as it reads on a page: any value where a placeholder is, any spacing, whole words.

    A message with placeholders is found by its runs of 2+ words, all of them; one whose runs are
    single words by the whole message, a placeholder standing for a short value (never for
    unbounded text, which would make the search take exponential time).
    """

    def __init__(self, english: str):
        text = visible_text(english.replace("%%", "%")).strip()
        pieces = [piece.strip() for piece in PLACEHOLDER.split(text)]
        runs = [piece for piece in pieces if words(piece) >= 2]
        if runs:
            self.patterns = [re.compile(literal_pattern(run)) for run in runs]
        else:
            whole = r"[^\x00]{1,60}?".join(literal_pattern(piece) for piece in pieces)
            self.patterns = [re.compile(whole)]

    def search(self, text: str) -> bool:
        return all(pattern.search(text) for pattern in self.patterns)


def phrase_pattern(english: str) -> Phrase:
    return Phrase(english)


def spanish_catalog():
    with SPANISH_CATALOG.open("rb") as po:
        return read_po(po, locale="es")


def catalog_problems(catalog) -> list[str]:
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if not all(strings):
            problems.append(f"empty: {message.id!r}")
    return problems


def code_messages() -> set[str]:
    """Every msgid the code and templates ask for, extracted as `make translations` does."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS):
        found.update(message if isinstance(message, tuple) else (message,))
    return {m for m in found if m}


def template_literals() -> set[str]:
    """English typed straight into the page templates: text between Jinja tags, outside trans blocks."""
    found = set()
    for template in (ROOT / "templates").rglob("*.html"):
        if "mail" in template.parts or (
            template.parent.name == "notifications" and template.name != "undelivered.html"
        ):
            continue  # messages sent by mail are not pages
        source = template.read_text()
        source = re.sub(r"{#.*?#}", "", source, flags=re.S)
        source = re.sub(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", DATA, source, flags=re.S)
        source = re.sub(r"{{.*?}}|{%.*?%}", DATA, source, flags=re.S)
        for piece in visible_text(source, between_elements=DATA).split(DATA):
            piece = piece.strip(" \t\n·|()[]:,;—–-")
            if words(piece) >= 2:
                found.add(piece)
    return found


def english_phrases(catalog) -> dict[str, str]:
    """English phrases of 2+ words that must not be read on a Spanish page, each with why."""
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids:
            translated[english] = all(strings) and not message.fuzzy and english not in strings
            if all(strings) and english in strings:
                translated[english] = None  # the same in both languages: nothing to find
    phrases = {}
    for english in code_messages():
        state = translated.get(english, False)
        if state is None:
            continue
        phrases[english] = "English in Spanish" if state else "not translated in the catalog"
    for english, state in translated.items():
        if state:
            phrases.setdefault(english, "English in Spanish")
    for english in template_literals():
        phrases.setdefault(english, "English written in the template, not marked for translation")
    # A phrase that Spanish text itself contains (a proper name, "Endorsement") cannot be told apart.
    spanish = DATA.join(s for m in catalog if m.id for s in (m.string if isinstance(m.string, tuple) else (m.string,)))
    return {
        english: why
        for english, why in phrases.items()
        if words(english) >= 2 and not phrase_pattern(english).search(visible_text(spanish))
    }


def english_on(text: str, phrases: dict[str, str]) -> list[str]:
    return sorted(f"{why}: {english!r}" for english, why in phrases.items() if phrase_pattern(english).search(text))


def without_data(text: str, user_text: list[str]) -> str:
    for value in sorted(user_text, key=len, reverse=True):
        text = text.replace(value, DATA)
    return text


def html_lang(html: str) -> str | None:
    match = re.search(r'<html[^>]*\blang="([^"]+)"', html)
    return match.group(1) if match else None


def read_every_page(app, language: str) -> tuple[object, dict[str, tuple[int, str]]]:
    """Each page as its role reads it in `language`: status and HTML, by page name."""
    scenario = build_scenario()
    for person in scenario.people.values():
        person.language = language
    db.session.commit()
    pages = {}
    for role in ROLES:
        client = app.test_client()
        if role != ANONYMOUS:
            log_in(client, scenario.people[role])
        for page in (p for p in PAGES if p.role == role):
            response = client.get(page.path(scenario), headers={"Accept-Language": language})
            pages[page.name] = (response.status_code, response.get_data(as_text=True))
    return scenario, pages


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_page_answers_in_its_readers_language(app, language):
    _, pages = read_every_page(app, language)
    expected = {page.name: (page.status, language) for page in PAGES}
    answered = {name: (status, html_lang(html)) for name, (status, html) in pages.items()}
    assert answered == expected


def test_no_spanish_page_shows_english(app):
    catalog = spanish_catalog()
    phrases = english_phrases(catalog)
    scenario, pages = read_every_page(app, "es")
    found = {
        name: english_on(without_data(visible_text(html), scenario.user_text), phrases)
        for name, (_, html) in pages.items()
    }
    found = {name: messages for name, messages in found.items() if messages}
    report = "\n".join(
        f"{name} ({len(messages)}):\n  " + "\n  ".join(messages) for name, messages in sorted(found.items())
    )
    assert not found, f"English on {len(found)} Spanish pages:\n{report}"


def test_the_spanish_catalog_has_no_empty_or_fuzzy_message():
    problems = catalog_problems(spanish_catalog())
    assert not problems, "\n".join(problems)


def test_the_code_asks_for_no_message_the_spanish_catalog_lacks():
    known = {
        m
        for message in spanish_catalog()
        if message.id
        for m in (message.id if isinstance(message.id, tuple) else (message.id,))
    }
    missing = sorted(code_messages() - known)
    assert not missing, "run `make translations` and translate:\n" + "\n".join(map(repr, missing))


def test_the_english_finder_sees_a_message_through_its_placeholders_and_markup():
    pattern = phrase_pattern("Signed off %(count)s sessions for <strong>%(group)s</strong>.")
    page = visible_text("<p>Signed off <b>3</b> sessions for <strong>Lansing RS 1</strong>.</p>")
    assert pattern.search(page)
    assert not pattern.search(visible_text("<p>Se firmaron 3 sesiones de Lansing RS 1.</p>"))
    assert not phrase_pattern("Sign in").search("Sign into")
    assert english_on(visible_text('<button aria-label="Close menu">×</button>'), {"Close menu": "x"})


def test_every_html_page_is_listed(app):
    """A GET route that answers HTML to anyone must be in tests/pages.py, and every listed page must exist."""
    listed = {page.endpoint for page in PAGES if page.endpoint}
    routes = candidate_routes(app)
    assert listed <= set(routes), f"listed pages with no route: {sorted(listed - set(routes))}"
    scenario = build_scenario()
    values = url_values(scenario)
    unlisted_html = []
    for role in ROLES:
        client = app.test_client()
        if role != ANONYMOUS:
            log_in(client, scenario.people[role])
        for endpoint, rule in sorted(routes.items()):
            if endpoint in listed:
                continue
            path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)
            response = client.get(path)
            if response.status_code == 200 and response.mimetype == "text/html":
                unlisted_html.append(f"{endpoint} {rule} (answers HTML to {role})")
    assert not unlisted_html, "add these pages to tests/pages.py:\n" + "\n".join(unlisted_html)
