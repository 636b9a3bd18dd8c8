"""Renewal of endorsements held: the API answers, the staff page and its CSV, the person's own page."""

import csv
import io
import re
from datetime import date

import pytest
import time_machine

from rs_service.endorsement import requirements
from tests.endorsement.helpers import add_hours, monthly, provider
from tests.factories import QueryCounter, give_credential, log_in, make_org, make_person, token_for

AS_OF = date(2025, 11, 1)  # 60 days before the baseline's due date, 31 December


@pytest.fixture
def imhs(org):
    return provider(org, "IMHS", name="Alice Adams")


@pytest.fixture
def people(org, imhs):
    """Met, due (short), overdue (missed 2024) and someone not endorsed, all judged on AS_OF."""
    met = make_person(org, "participant", name="Mia Met")
    give_credential(met, "IFS", date(2024, 1, 1))
    add_hours(met, imhs, monthly(date(2025, 1, 1), 8), 90)  # 12 h in 2025
    short = make_person(org, "participant", name="Sam Short")
    give_credential(short, "IFS", date(2024, 1, 1))
    add_hours(short, imhs, monthly(date(2025, 1, 1), 4), 90)  # 6 h
    late = make_person(org, "participant", name="Olu Overdue")
    give_credential(late, "IMHS", date(2021, 3, 1))
    add_hours(late, imhs, monthly(date(2025, 1, 1), 8), 90)  # 2025 is fine, but 2024 was missed
    never = make_person(org, "participant", name="Nell Never")
    return {"met": met, "due": short, "overdue": late, "not_endorsed": never}


def renewal(api, token, person, **query):
    query = {"as_of": AS_OF.isoformat(), **query}
    return api.get(f"/people/{person.id}/renewal?" + "&".join(f"{k}={v}" for k, v in query.items()), token)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


# ----------------------------------------------------------------------------- API


def test_a_persons_renewal_as_the_contract_names_it(api, staff, people):
    token = token_for(staff)
    answer = renewal(api, token, people["due"])
    assert answer.status_code == 200
    body = answer.get_json()
    assert {k: body[k] for k in ("category", "endorsed_since", "due_on", "required_minutes", "counted_minutes")} == {
        "category": "IFS",
        "endorsed_since": "2024-01-01",
        "due_on": "2025-12-31",
        "required_minutes": 720,
        "counted_minutes": 360,
    }
    assert body["status"] == "due" and body["days_left"] == 60 and body["window_start"] == "2025-01-01"
    assert renewal(api, token, people["met"]).get_json()["status"] == "met"
    overdue = renewal(api, token, people["overdue"]).get_json()
    assert (overdue["status"], overdue["due_on"], overdue["counted_minutes"]) == ("overdue", "2024-12-31", 0)
    never = renewal(api, token, people["not_endorsed"]).get_json()
    assert (never["status"], never["category"], never["due_on"]) == ("not_endorsed", None, None)


def test_people_see_their_own_renewal_and_nobody_elses(api, org, people):
    token = token_for(people["due"])
    assert renewal(api, token, people["due"]).status_code == 200
    assert renewal(api, token, people["met"]).status_code == 403
    assert renewal(api, token_for(make_person(make_org("ct-aimh"), "staff")), people["due"]).status_code == 404
    assert api.get(f"/people/{people['due'].id}/renewal").status_code == 401


@pytest.mark.parametrize(
    "query, field",
    [({"as_of": "2025-13-01"}, "as_of"), ({"as_of": "1800-01-01"}, "as_of"), ({"category": "WIZARD"}, "category")],
)
def test_bad_renewal_queries_are_422_naming_the_field(api, staff, people, query, field):
    response = renewal(api, token_for(staff), people["due"], **query)
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_the_associations_list_of_renewals_filters_by_status(api, staff, people):
    token = token_for(staff)
    everyone = api.get(f"/renewals?as_of={AS_OF.isoformat()}", token).get_json()
    assert [(p["name"], p["status"]) for p in everyone] == [
        ("Alice Adams", "overdue"),  # the provider is endorsed too, and received no RSC in 2024
        ("Olu Overdue", "overdue"),
        ("Sam Short", "due"),
        ("Mia Met", "met"),
    ]
    short = api.get(f"/renewals?as_of={AS_OF.isoformat()}&status=due", token).get_json()
    assert [(p["person_id"], p["counted_minutes"], p["due_on"]) for p in short] == [
        (people["due"].id, 360, "2025-12-31")
    ]
    assert api.get("/renewals?status=late", token).status_code == 422
    assert api.get("/renewals", token_for(people["met"])).status_code == 403


# ----------------------------------------------------------------------------- requirements carry the due date


def test_an_association_moves_its_due_date_in_a_new_version(api, org, staff, people):
    requirements.new_requirement_set_version(
        org, staff, effective_from=date(2025, 1, 1), changes={"IFS": {"renewal_due": "01-31"}}
    )
    from rs_service.extensions import db

    db.session.commit()
    token = token_for(staff)
    rows = {r["category"]: r for r in api.get(f"/requirements?as_of={AS_OF.isoformat()}", token).get_json()}
    assert (rows["IFS"]["renewal_due"], rows["IMHS"]["renewal_due"]) == ("01-31", "12-31")
    body = renewal(api, token, people["due"]).get_json()  # endorsed 2024-01-01: first due 2025-01-31
    assert (body["due_on"], body["window_start"], body["status"], body["counted_minutes"]) == (
        "2025-01-31",
        "2024-02-01",
        "overdue",
        90,
    )


# ----------------------------------------------------------------------------- the staff page and its CSV


@pytest.fixture
def staff_client(client, staff):
    log_in(client, staff)
    return client


def test_staff_see_who_is_met_due_and_overdue(staff_client, people):
    page = text_of(staff_client.get(f"/endorsement/renewals?as_of={AS_OF.isoformat()}"))
    assert page.index("Olu Overdue") < page.index("Sam Short") < page.index("Mia Met")
    assert "Nell Never" not in page
    assert "6.00 h / 12.00 h" in page and "in 60 days" in page
    short = text_of(staff_client.get(f"/endorsement/renewals?as_of={AS_OF.isoformat()}&status=due"))
    assert "Sam Short" in short and "Mia Met" not in short and "Olu Overdue" not in short
    imhs_only = text_of(staff_client.get(f"/endorsement/renewals?as_of={AS_OF.isoformat()}&category=IMHS"))
    assert "Olu Overdue" in imhs_only and "Sam Short" not in imhs_only
    assert staff_client.get("/endorsement/renewals?as_of=yesterday").status_code == 422
    assert staff_client.get("/endorsement/renewals?status=late").status_code == 422


def test_the_renewals_csv_is_the_same_list_and_safe_in_a_spreadsheet(staff_client, org, imhs, people):
    sly = make_person(org, "participant", name='=HYPERLINK("http://evil.example","click")')
    give_credential(sly, "IFS", date(2024, 1, 1))
    response = staff_client.get(f"/endorsement/renewals?as_of={AS_OF.isoformat()}&status=due&format=csv")
    assert response.status_code == 200 and response.content_type.startswith("text/csv")
    assert "renewals-2025-11-01.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    by_name = {row["name"]: row for row in rows}
    assert set(by_name) == {"Sam Short", "'" + sly.name}
    assert by_name["Sam Short"] | {"person_id": ""} == {
        "person_id": "",
        "name": "Sam Short",
        "email": people["due"].email,
        "category": "IFS",
        "status": "due",
        "endorsed_since": "2024-01-01",
        "due_on": "2025-12-31",
        "days_left": "60",
        "required_hours": "12.00",
        "counted_hours": "6.00",
        "short_hours": "6.00",
        "counted_from": "2025-01-01",
    }


def renewals_page_queries(client, org, imhs, people: int) -> int:
    for n in range(people):
        person = make_person(org, "participant")
        give_credential(person, "IFS" if n % 2 else "IMHS", date(2023, 1, 1))
        add_hours(person, imhs, monthly(date(2025, 1, 1), 3), 60 + n)
    client.get("/endorsement/renewals")  # the login and caches are not what is counted
    with QueryCounter() as queries:
        assert client.get("/endorsement/renewals").status_code == 200
    return queries.count


def test_the_renewals_page_issues_the_same_number_of_queries_for_3_and_12_people(staff_client, app, staff, imhs):
    few = renewals_page_queries(staff_client, staff.organization, imhs, 3)
    other = make_org("ct-aimh")
    other_client = app.test_client()
    log_in(other_client, make_person(other, "staff"))
    many = renewals_page_queries(other_client, other, provider(other, "IMHS"), 12)
    assert few == many


# ----------------------------------------------------------------------------- the person's own page


def test_my_hours_shows_the_renewal_progress_and_due_date(client, people):
    with time_machine.travel("2025-11-01 17:00Z", tick=False):
        log_in(client, people["due"])
        page = text_of(client.get("/my/hours"))
    assert "Yearly renewal of the IFS endorsement" in page
    assert "6.00 h</strong> of 12.00 h counted" in page
    assert "Due December 31, 2025" in page and "60 days left." in page and "Still needed: 6.00 h." in page


def test_my_hours_in_spanish_writes_the_due_date_in_spanish(client, people):
    person = people["overdue"]
    from rs_service.extensions import db

    person.language = "es"
    db.session.commit()
    with time_machine.travel("2025-11-01 17:00Z", tick=False):
        log_in(client, person)
        page = text_of(client.get("/my/hours"))
    assert "31 de diciembre de 2024" in page
