"""Small factories for test data, committed so that requests see it."""

import itertools
import re
from datetime import date

from rs_service.accounts import service as accounts
from rs_service.accounts.auth import issue_token
from rs_service.extensions import db

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


def make_org(slug=None, timezone="America/Detroit"):
    slug = slug or f"aimh-{next(_numbers)}"
    organization = accounts.create_organization(slug, f"{slug.upper()} association", timezone)
    db.session.commit()
    return organization


def make_person(organization, role="participant", name=None, email=None, password=PASSWORD, **kwargs):
    n = next(_numbers)
    person = accounts.create_person(
        organization,
        email or f"{role}{n}@{organization.slug}.example.org",
        name or f"{role.title()} {n}",
        role,
        password,
        **kwargs,
    )
    db.session.commit()
    return person


def give_credential(person, category="IMHM-C", valid_from=date(2020, 1, 1), valid_until=None, number=None):
    credential = accounts.add_credential(
        person, category, number or f"{category}-{next(_numbers)}", valid_from, valid_until
    )
    db.session.commit()
    return credential


def token_for(person) -> str:
    token = issue_token(person)
    db.session.commit()
    return token


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "the page has no CSRF token"
    return match.group(1)


def log_in(client, person, password=PASSWORD):
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login", data={"email": person.email, "password": password, "csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


class ApiClient:
    """The test client speaking /api/v1 with a bearer token."""

    def __init__(self, client):
        self.client = client

    def call(self, method, path, token=None, json=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.open(f"/api/v1{path}", method=method, json=json, headers=headers, **kwargs)

    def get(self, path, token=None, **kwargs):
        return self.call("GET", path, token, **kwargs)

    def post(self, path, token=None, json=None, **kwargs):
        return self.call("POST", path, token, json, **kwargs)

    def put(self, path, token=None, json=None, **kwargs):
        return self.call("PUT", path, token, json, **kwargs)

    def patch(self, path, token=None, json=None, **kwargs):
        return self.call("PATCH", path, token, json, **kwargs)


def group_body(facilitators, **changes):
    """A 1st-and-3rd-Tuesday group, 10:00-11:30 America/Detroit, January to June 2026."""
    body = {
        "name": "RS Group 1",
        "facilitator_ids": list(facilitators),
        "timezone": "America/Detroit",
        "first_date": "2026-01-01",
        "until": "2026-06-30",
        "start_time": "10:00",
        "duration_minutes": 90,
        "rrule": "FREQ=MONTHLY;BYDAY=1TU,3TU",
        "capacity": 8,
        "kind": "rsc",
    }
    body.update(changes)
    return body


def make_group(organization, facilitators, **changes):
    from datetime import date, time

    from rs_service.groups.service import GroupPlan, create_group

    body = group_body([f.id for f in facilitators], **changes)
    plan = GroupPlan(
        name=body["name"],
        timezone=body["timezone"],
        rrule=body["rrule"],
        first_date=date.fromisoformat(body["first_date"]),
        until=date.fromisoformat(body["until"]),
        start_time=time.fromisoformat(body["start_time"]),
        duration_minutes=body["duration_minutes"],
        capacity=body["capacity"],
        facilitator_ids=tuple(body["facilitator_ids"]),
        kind=body["kind"],
        location=body.get("location"),
        join_url=body.get("join_url"),
        blackout_dates=frozenset(date.fromisoformat(d) for d in body.get("blackout_dates", [])),
    )
    group = create_group(organization.id, plan)
    db.session.commit()
    return group


def enroll(group, person, joined_on=date(2026, 1, 1)):
    from rs_service.groups.service import enroll as enroll_person

    enrollment = enroll_person(group, person, joined_on)
    db.session.commit()
    return enrollment


class QueryCounter:
    """Counts the SQL statements sent while active: `with QueryCounter() as queries: ...; queries.count`."""

    def __enter__(self):
        from sqlalchemy import event

        self.count = 0
        event.listen(db.engine, "before_cursor_execute", self._count)
        return self

    def _count(self, *args, **kwargs):
        self.count += 1

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(db.engine, "before_cursor_execute", self._count)


def signed_off_hours(person, provider, minutes, entry_date, session_id=None, format="group"):
    """A ledger entry as sign-off would write it (provider credential snapshot on the date)."""
    from rs_service.hours import ledger

    entry = ledger.record_entry(
        organization_id=person.organization_id,
        person_id=person.id,
        entry_date=entry_date,
        minutes=minutes,
        format=format,
        provider=ledger.provider_snapshot(provider, entry_date),
        recorded_by=provider,
        session_id=session_id,
    )
    db.session.commit()
    return entry


def api_feed_url(api, person) -> str:
    """The person's private feed URL, as the person asks the API for it."""
    return api.get(f"/people/{person.id}/calendar-feed", token_for(person)).get_json()["url"]
