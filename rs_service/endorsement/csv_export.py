"""CSV downloads from the endorsement pages and API: every text cell made safe for spreadsheets."""

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response

from rs_service.hours.views import spreadsheet_safe


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
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
    return cell.isoformat() if hasattr(cell, "isoformat") else cell


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    return Response(
        csv_text(header, rows),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",  # people's names and hours
        },
    )
