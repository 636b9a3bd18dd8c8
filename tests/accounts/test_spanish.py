"""Pages and emails in Spanish for people who read Spanish: words, dates and numbers from the es catalog."""

from datetime import UTC, datetime

import time_machine

from rs_service.extensions import db
from tests.accounts.conftest import wait_for_mail
from tests.factories import log_in, make_person, signed_off_hours, token_for

MORNING = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def test_a_spanish_reader_gets_the_login_page_in_spanish(client):
    page = client.get("/login", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "<h1>Iniciar sesión</h1>" in page and "¿Olvidó su contraseña?" in page
    assert "Log in" not in page


def test_a_spanish_participant_reads_their_hours_with_spanish_dates_and_decimals(client, org, facilitator):
    ana = make_person(org, "participant", name="Ana Ruiz")
    ana.language = "es"
    db.session.commit()
    signed_off_hours(ana, facilitator, 90, datetime(2026, 2, 10).date())
    log_in(client, ana)
    page = client.get("/my/hours").get_data(as_text=True)
    assert "<h1>Mis horas</h1>" in page and "Horas recibidas" in page
    assert '<td data-label="Fecha">10 feb 2026</td>' in page  # the locale's date, not ISO
    assert "1,50 h" in page  # and its decimal comma


def test_an_invitation_reaches_a_spanish_reader_in_spanish(api, staff, org, mailbox):
    ana = make_person(org, "participant", name="Ana Ruiz", password=None)
    ana.language = "es"
    db.session.commit()
    with time_machine.travel(MORNING, tick=False):
        assert api.post(f"/people/{ana.id}/invite", token_for(staff)).status_code == 202
    [message] = wait_for_mail(mailbox, ana)
    assert message["Subject"] == f"Establezca su contraseña de {org.name}"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Hola, Ana Ruiz:" in text and "dentro de 7 días" in text
    assert '<html lang="es">' in html and "Establezca su contraseña" in html
