"""The endorsement pages and documents in Spanish: a Spanish-speaking reader, or holder, reads them in Spanish."""

import io
import re

import pypdf
import pytest

from rs_service.endorsement import service
from rs_service.extensions import db
from tests.endorsement.helpers import AS_OF, full_year, provider
from tests.factories import log_in, make_person


def in_spanish(person):
    person.language = "es"
    db.session.commit()
    return person


@pytest.fixture
def spanish_staff(org):
    return in_spanish(make_person(org, "staff", name="Lucía Ramírez"))


@pytest.fixture
def holder(org):
    person = in_spanish(make_person(org, "participant", name="Begoña Núñez", pursuing_category="IFS"))
    full_year(person, provider(org, "IMHS", name="Alice Adams"))
    return person


@pytest.fixture
def certificate(holder, staff):
    certificate = service.issue_certificate(holder, "IFS", staff, as_of=AS_OF)
    db.session.commit()
    return certificate


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_staff_reading_spanish_see_the_queue_evidence_and_certificate_in_spanish(client, spanish_staff, certificate):
    log_in(client, spanish_staff)
    queue = text_of(client.get("/endorsement/queue"))
    assert "Listos para certificar" in queue and "Certificados por revisar" in queue
    assert "Update the list" not in queue and "Actualizar la lista" in queue

    evidence = text_of(client.get(f"/endorsement/people/{certificate.person_id}?category=IFS&as_of={AS_OF}"))
    assert "Expediente de evidencia: Begoña Núñez" in evidence
    assert "Registros contados" in evidence and "Elegible" in evidence
    assert "Un certificado válido ya certifica esta evaluación" in evidence

    page = text_of(client.get(f"/endorsement/certificates/{certificate.code}"))
    assert "Certificado: Begoña Núñez, IFS" in page
    assert "Horas contadas" in page and "Verificación pública" in page and "Revocar el certificado" in page


def test_an_eligibility_reason_reads_in_spanish(client, spanish_staff, org):
    short = make_person(org, "participant", name="Tomás Peña", pursuing_category="IFS")
    log_in(client, spanish_staff)
    page = text_of(client.get(f"/endorsement/people/{short.id}?category=IFS&as_of={AS_OF}"))
    assert "No elegible" in page
    assert "Necesita 24.00 h de RSC que califique, tiene 0.00 h." in page


def test_the_certificate_pdf_is_in_the_holders_language_whoever_downloads_it(client, staff, certificate):
    log_in(client, staff)  # an English-speaking staff member
    response = client.get(f"/endorsement/certificates/{certificate.code}.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Certificado de supervisión/consulta reflexiva" in text
    assert "Se certifica que" in text and "Begoña Núñez" in text  # accents and ñ survive the core font
    assert "horas reloj de supervisión/consulta reflexiva" in text
    assert "Historial de la supervisión/consulta reflexiva contada" in text
    assert "Verifique este certificado en línea" in text
    assert "Certificate of Reflective" not in text
    assert pypdf.PdfReader(io.BytesIO(response.data)).trailer["/Root"]["/Lang"] == "es"


def test_an_english_holder_still_gets_an_english_pdf(client, spanish_staff, org, staff):
    person = make_person(org, "participant", name="Jordan Avery", pursuing_category="IFS")
    full_year(person, provider(org, "IMHS"))
    certificate = service.issue_certificate(person, "IFS", staff, as_of=AS_OF)
    db.session.commit()
    log_in(client, spanish_staff)
    text = pdf_text(client.get(f"/endorsement/certificates/{certificate.code}.pdf").data)
    assert "Certificate of Reflective Supervision/Consultation" in text and "Se certifica" not in text


def test_the_transcript_pdf_is_in_the_applicants_language(client, staff, holder):
    log_in(client, staff)
    response = client.get(f"/people/{holder.id}/transcript.pdf?category=IFS&as_of={AS_OF}")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Historial de supervisión/consulta reflexiva" in text and "Requisitos cumplidos" in text


def test_the_public_verify_page_follows_the_readers_language(client, certificate):
    spanish = text_of(client.get(f"/verify/{certificate.code}", headers={"Accept-Language": "es-MX,es;q=0.9"}))
    assert "Verificación del certificado" in spanish and "Categoría de Endorsement" in spanish
    assert "Begoña Núñez" in spanish
    english = text_of(client.get(f"/verify/{certificate.code}", headers={"Accept-Language": "en-US"}))
    assert "Certificate verification" in english and "Verificación" not in english
