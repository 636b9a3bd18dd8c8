"""initial schema: associations, people, groups, sessions, attendance, the hours ledger,
audit log, requirement sets, certificates and notifications.

Reviewed by hand: instants are timestamptz on PostgreSQL (rs_service.database.UTCDateTime
puts the zone back on SQLite); invariants are CHECK and UNIQUE constraints.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 16:55:28.071665

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "organizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("reminder_lead_minutes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("reminder_lead_minutes > 0", name=op.f("ck_organizations_reminder_lead_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("slug", name=op.f("uq_organizations_slug")),
    )
    op.create_table(
        "groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("rrule", sa.String(length=500), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("join_url", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('rsc', 'peer')", name=op.f("ck_groups_kind_known")),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_groups_capacity_positive")),
        sa.CheckConstraint("duration_minutes > 0 AND duration_minutes <= 720", name=op.f("ck_groups_duration_range")),
        sa.CheckConstraint("until >= first_date", name=op.f("ck_groups_until_after_first_date")),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_groups_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
    )
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_groups_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("pursuing_category", sa.String(length=10), nullable=True),
        sa.Column("reminders_enabled", sa.Boolean(), nullable=False),
        sa.Column("calendar_token", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "pursuing_category IS NULL OR pursuing_category IN ('IFA', 'IFS', 'IFRS', 'IMHS', 'IMHM-C', 'IMHM-P', 'IMHM-R', 'ECFA', 'ECFS', 'ECFRS', 'ECMHS', 'ECMHM-C', 'ECMHM-P', 'ECMHM-R')",
            name=op.f("ck_people_pursuing_category_known"),
        ),
        sa.CheckConstraint("role IN ('staff', 'facilitator', 'participant')", name=op.f("ck_people_role_known")),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_people_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("calendar_token", name=op.f("uq_people_calendar_token")),
        sa.UniqueConstraint("organization_id", "email", name=op.f("uq_people_organization_id_email")),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_api_tokens_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_person_id"), ["person_id"], unique=False)

    op.create_table(
        "credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "category IN ('IFA', 'IFS', 'IFRS', 'IMHS', 'IMHM-C', 'IMHM-P', 'IMHM-R', 'ECFA', 'ECFS', 'ECFRS', 'ECMHS', 'ECMHM-C', 'ECMHM-P', 'ECMHM-R')",
            name=op.f("ck_credentials_category_known"),
        ),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_until >= valid_from", name=op.f("ck_credentials_valid_period")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_credentials_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
    )
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credentials_person_id"), ["person_id"], unique=False)

    op.create_table(
        "enrollments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("waitlisted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("left_on IS NULL OR left_on >= joined_on", name=op.f("ck_enrollments_left_after_joined")),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_enrollments_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_enrollments_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollments")),
        sa.UniqueConstraint("group_id", "person_id", name=op.f("uq_enrollments_group_id_person_id")),
    )
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrollments_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrollments_person_id"), ["person_id"], unique=False)

    op.create_table(
        "group_blackout_dates",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_group_blackout_dates_group_id_groups"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("group_id", "day", name=op.f("pk_group_blackout_dates")),
    )
    op.create_table(
        "group_facilitators",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_group_facilitators_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_group_facilitators_person_id_people")),
        sa.PrimaryKeyConstraint("group_id", "person_id", name=op.f("pk_group_facilitators")),
    )
    op.create_table(
        "requirement_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["people.id"], name=op.f("fk_requirement_sets_created_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_requirement_sets_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requirement_sets")),
        sa.UniqueConstraint("organization_id", "version", name=op.f("uq_requirement_sets_organization_id_version")),
    )
    with op.batch_alter_table("requirement_sets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_requirement_sets_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("original_starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_off_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_off_by_id", sa.Integer(), nullable=True),
        sa.Column("attendance_version", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('scheduled', 'cancelled')", name=op.f("ck_sessions_status_known")),
        sa.CheckConstraint("attendance_version >= 0", name=op.f("ck_sessions_attendance_version_not_negative")),
        sa.CheckConstraint("duration_minutes > 0 AND duration_minutes <= 720", name=op.f("ck_sessions_duration_range")),
        sa.CheckConstraint("sequence >= 0", name=op.f("ck_sessions_sequence_not_negative")),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_sessions_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["signed_off_by_id"], ["people.id"], name=op.f("fk_sessions_signed_off_by_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("group_id", "original_starts_at", name=op.f("uq_sessions_group_id_original_starts_at")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sessions_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "attendance_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('present', 'late', 'left_early', 'absent', 'excused')",
            name=op.f("ck_attendance_records_status_known"),
        ),
        sa.CheckConstraint("minutes IS NULL OR minutes > 0", name=op.f("ck_attendance_records_minutes_positive")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_attendance_records_person_id_people")),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_attendance_records_session_id_sessions"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["people.id"], name=op.f("fk_attendance_records_updated_by_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_records")),
        sa.UniqueConstraint("session_id", "person_id", name=op.f("uq_attendance_records_session_id_person_id")),
    )
    with op.batch_alter_table("attendance_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_records_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attendance_records_session_id"), ["session_id"], unique=False)

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["people.id"], name=op.f("fk_audit_events_actor_id_people")),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_audit_events_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_audit_events_person_id_people")),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], name=op.f("fk_audit_events_session_id_sessions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_session_id"), ["session_id"], unique=False)

    op.create_table(
        "hour_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("peer", sa.Boolean(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("provider_name", sa.String(length=200), nullable=True),
        sa.Column("provider_category", sa.String(length=10), nullable=True),
        sa.Column("provider_credential_number", sa.String(length=50), nullable=True),
        sa.Column("provider_valid_from", sa.Date(), nullable=True),
        sa.Column("provider_valid_until", sa.Date(), nullable=True),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("format IN ('group', 'individual')", name=op.f("ck_hour_entries_format_known")),
        sa.CheckConstraint("minutes <> 0", name=op.f("ck_hour_entries_minutes_not_zero")),
        sa.CheckConstraint("reverses_id IS NULL OR minutes < 0", name=op.f("ck_hour_entries_reversal_negative")),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_hour_entries_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_hour_entries_person_id_people")),
        sa.ForeignKeyConstraint(["provider_id"], ["people.id"], name=op.f("fk_hour_entries_provider_id_people")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["people.id"], name=op.f("fk_hour_entries_recorded_by_id_people")),
        sa.ForeignKeyConstraint(
            ["reverses_id"], ["hour_entries.id"], name=op.f("fk_hour_entries_reverses_id_hour_entries")
        ),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], name=op.f("fk_hour_entries_session_id_sessions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hour_entries")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_hour_entries_reverses_id")),
    )
    with op.batch_alter_table("hour_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hour_entries_entry_date"), ["entry_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_hour_entries_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hour_entries_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hour_entries_session_id"), ["session_id"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("subject_key", sa.String(length=100), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_notifications_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(["recipient_id"], ["people.id"], name=op.f("fk_notifications_recipient_id_people")),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], name=op.f("fk_notifications_session_id_sessions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "kind",
            "subject_key",
            "recipient_id",
            "sequence",
            name=op.f("uq_notifications_kind_subject_key_recipient_id_sequence"),
        ),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_recipient_id"), ["recipient_id"], unique=False)

    op.create_table(
        "requirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requirement_set_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("rsc_required", sa.Boolean(), nullable=False),
        sa.Column("required_minutes", sa.Integer(), nullable=False),
        sa.Column("window_months", sa.Integer(), nullable=False),
        sa.Column("min_span_months", sa.Integer(), nullable=False),
        sa.Column("provider_categories", sa.JSON(), nullable=False),
        sa.Column("max_sources", sa.Integer(), nullable=True),
        sa.Column("majority_rule", sa.Boolean(), nullable=False),
        sa.Column("renewal_minutes", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "category IN ('IFA', 'IFS', 'IFRS', 'IMHS', 'IMHM-C', 'IMHM-P', 'IMHM-R', 'ECFA', 'ECFS', 'ECFRS', 'ECMHS', 'ECMHM-C', 'ECMHM-P', 'ECMHM-R')",
            name=op.f("ck_requirements_category_known"),
        ),
        sa.CheckConstraint("max_sources IS NULL OR max_sources > 0", name=op.f("ck_requirements_max_sources_positive")),
        sa.CheckConstraint("min_span_months >= 0", name=op.f("ck_requirements_span_not_negative")),
        sa.CheckConstraint(
            "renewal_minutes IS NULL OR renewal_minutes > 0", name=op.f("ck_requirements_renewal_positive")
        ),
        sa.CheckConstraint("required_minutes >= 0", name=op.f("ck_requirements_required_minutes_not_negative")),
        sa.CheckConstraint("window_months > 0", name=op.f("ck_requirements_window_positive")),
        sa.ForeignKeyConstraint(
            ["requirement_set_id"],
            ["requirement_sets.id"],
            name=op.f("fk_requirements_requirement_set_id_requirement_sets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requirements")),
        sa.UniqueConstraint("requirement_set_id", "category", name=op.f("uq_requirements_requirement_set_id_category")),
    )
    with op.batch_alter_table("requirements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_requirements_requirement_set_id"), ["requirement_set_id"], unique=False)

    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("counted_minutes", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=500), nullable=True),
        sa.Column("review_flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "category IN ('IFA', 'IFS', 'IFRS', 'IMHS', 'IMHM-C', 'IMHM-P', 'IMHM-R', 'ECFA', 'ECFS', 'ECFRS', 'ECMHS', 'ECMHM-C', 'ECMHM-P', 'ECMHM-R')",
            name=op.f("ck_certificates_category_known"),
        ),
        sa.ForeignKeyConstraint(["issued_by_id"], ["people.id"], name=op.f("fk_certificates_issued_by_id_people")),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_certificates_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_certificates_person_id_people")),
        sa.ForeignKeyConstraint(
            ["requirement_id"], ["requirements.id"], name=op.f("fk_certificates_requirement_id_requirements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("code", name=op.f("uq_certificates_code")),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificates_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_person_id"), ["person_id"], unique=False)

    op.create_table(
        "certificate_entries",
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("hour_entry_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_entries_certificate_id_certificates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["hour_entry_id"], ["hour_entries.id"], name=op.f("fk_certificate_entries_hour_entry_id_hour_entries")
        ),
        sa.PrimaryKeyConstraint("certificate_id", "hour_entry_id", name=op.f("pk_certificate_entries")),
    )


def downgrade():

    op.drop_table("certificate_entries")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificates_person_id"))
        batch_op.drop_index(batch_op.f("ix_certificates_organization_id"))

    op.drop_table("certificates")
    with op.batch_alter_table("requirements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requirements_requirement_set_id"))

    op.drop_table("requirements")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_recipient_id"))
        batch_op.drop_index(batch_op.f("ix_notifications_organization_id"))

    op.drop_table("notifications")
    with op.batch_alter_table("hour_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hour_entries_session_id"))
        batch_op.drop_index(batch_op.f("ix_hour_entries_person_id"))
        batch_op.drop_index(batch_op.f("ix_hour_entries_organization_id"))
        batch_op.drop_index(batch_op.f("ix_hour_entries_entry_date"))

    op.drop_table("hour_entries")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_session_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_person_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_organization_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_at"))

    op.drop_table("audit_events")
    with op.batch_alter_table("attendance_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_records_session_id"))
        batch_op.drop_index(batch_op.f("ix_attendance_records_person_id"))

    op.drop_table("attendance_records")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_starts_at"))
        batch_op.drop_index(batch_op.f("ix_sessions_group_id"))

    op.drop_table("sessions")
    with op.batch_alter_table("requirement_sets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requirement_sets_organization_id"))

    op.drop_table("requirement_sets")
    op.drop_table("group_facilitators")
    op.drop_table("group_blackout_dates")
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrollments_person_id"))
        batch_op.drop_index(batch_op.f("ix_enrollments_group_id"))

    op.drop_table("enrollments")
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credentials_person_id"))

    op.drop_table("credentials")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_person_id"))

    op.drop_table("api_tokens")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_organization_id"))

    op.drop_table("people")
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_groups_organization_id"))

    op.drop_table("groups")
    op.drop_table("organizations")
