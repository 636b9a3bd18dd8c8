"""The application transcript as a PDF: the same rows as the CSV, for an Endorsement application.

Drawn like the certificate (pdf.py): fpdf2's core Helvetica, every string through `to_latin1`.
Headings and labels go through gettext, so the document follows the reader's language.
"""

from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from rs_service.endorsement.pdf import FONT, MARGIN, PAGE_FORMAT, format_hours, to_latin1
from rs_service.endorsement.transcript import Transcript

_WIDTHS = (11, 7, 8, 14, 15, 9, 10, 6, 20)  # fractions of the page width, one per CSV column
_HEADING_FILL = (225, 230, 240)
_MUTED_RGB = (90, 90, 90)
# fpdf2 replaces its page-count alias ("{nb}") anywhere in the text; this one cannot survive to_latin1.
_NO_ALIAS = "\x01nb\x01"


def _page_footer(pdf: FPDF, transcript: Transcript) -> None:
    pdf.set_y(-13)
    pdf.set_font(FONT, "", 7.5)
    pdf.set_text_color(*_MUTED_RGB)
    pdf.cell(0, 5, to_latin1(f"{transcript.association_name} - {transcript.person_name}"), align="L")
    pdf.set_x(pdf.l_margin)
    pdf.cell(0, 5, to_latin1(_("Page %(page)s", page=pdf.page_no())), align="R")


class _TranscriptPDF(FPDF):
    def __init__(self, transcript: Transcript) -> None:
        super().__init__(orientation="L", unit="mm", format=PAGE_FORMAT)
        self.transcript = transcript

    def footer(self) -> None:
        _page_footer(self, self.transcript)


def render_transcript_pdf(transcript: Transcript) -> bytes:
    pdf = _TranscriptPDF(transcript)
    pdf.alias_nb_pages(_NO_ALIAS)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.set_title(f"RSC transcript - {transcript.person_name} - {transcript.category}")
    pdf.set_author(transcript.association_name)
    pdf.set_creator("rs_service")
    pdf.add_page()
    pdf.set_font(FONT, "B", 15)
    pdf.cell(0, 8, to_latin1(_("Transcript of reflective supervision/consultation")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    summary = _(
        "%(person)s - %(category_name)s (%(category)s) - window %(start)s to %(end)s, as of %(as_of)s",
        person=transcript.person_name,
        category_name=transcript.category_name,
        category=transcript.category,
        start=transcript.window_start.isoformat(),
        end=transcript.window_end.isoformat(),
        as_of=transcript.as_of.isoformat(),
    )
    pdf.multi_cell(0, 5.5, to_latin1(summary), new_x="LMARGIN", new_y="NEXT")
    verdict = _("Requirements met") if transcript.eligible else _("Requirements not met")
    counted = _(
        "%(counted)s of %(required)s clock hours counted under requirement version %(version)s. %(verdict)s.",
        counted=format_hours(transcript.counted_minutes),
        required=format_hours(transcript.required_minutes),
        version=transcript.rule_version,
        verdict=verdict,
    )
    pdf.multi_cell(0, 5.5, to_latin1(counted), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5.5, to_latin1(transcript.association_name), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _table(pdf, transcript)
    return bytes(pdf.output())


def _table(pdf: FPDF, transcript: Transcript) -> None:
    headings = (
        _("Date"),
        _("Minutes"),
        _("Format"),
        _("Group"),
        _("Provider"),
        _("Credential"),
        _("Number"),
        _("Counted"),
        _("Why not"),
    )
    pdf.set_font(FONT, "", 8)
    with pdf.table(
        col_widths=_WIDTHS,
        headings_style=FontFace(emphasis="BOLD", fill_color=_HEADING_FILL),
        repeat_headings=1,
        line_height=4.2,
        padding=1.2,
        width=pdf.epw,
    ) as table:
        table.row([to_latin1(h) for h in headings])
        for row in transcript.rows:
            table.row(
                [
                    row.date.isoformat(),
                    str(row.minutes),
                    to_latin1(row.format),
                    to_latin1(row.group or "-"),
                    to_latin1(row.provider_name or "-"),
                    to_latin1(row.provider_credential or "-"),
                    to_latin1(row.provider_number or "-"),
                    to_latin1(_("yes") if row.counted else _("no")),
                    to_latin1(row.reason or ""),
                ]
            )
    if not transcript.rows:
        pdf.ln(2)
        pdf.cell(0, 6, to_latin1(_("No entries are dated inside the window.")), new_x="LMARGIN", new_y="NEXT")
