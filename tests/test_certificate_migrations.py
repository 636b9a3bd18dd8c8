"""The certificate migrations on data that existed before them: doubles revoked, positions given.

The database is taken back to the revision before them, certificates issued twice are written as
the old code could write them, and the upgrade runs again, on SQLite and PostgreSQL alike.
"""

from datetime import timedelta

import flask_migrate
import sqlalchemy as sa

from rs_service.database import UTCDateTime
from rs_service.endorsement import service
from rs_service.extensions import db
from tests.endorsement.helpers import AS_OF, full_year, provider
from tests.factories import make_person

certificates = sa.table(
    "certificates",
    sa.column("id", sa.Integer),
    sa.column("organization_id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("person_id", sa.Integer),
    sa.column("category", sa.String),
    sa.column("requirement_id", sa.Integer),
    sa.column("counted_minutes", sa.Integer),
    sa.column("window_start", sa.Date),
    sa.column("window_end", sa.Date),
    sa.column("issued_at", UTCDateTime),
)


def test_upgrading_revokes_certificates_issued_twice_and_places_every_certificate(app, org, staff):
    holder = make_person(org, "participant", name="Jordan Avery", pursuing_category="IFS")
    full_year(holder, provider(org, "IMHS"))
    first = service.issue_certificate(holder, "IFS", staff, as_of=AS_OF)
    db.session.commit()
    first_id, first_code, issued_at = first.id, first.code, first.issued_at
    twin = {name: getattr(first, name) for name in ("organization_id", "person_id", "category", "requirement_id")}
    twin |= {"counted_minutes": first.counted_minutes, "window_start": first.window_start, "window_end": AS_OF}
    db.session.remove()

    flask_migrate.downgrade(revision="one_valid_certificate-1")
    with db.engine.begin() as connection:
        for n in range(2):  # what racing requests used to leave behind, a moment after the first
            values = twin | {"code": f"twin-{n}", "issued_at": issued_at + timedelta(seconds=n + 1)}
            connection.execute(sa.insert(certificates).values(values))
    flask_migrate.upgrade()

    rows = db.session.execute(
        sa.text("SELECT code, revoked_at, revoked_reason, status_index FROM certificates ORDER BY id")
    ).all()
    assert [row.code for row in rows] == [first_code, "twin-0", "twin-1"]
    assert rows[0].revoked_at is None
    for row in rows[1:]:
        assert row.revoked_at is not None
        assert row.revoked_reason == f"Issued twice for the same window; certificate {first_code} stands."
    assert len({row.status_index for row in rows}) == 3
    assert all(0 <= row.status_index < 131_072 for row in rows)
    events = db.session.execute(
        sa.text("SELECT reason FROM audit_events WHERE action = 'certificate.revoked' ORDER BY id")
    ).all()
    assert len(events) == 2 and all(first_code in event.reason for event in events)
    assert db.session.get(type(first), first_id).status == "valid"
