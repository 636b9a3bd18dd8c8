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
