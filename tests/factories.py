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
    person = accounts.create_person(organization, email or f"{role}{n}@{organization.slug}.example.org",
                                    name or f"{role.title()} {n}", role, password, **kwargs)
    db.session.commit()
    return person


def give_credential(person, category="IMHM-C", valid_from=date(2020, 1, 1), valid_until=None, number=None):
    credential = accounts.add_credential(person, category, number or f"{category}-{next(_numbers)}",
                                         valid_from, valid_until)
    db.session.commit()
    return credential


def token_for(person) -> str:
    token = issue_token(person)
    db.session.commit()
    return token


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def log_in(client, person, password=PASSWORD):
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": person.email, "password": password,
                                           "csrf_token": csrf_token_from(page)})
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
