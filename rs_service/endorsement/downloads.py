"""Files the endorsement pages and API hand out: CSV made safe for spreadsheets, named attachments."""

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response, send_file

from rs_service.hours.views import spreadsheet_safe

CSV = "text/csv"  # send_file adds "; charset=utf-8"
PDF = "application/pdf"


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Every text cell made safe for a spreadsheet; dates as ISO, empty for None, yes/no for booleans."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) if isinstance(cell, str) else _plain(cell) for cell in row])
    return out.getvalue()


def _plain(cell: object) -> object:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    isoformat = getattr(cell, "isoformat", None)
    return isoformat() if isoformat else cell


def attachment(content: str | bytes, mimetype: str, name: str) -> Response:
    """A download named `name` (non-ASCII names included, as RFC 6266 asks), never cached on the way."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "private, no-store"  # people's names and hours
    return response
