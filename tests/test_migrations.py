from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from rs_service.extensions import db


def test_migrations_and_models_agree(app):
    """The schema built by `db upgrade` is exactly what the models declare (autogenerate finds no diff)."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_database_enforces_invariants_itself(app):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from tests.factories import make_org, make_person

    person = make_person(make_org())
    with pytest.raises(IntegrityError):
        db.session.execute(db.text("UPDATE people SET role = 'admin' WHERE id = :id"), {"id": person.id})
    db.session.rollback()


def test_each_existing_snapshot_becomes_one_stamped_credential(app):
    """Entries written before credentials were stamped in their own table keep their credential."""
    import flask_migrate

    from rs_service.hours.models import HourEntry
    from tests.factories import make_org, make_person

    person = make_person(make_org())
    owner = {"org": person.organization_id, "person": person.id}
    db.session.remove()
    flask_migrate.downgrade(revision="0002")
    try:
        with db.engine.begin() as connection:
            for category, number, valid_from in (("IMHS", "MI-1", "2020-01-01"), (None, None, None)):
                connection.execute(
                    db.text(
                        "INSERT INTO hour_entries (organization_id, person_id, entry_date, minutes, format, peer, "
                        "verified, provider_name, provider_category, provider_credential_number, "
                        "provider_valid_from, recorded_at) VALUES (:org, :person, '2025-03-04', 90, 'group', "
                        "false, true, 'Rosa Diaz', :category, :number, :valid_from, '2025-03-04 16:00:00')"
                    ),
                    owner | {"category": category, "number": number, "valid_from": valid_from},
                )
    finally:
        flask_migrate.upgrade()
    stamped, unstamped = db.session.scalars(db.select(HourEntry).order_by(HourEntry.id))
    assert [(c.category, c.number, c.valid_from, c.valid_until) for c in stamped.credentials] == [
        ("IMHS", "MI-1", date(2020, 1, 1), None)
    ]
    assert unstamped.credentials == [] and unstamped.provider_category is None
