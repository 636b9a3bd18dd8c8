"""PDF rendering of reflective-supervision hour certificates.

Pure Python: fpdf2 draws the document and segno computes the QR code, whose
module matrix is drawn as filled rectangles (no image files, no fonts
downloaded, no system libraries).

Fonts: the document uses the PDF core font Helvetica, which fpdf2 encodes as
latin-1.  Every string that goes onto the page therefore passes through
:func:`to_latin1` first: typographic punctuation is mapped to ASCII
equivalents ("’" -> "'", "–" -> "-", "…" -> "..."), letters outside latin-1
are transliterated (diacritics stripped through NFKD, plus a small table for
letters that do not decompose such as "Ł" or "Œ"), and anything left becomes
"?".  Latin-1 names such as "Zoë" or "José" render unchanged.  Document
metadata (title, subject, author) keeps the original Unicode text.  Spanish
needs nothing beyond latin-1 ("á", "ñ", "¿", "¡"), so a certificate reads the
same in either language.

Language: every label goes through gettext when the document is drawn, so the
caller picks the language with ``flask_babel.force_locale`` (the holder's).

The output is deterministic for a given :class:`CertificateDocument`: the PDF
creation date is taken from ``issued_at``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import segno
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from rs_service.clock_hours import clock_hours as format_hours  # the documents print hours without the unit
from rs_service.local_times import local_time

__all__ = [
    "CertificateDocument",
    "TranscriptLine",
    "format_hours",
    "matrix_to_rects",
    "qr_matrix",
    "render_certificate_pdf",
    "to_latin1",
]

PAGE_FORMAT = "Letter"
MARGIN = 18.0  # mm
FONT = "Helvetica"
QR_ERROR_LEVEL = "m"
QR_QUIET_ZONE = 4  # modules of white border required around the symbol
QR_SIZE = 38.0  # mm, the symbol itself (without quiet zone)

_REVOKED_RGB = (180, 20, 30)
_TEXT_RGB = (20, 20, 20)
_MUTED_RGB = (90, 90, 90)
_HEADING_FILL = (225, 230, 240)


# --------------------------------------------------------------------------
# Data passed in by the endorsement service
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptLine:
    date: date
    minutes: int
    format: str  # "group" or "individual"
    provider_name: str
    provider_credential: str  # e.g. "IMHM-C #1234 (valid 2020-01-01 to 2027-12-31)"
    session_label: str | None  # e.g. "RS Group 7, 10:00-11:30"


@dataclass(frozen=True)
class CertificateDocument:
    code: str
    verify_url: str
    association_name: str
    person_name: str
    category: str  # code, e.g. "IFS"
    category_name: str  # "Infant Family Specialist"
    counted_minutes: int
    window_start: date
    window_end: date
    issued_at: datetime  # aware
    rule_version: int
    status: str = "valid"  # or "revoked"
    revoked_at: datetime | None = None
    lines: tuple[TranscriptLine, ...] = ()
    timezone: str = "UTC"  # the issuing association's: every time on the certificate is shown in it
    under_review_since: datetime | None = None  # an entry it counted was corrected since it was issued


# --------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------

# Characters outside latin-1 that have a sensible ASCII rendering.
_PUNCTUATION = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u02bc": "'",
    "\u02b9": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2043": "-",
    "\u2026": "...",
    "\u2022": "*",
    "\u2023": ">",
    "\u2027": "-",
    "\u2219": "*",
    "\u2039": "<",
    "\u203a": ">",
    "\u2002": " ",
    "\u2003": " ",
    "\u2004": " ",
    "\u2005": " ",
    "\u2006": " ",
    "\u2007": " ",
    "\u2008": " ",
    "\u2009": " ",
    "\u200a": " ",
    "\u202f": " ",
    "\u205f": " ",
    "\u3000": " ",
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
    "\u2122": "TM",
    "\u20ac": "EUR",
    "\u2116": "No.",
    "\u2190": "<-",
    "\u2192": "->",
    "\u2194": "<->",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2260": "!=",
}

# Letters that NFKD does not decompose into a latin-1 base letter.
_LETTERS = {
    "\u0141": "L",
    "\u0142": "l",  # Ł ł
    "\u0110": "D",
    "\u0111": "d",  # Đ đ
    "\u0126": "H",
    "\u0127": "h",  # Ħ ħ
    "\u0131": "i",  # dotless ı
    "\u0152": "OE",
    "\u0153": "oe",  # Œ œ
    "\u0132": "IJ",
    "\u0133": "ij",
    "\u0138": "q",
    "\u013f": "L",
    "\u0140": "l",
    "\u014a": "N",
    "\u014b": "n",  # Ŋ ŋ
    "\u0166": "T",
    "\u0167": "t",
    "\u0192": "f",
    "\u0218": "S",
    "\u0219": "s",
    "\u021a": "T",
    "\u021b": "t",
    "\u01c4": "DZ",
    "\u01c5": "Dz",
    "\u01c6": "dz",
    "\u1e9e": "SS",
}


def to_latin1(text: str | None) -> str:
    """Return *text* reduced to characters the core PDF fonts can show.

    Latin-1 characters (including accented letters such as "ë", "é", "ñ")
    are kept; typographic punctuation becomes ASCII; other accented letters
    lose their accents; anything else becomes "?".  Control characters other
    than newline become spaces.
    """
    if not text:
        return ""
    out: list[str] = []
    # Compose first so that "e" + combining diaeresis becomes the latin-1 "ë".
    for ch in unicodedata.normalize("NFC", text):
        code = ord(ch)
        if ch == "\n":
            out.append(ch)
            continue
        if code < 0x20 or 0x7F <= code < 0xA0:
            out.append(" ")
            continue
        if code <= 0xFF:
            out.append(ch)
            continue
        if ch in _PUNCTUATION:
            out.append(_PUNCTUATION[ch])
            continue
        if ch in _LETTERS:
            out.append(_LETTERS[ch])
            continue
        if unicodedata.combining(ch):
            continue  # stray combining mark: drop it
        decomposed = unicodedata.normalize("NFKD", ch)
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        if base and all(0x20 <= ord(c) <= 0xFF and not 0x7F <= ord(c) < 0xA0 for c in base):
            out.append(base)
        else:
            out.append("?")
    return "".join(out).encode("latin-1", "replace").decode("latin-1")


def _clean(text: str | None) -> str:
    """to_latin1 plus removal of fpdf2's page-count alias from user text."""
    return to_latin1(text).replace(_NB_ALIAS, "")


def _fmt_date(value: date) -> str:
    return value.isoformat()


def _fmt_timestamp(value: datetime, zone: str) -> str:
    """As every page shows the certificate's times: the association's wall clock, with its zone."""
    return local_time(_utc(value), zone)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


# --------------------------------------------------------------------------
# QR code helpers
# --------------------------------------------------------------------------


def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """The QR module matrix (True = dark) for *data*, without quiet zone."""
    qr = segno.make(data, error=QR_ERROR_LEVEL, micro=False)
    return tuple(tuple(bool(v) for v in row) for row in qr.matrix)


def matrix_to_rects(matrix: Sequence[Sequence[object]]) -> list[tuple[int, int, int, int]]:
    """Cover the dark modules of *matrix* with rectangles, in module units.

    Returns ``(col, row, width, height)`` tuples that exactly cover the truthy
    cells, without overlap.  Horizontal runs of dark modules become one
    rectangle, and identical runs in consecutive rows are merged vertically,
    which keeps the PDF small and avoids hairline seams in viewers.
    """
    open_rects: dict[tuple[int, int], list[int]] = {}  # (col, width) -> [col, row, w, h]
    done: list[list[int]] = []
    for r, row in enumerate(matrix):
        runs: list[tuple[int, int]] = []
        c, n = 0, len(row)
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                runs.append((start, c - start))
            else:
                c += 1
        still_open: dict[tuple[int, int], list[int]] = {}
        for run in runs:
            rect = open_rects.pop(run, None)
            if rect is not None and rect[1] + rect[3] == r:
                rect[3] += 1
            else:
                rect = [run[0], r, run[1], 1]
                done.append(rect)
            still_open[run] = rect
        open_rects = still_open
    return sorted((tuple(rect) for rect in done), key=lambda t: (t[1], t[0]))  # type: ignore[misc]


def _draw_qr(pdf: FPDF, data: str, x: float, y: float, size: float) -> int:
    """Draw the QR symbol for *data* with its top-left corner at (x, y).

    *size* is the width of the symbol without quiet zone; the caller must keep
    QR_QUIET_ZONE modules of white space around it.  Returns the number of
    rectangles drawn.
    """
    matrix = qr_matrix(data)
    module = size / len(matrix)
    rects = matrix_to_rects(matrix)
    pdf.set_fill_color(0, 0, 0)
    for col, row, w, h in rects:
        pdf.rect(x + col * module, y + row * module, w * module, h * module, style="F")
    return len(rects)


# --------------------------------------------------------------------------
# Document
# --------------------------------------------------------------------------

_NB_ALIAS = "{rs-nb-pages}"


class _CertificatePDF(FPDF):
    def __init__(self, doc: CertificateDocument) -> None:
        super().__init__(orientation="P", unit="mm", format=PAGE_FORMAT)
        self.doc = doc
        self.revoked = doc.status == "revoked"

    def header(self) -> None:
        if not self.revoked:
            return
        # Light diagonal watermark drawn first, i.e. underneath the content.
        with self.local_context():
            self.set_font(FONT, "B", 90)
            self.set_text_color(246, 205, 208)
            cx, cy = self.w / 2, self.h / 2
            text = to_latin1(_("REVOKED"))
            width = self.get_string_width(text)
            with self.rotation(angle=50, x=cx, y=cy):
                self.text(cx - width / 2, cy + 12, text)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*_MUTED_RGB)
        names = {"association": self.doc.association_name, "code": self.doc.code}
        if self.revoked:
            left = _("%(association)s - certificate %(code)s - REVOKED", **names)
        else:
            left = _("%(association)s - certificate %(code)s", **names)
        self.cell(0, 5, _clean(left), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, to_latin1(_("Page %(page)s of %(pages)s", page=self.page_no(), pages=_NB_ALIAS)), align="R")


def _fit_font_size(pdf: FPDF, text: str, style: str, size: float, min_size: float, width: float) -> float:
    """Largest font size <= size (step 0.5) at which *text* fits *width*."""
    while size > min_size:
        pdf.set_font(FONT, style, size)
        if pdf.get_string_width(text) <= width:
            return size
        size -= 0.5
    return min_size


def _centered(
    pdf: FPDF,
    text: str,
    style: str,
    size: float,
    height: float,
    *,
    min_size: float | None = None,
    rgb: tuple[int, int, int] = _TEXT_RGB,
) -> None:
    width = pdf.epw
    if min_size is not None:
        size = _fit_font_size(pdf, text, style, size, min_size, width)
    pdf.set_font(FONT, style, size)
    pdf.set_text_color(*rgb)
    pdf.set_x(pdf.l_margin)
    pdf.multi_cell(width, height, text, align="C", new_x="LMARGIN", new_y="NEXT")


def _certificate_page(pdf: _CertificatePDF, doc: CertificateDocument) -> None:
    pdf.add_page()
    pdf.set_text_color(*_TEXT_RGB)

    if pdf.revoked:
        pdf.set_fill_color(*_REVOKED_RGB)
        pdf.set_text_color(255, 255, 255)
        pdf.set_font(FONT, "B", 30)
        pdf.cell(0, 16, to_latin1(_("REVOKED")), align="C", fill=True, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "B", 10)
        pdf.multi_cell(
            0,
            6,
            to_latin1(
                _(
                    "This certificate was revoked on %(date)s and is no longer valid.",
                    date=_fmt_timestamp(doc.revoked_at, doc.timezone),
                )
                if doc.revoked_at
                else _("This certificate was revoked and is no longer valid.")
            ),
            align="C",
            fill=True,
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(6)
    else:
        pdf.ln(8)

    # Double frame line under the association name.
    _centered(pdf, _clean(doc.association_name), "B", 15, 7, min_size=9, rgb=_MUTED_RGB)
    y = pdf.get_y() + 2
    pdf.set_draw_color(*_MUTED_RGB)
    pdf.set_line_width(0.6)
    pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
    pdf.set_line_width(0.2)
    pdf.line(pdf.l_margin, y + 1.2, pdf.w - pdf.r_margin, y + 1.2)
    pdf.set_y(y + 10)

    _centered(pdf, to_latin1(_("Certificate of Reflective Supervision/Consultation")), "B", 20, 10, min_size=12)
    pdf.ln(8)
    _centered(pdf, to_latin1(_("This certifies that")), "", 12, 7)
    pdf.ln(2)
    _centered(pdf, _clean(doc.person_name), "B", 26, 12, min_size=12)
    pdf.ln(3)
    hours = format_hours(doc.counted_minutes)
    statement = _(
        "has completed %(hours)s clock hours of reflective supervision/consultation toward %(name)s (%(category)s)",
        hours=hours,
        name=doc.category_name,
        category=doc.category,
    )
    _centered(pdf, _clean(statement), "", 13, 7)
    pdf.ln(1)
    period = _(
        "during the period %(start)s to %(end)s.", start=_fmt_date(doc.window_start), end=_fmt_date(doc.window_end)
    )
    _centered(pdf, to_latin1(period), "", 12, 7)
    pdf.ln(12)

    # Details on the left, QR code on the right.
    top = pdf.get_y()
    quiet = QR_SIZE / len(qr_matrix(doc.verify_url)) * QR_QUIET_ZONE
    qr_x = pdf.w - pdf.r_margin - QR_SIZE - quiet
    left_w = qr_x - quiet - pdf.l_margin
    status_label = _("Status")
    rows = [
        (_("Certificate code"), _clean(doc.code)),
        (status_label, to_latin1(_status_text(doc))),
        (_("Issued"), to_latin1(_fmt_timestamp(doc.issued_at, doc.timezone))),
        (
            _("Hours counted"),
            to_latin1(_("%(hours)s clock hours (%(minutes)s minutes)", hours=hours, minutes=int(doc.counted_minutes))),
        ),
        (
            _("Window"),
            to_latin1(_("%(start)s to %(end)s", start=_fmt_date(doc.window_start), end=_fmt_date(doc.window_end))),
        ),
        (_("Endorsement category"), f"{_clean(doc.category_name)} ({_clean(doc.category)})"),
        (_("Rule version"), str(int(doc.rule_version))),
    ]
    if pdf.revoked and doc.revoked_at:
        rows.insert(2, (_("Revoked"), to_latin1(_fmt_timestamp(doc.revoked_at, doc.timezone))))
    label_w = 42
    for label, value in rows:
        pdf.set_x(pdf.l_margin)
        pdf.set_font(FONT, "B", 10)
        pdf.set_text_color(*_MUTED_RGB)
        pdf.cell(label_w, 6.5, to_latin1(_("%(label)s:", label=label)))
        pdf.set_font(FONT, "B" if label == status_label and pdf.revoked else "", 10)
        pdf.set_text_color(*(_REVOKED_RGB if label == status_label and pdf.revoked else _TEXT_RGB))
        pdf.multi_cell(left_w - label_w, 6.5, value, new_x="LMARGIN", new_y="NEXT")
    details_bottom = pdf.get_y()

    qr_y = top + quiet / 2
    _draw_qr(pdf, doc.verify_url, qr_x, qr_y, QR_SIZE)
    pdf.set_y(max(details_bottom, qr_y + QR_SIZE + quiet / 2) + 6)

    pdf.set_text_color(*_TEXT_RGB)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(0, 6, to_latin1(_("Verify this certificate online (or scan the QR code):")), new_x="LMARGIN", new_y="NEXT")
    url = _clean(doc.verify_url)
    size = _fit_font_size(pdf, url, "", 10, 6, pdf.epw)
    pdf.set_font(FONT, "", size)
    pdf.set_text_color(20, 60, 160)
    pdf.multi_cell(0, 6, url, link=doc.verify_url, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*_TEXT_RGB)
    pdf.ln(4)
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*_MUTED_RGB)
    if doc.lines:
        note = ngettext(
            "The transcript that follows lists every session counted toward this certificate (%(num)d entry).",
            "The transcript that follows lists every session counted toward this certificate (%(num)d entries).",
            len(doc.lines),
        )
    else:
        note = _("No transcript entries are attached to this certificate.")
    pdf.multi_cell(0, 5, to_latin1(note), new_x="LMARGIN", new_y="NEXT")


def _status_text(doc: CertificateDocument) -> str:
    if doc.status == "revoked":
        return _("REVOKED")
    if doc.under_review_since is not None:
        return _("Valid, under review since %(since)s", since=_fmt_timestamp(doc.under_review_since, doc.timezone))
    return _("Valid")


def _transcript_headings() -> tuple[str, ...]:
    return tuple(
        to_latin1(h) for h in (_("Date"), _("Hours"), _("Format"), _("Provider"), _("Credential"), _("Session"))
    )


def _format_name(code: str) -> str:
    """An entry's format ("group" or "individual") as the reader says it."""
    names = {"group": _("Group"), "individual": _("Individual")}
    return names.get(code) or code.capitalize()


_TRANSCRIPT_WIDTHS = (10, 7, 9, 18, 36, 20)  # fractions of the effective page width


def _transcript_rows(lines: Iterable[TranscriptLine]) -> list[tuple[str, ...]]:
    return [
        (
            _fmt_date(line.date),
            format_hours(line.minutes),
            _clean(_format_name(line.format)) if line.format else "",
            _clean(line.provider_name),
            _clean(line.provider_credential),
            _clean(line.session_label) if line.session_label else "-",
        )
        for line in lines
    ]


def _transcript(pdf: _CertificatePDF, doc: CertificateDocument) -> None:
    pdf.add_page()
    pdf.set_text_color(*_TEXT_RGB)
    pdf.set_font(FONT, "B", 14)
    pdf.cell(
        0,
        8,
        to_latin1(_("Transcript of counted reflective supervision/consultation")),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*_MUTED_RGB)
    pdf.multi_cell(
        0,
        5,
        _clean(
            _(
                "%(person)s - %(category_name)s (%(category)s) - window %(start)s to %(end)s - certificate %(code)s",
                person=doc.person_name,
                category_name=doc.category_name,
                category=doc.category,
                start=_fmt_date(doc.window_start),
                end=_fmt_date(doc.window_end),
                code=doc.code,
            )
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.set_text_color(*_TEXT_RGB)

    pdf.set_font(FONT, "", 8)
    headings_style = FontFace(emphasis="BOLD", fill_color=_HEADING_FILL)
    with pdf.table(
        col_widths=_TRANSCRIPT_WIDTHS,
        headings_style=headings_style,
        repeat_headings=1,  # TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE
        text_align=("LEFT", "RIGHT", "LEFT", "LEFT", "LEFT", "LEFT"),
        line_height=4.2,
        padding=1.2,
        width=pdf.epw,
    ) as table:
        table.row(_transcript_headings())
        for values in _transcript_rows(doc.lines):
            table.row(values)

    total_minutes = sum(int(line.minutes) for line in doc.lines)
    pdf.ln(3)
    pdf.set_font(FONT, "B", 10)
    total = ngettext(
        "Total: %(hours)s clock hours in %(num)d entry",
        "Total: %(hours)s clock hours in %(num)d entries",
        len(doc.lines),
        hours=format_hours(total_minutes),
    )
    pdf.cell(0, 6, to_latin1(total), new_x="LMARGIN", new_y="NEXT")
    if total_minutes != int(doc.counted_minutes):
        pdf.set_font(FONT, "", 9)
        pdf.set_text_color(*_MUTED_RGB)
        pdf.multi_cell(
            0,
            5,
            to_latin1(
                _(
                    "Hours counted toward the certificate: %(hours)s "
                    "(the counting rules cap or exclude part of the listed time).",
                    hours=format_hours(doc.counted_minutes),
                )
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )


def render_certificate_pdf(doc: CertificateDocument) -> bytes:
    """Render *doc* as a PDF: the certificate page, then the transcript."""
    pdf = _CertificatePDF(doc)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.alias_nb_pages(_NB_ALIAS)
    pdf.set_creation_date(_utc(doc.issued_at))
    title = _("Reflective supervision/consultation certificate %(code)s", code=doc.code)
    pdf.set_title(title)
    pdf.set_subject(f"{doc.person_name} - {doc.category_name} ({doc.category})")
    pdf.set_author(doc.association_name)
    pdf.set_creator("rs_service")
    pdf.set_lang(str(get_locale() or "en"))

    _certificate_page(pdf, doc)
    if doc.lines:
        _transcript(pdf, doc)
    return bytes(pdf.output())
