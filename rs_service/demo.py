"""The demo association that `make run` and `rs demo` set up: idempotent."""
from rs_service.accounts import service as accounts

DEMO_SLUG = "mi-aimh-demo"
DEMO_PASSWORD = "demo-password"
DEMO_PEOPLE = [
    ("staff@demo.rs-service.test", "Dana Whitfield", "staff"),
    ("facilitator@demo.rs-service.test", "Maya Okafor", "facilitator"),
    ("participant@demo.rs-service.test", "Priya Raman", "participant"),
]


def seed_demo() -> list[str]:
    """Create the demo association if it is missing; return the lines that tell how to log in."""
    organization = accounts.organization_by_slug(DEMO_SLUG)
    created = organization is None
    if created:
        organization = accounts.create_organization(DEMO_SLUG, "Michigan AIMH (demo)", "America/Detroit")
        for email, name, role in DEMO_PEOPLE:
            accounts.create_person(organization, email, name, role, DEMO_PASSWORD)
    lines = ["Demo association " + ("created" if created else "already present") + f": {organization.name}",
             "Log in with any of these (password: " + DEMO_PASSWORD + "):"]
    lines += [f"  {role:<12} {email}" for email, _, role in DEMO_PEOPLE]
    return lines
