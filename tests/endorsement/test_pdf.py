"""Tests for the certificate PDF renderer (rs_service.endorsement.pdf)."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pypdf
import pytest
import segno

from rs_service.endorsement.pdf import (
    QR_ERROR_LEVEL,
    QR_SIZE,
    CertificateDocument,
    TranscriptLine,
    format_hours,
    matrix_to_rects,
    qr_matrix,
    render_certificate_pdf,
    to_latin1,
)

VERIFY_URL = "https://rs.example.org/verify/K7Q2-MX4P-9TZA"


def make_lines(n: int, start: date = date(2024, 1, 8)) -> tuple[TranscriptLine, ...]:
    return tuple(
        TranscriptLine(
            date=start + timedelta(days=3 * i),
            minutes=90 if i % 2 else 60,
            format="group" if i % 2 else "individual",
            provider_name=f"Provider {i % 4}",
            provider_credential=f"IMHM-C #{1200 + i % 4} (valid 2020-01-01 to 2027-12-31)",
            session_label=f"RS Group {i % 7}, 10:00-11:30" if i % 2 else None,
        )
        for i in range(n)
    )


def make_doc(**overrides) -> CertificateDocument:
    lines = (
        TranscriptLine(
            date(2024, 2, 5),
            90,
            "group",
            "Maria Lopez",
            "IMHM-C #1234 (valid 2020-01-01 to 2027-12-31)",
            "RS Group 7, 10:00-11:30",
        ),
        TranscriptLine(
            date(2024, 3, 11), 60, "individual", "Maria Lopez", "IMHM-C #1234 (valid 2020-01-01 to 2027-12-31)", None
        ),
        TranscriptLine(
            date(2024, 4, 15),
            90,
            "group",
            "Sam Reed",
            "IMHM-RPF #88 (valid 2021-06-01 to 2026-05-31)",
            "RS Group 7, 10:00-11:30",
        ),
    )
    values = {
        "code": "K7Q2-MX4P-9TZA",
        "verify_url": VERIFY_URL,
        "association_name": "Example Association for Infant Mental Health",
        "person_name": "Jordan Avery",
        "category": "IFS",
        "category_name": "Infant Family Specialist",
        "counted_minutes": 1080,
        "window_start": date(2023, 9, 1),
        "window_end": date(2025, 8, 31),
        "issued_at": datetime(2025, 9, 2, 15, 30, tzinfo=UTC),
        "rule_version": 2,
        "lines": lines,
        "timezone": "America/Detroit",
    }
    values.update(overrides)
    return CertificateDocument(**values)


def pdf_pages_text(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [page.extract_text() or "" for page in reader.pages]


def squash(text: str) -> str:
    """Collapse whitespace so that wrapped lines compare as one sentence."""
    return re.sub(r"\s+", " ", text)


# --------------------------------------------------------------------------
# Document content
# --------------------------------------------------------------------------


def test_certificate_contains_the_essentials():
    doc = make_doc()
    data = render_certificate_pdf(doc)
    assert data.startswith(b"%PDF-")
    pages = pdf_pages_text(data)
    text = squash("\n".join(pages))
    first = squash(pages[0])

    assert "Example Association for Infant Mental Health" in first
    assert "Jordan Avery" in first
    assert "Infant Family Specialist (IFS)" in first
    assert "has completed 18.00 clock hours of reflective supervision/consultation toward" in first
    assert "K7Q2-MX4P-9TZA" in first
    assert VERIFY_URL in first
    assert "2023-09-01" in first and "2025-08-31" in first
    assert "Issued: Tue, Sep 2, 2025, 11:30 AM EDT" in first  # in the association's zone, as on every page
    assert "Rule version: 2" in first
    assert "REVOKED" not in text

    for line in doc.lines:
        assert line.date.isoformat() in text
    assert "1.50" in text and "1.00" in text
    assert "IMHM-RPF #88 (valid 2021-06-01 to 2026-05-31)" in text
    assert "RS Group 7, 10:00-11:30" in text
    assert "Total: 4.00 clock hours in 3 entries" in text


def test_metadata_and_determinism():
    doc = make_doc()
    first = render_certificate_pdf(doc)
    assert render_certificate_pdf(doc) == first
    reader = pypdf.PdfReader(io.BytesIO(first))
    meta = reader.metadata
    assert meta.creation_date == datetime(2025, 9, 2, 15, 30, tzinfo=UTC)
    assert "K7Q2-MX4P-9TZA" in meta.title


def test_long_transcript_spans_pages_with_repeated_header():
    lines = make_lines(120)
    total_minutes = sum(line.minutes for line in lines)
    doc = make_doc(lines=lines, counted_minutes=total_minutes)
    pages = pdf_pages_text(render_certificate_pdf(doc))
    assert len(pages) >= 4  # certificate + at least three transcript pages

    text = "\n".join(pages)
    for line in lines:
        assert line.date.isoformat() in text, line.date

    transcript_pages = pages[1:]
    for page in transcript_pages:
        assert re.search(r"Date\s+Hours\s+Format\s+Provider\s+Credential\s+Session", page), page[:200]
    # Dates appear in order across the pages.
    found = re.findall(r"\b(20\d\d-\d\d-\d\d)\b \d+\.\d\d ", squash("\n".join(transcript_pages)))
    assert found == [line.date.isoformat() for line in lines]
    assert f"Total: {format_hours(total_minutes)} clock hours in 120 entries" in squash(pages[-1])
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]


def test_revoked_certificate_is_marked_on_every_page():
    doc = make_doc(status="revoked", revoked_at=datetime(2025, 10, 1, 9, 0, tzinfo=UTC), lines=make_lines(60))
    pages = pdf_pages_text(render_certificate_pdf(doc))
    assert len(pages) >= 2
    assert "This certificate was revoked on Wed, Oct 1, 2025, 5:00 AM EDT" in squash(pages[0])
    for page in pages:
        assert "REVOKED" in page


def test_a_certificate_under_review_says_so_and_since_when():
    doc = make_doc(under_review_since=datetime(2025, 11, 4, 2, 11, tzinfo=UTC))
    first = squash(pdf_pages_text(render_certificate_pdf(doc))[0])
    assert "Status: Valid, under review since Mon, Nov 3, 2025, 9:11 PM EST" in first


def test_certificate_without_transcript_lines():
    doc = make_doc(lines=())
    pages = pdf_pages_text(render_certificate_pdf(doc))
    assert len(pages) == 1
    assert "No transcript entries" in pages[0]


def test_non_latin1_text_does_not_crash():
    doc = make_doc(
        person_name="Zoë Łukasiewicz-O’Brien – 李小龍",
        association_name="Ąssociation “Ünïcode” for IMH…",
        category_name="Infant Mental Health Specialist ✓",
        lines=(
            TranscriptLine(
                date(2024, 5, 6), 45, "individual", "Đorđe Šimić", "IMHM-C #7 — valid", "Grupo de reflexión 🌱"
            ),
        ),
    )
    text = squash("\n".join(pdf_pages_text(render_certificate_pdf(doc))))
    assert "Zoë Lukasiewicz-O'Brien - ???" in text
    assert 'Association "Ünïcode" for IMH...' in text
    assert "Dorde Simic" in text
    assert "IMHM-C #7 - valid" in text
    assert "Grupo de reflexión ?" in text
    assert "0.75" in text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Zoë", "Zoë"),
        ("José Muñoz", "José Muñoz"),
        ("Zoe\u0308", "Zoë"),  # decomposed diaeresis is composed
        ("O’Neill", "O'Neill"),
        ("2020–2024 — done…", "2020-2024 - done..."),
        ("“quoted”", '"quoted"'),
        ("Łódź", "Lódz"),
        ("Œuvre", "OEuvre"),
        ("Dvořák", "Dvorák"),
        ("李", "?"),
        ("tab\there", "tab here"),
        ("", ""),
        (None, ""),
    ],
)
def test_to_latin1(raw, expected):
    result = to_latin1(raw)
    assert result == expected
    result.encode("latin-1")


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(1080, "18.00"), (90, "1.50"), (20, "0.33"), (50, "0.83"), (1, "0.02"), (0, "0.00"), (45, "0.75")],
)
def test_format_hours(minutes, expected):
    assert format_hours(minutes) == expected


# --------------------------------------------------------------------------
# QR code drawing
# --------------------------------------------------------------------------


def paint(rects, size):
    grid = [[0] * size for _ in range(size)]
    for col, row, w, h in rects:
        assert w >= 1 and h >= 1
        assert col >= 0 and col + w <= size and row >= 0 and row + h <= size
        for r in range(row, row + h):
            for c in range(col, col + w):
                assert grid[r][c] == 0, "rectangles overlap"
                grid[r][c] = 1
    return grid


@pytest.mark.parametrize(
    "url", [VERIFY_URL, "https://x.test/v/1", "https://certificates.example-association.org/verify/" + "A" * 120]
)
def test_qr_rectangles_reproduce_segno_matrix(url):
    expected = [[int(bool(v)) for v in row] for row in segno.make(url, error=QR_ERROR_LEVEL, micro=False).matrix]
    matrix = qr_matrix(url)
    assert [[int(v) for v in row] for row in matrix] == expected
    rects = matrix_to_rects(matrix)
    assert paint(rects, len(expected)) == expected
    # Merging makes far fewer rectangles than dark modules.
    assert len(rects) < sum(map(sum, expected)) / 2


def test_matrix_to_rects_merges_runs():
    matrix = [
        [1, 1, 0, 1],
        [1, 1, 0, 0],
        [0, 0, 0, 1],
        [1, 1, 1, 1],
    ]
    rects = matrix_to_rects(matrix)
    assert rects == [(0, 0, 2, 2), (3, 0, 1, 1), (3, 2, 1, 1), (0, 3, 4, 1)]
    assert paint(rects, 4) == matrix
    assert matrix_to_rects([[0, 0], [0, 0]]) == []


def test_pdf_draws_the_qr_rectangles():
    """Page 1 of a valid certificate draws exactly the QR rectangles as filled rects."""
    doc = make_doc()
    reader = pypdf.PdfReader(io.BytesIO(render_certificate_pdf(doc)))
    content = reader.pages[0].get_contents().get_data().decode("latin-1")
    filled = [tuple(map(float, m)) for m in re.findall(r"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re f\b", content)]
    matrix = qr_matrix(VERIFY_URL)
    expected = matrix_to_rects(matrix)
    assert len(filled) == len(expected)

    module = QR_SIZE * 72 / 25.4 / len(matrix)  # mm -> pt
    left = min(x for x, _, _, _ in filled)
    top = max(y for _, y, _, _ in filled)  # PDF y axis points up
    drawn = sorted(
        (round((x - left) / module), round((top - y) / module), round(w / module), round(-h / module))
        for x, y, w, h in filled
    )
    assert drawn == sorted(expected)
    # The symbol is drawn at the configured size.
    assert max(x + w for x, _, w, _ in filled) - left == pytest.approx(QR_SIZE * 72 / 25.4, abs=0.05)
