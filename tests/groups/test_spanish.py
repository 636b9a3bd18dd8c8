"""A group's pages in Spanish for a Spanish-speaking reader."""

import re

from rs_service.extensions import db
from tests.factories import enroll, log_in, make_group, make_person


def in_spanish(person):
    person.language = "es"
    db.session.commit()
    return person


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_a_group_page_reads_in_spanish_with_the_groups_own_name_as_written(client, org, facilitator):
    staff = in_spanish(make_person(org, "staff", name="Lucía Ramírez"))
    group = make_group(org, [facilitator], name="Grupo de los martes", capacity=1)
    enroll(group, make_person(org, name="Ana Peña"))
    log_in(client, staff)
    page = text_of(client.get(f"/groups/{group.id}"))
    assert "<h1>Grupo de los martes</h1>" in page
    assert "Supervisión/consulta reflexiva (RSC)" in page
    assert "Facilitadores" in page and "Miembros" in page and "Inscrito" in page
    assert "12 sesiones. Horarios en America/Detroit." in page
    assert "Cambiar el resto de la serie" in page
    assert "Members" not in page and "Change the rest of the series" not in page


def test_a_spanish_form_error_names_the_field_in_spanish(client, org, facilitator):
    staff = in_spanish(make_person(org, "staff", name="Lucía Ramírez"))
    log_in(client, staff)
    page = client.get("/groups/new").get_data(as_text=True)
    assert "Nuevo grupo" in page and "Frecuencia" in page and "Cada dos semanas" in page
    assert "Martes" in page  # the weekday choices
