"""Versioned requirement sets and the certificates judged under them."""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rs_service import clock
from rs_service.accounts.models import Person
from rs_service.database import UTCDateTime, one_of, partial_index
from rs_service.endorsement.baseline import DEFAULT_RENEWAL_DUE
from rs_service.endorsement.categories import CATEGORY_CODES
from rs_service.extensions import db


class RequirementSet(db.Model):
    """One version of an association's rules; never edited once in use, replaced by a new version."""

    __tablename__ = "requirement_sets"
    __table_args__ = (UniqueConstraint("organization_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    version: Mapped[int]
    effective_from: Mapped[date]
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    requirements: Mapped[list["Requirement"]] = relationship(
        back_populates="requirement_set", order_by="Requirement.id", cascade="all, delete-orphan"
    )


class Requirement(db.Model):
    __tablename__ = "requirements"
    __table_args__ = (
        UniqueConstraint("requirement_set_id", "category"),
        CheckConstraint(one_of("category", CATEGORY_CODES), name="category_known"),
        CheckConstraint("required_minutes >= 0", name="required_minutes_not_negative"),
        CheckConstraint("window_months > 0", name="window_positive"),
        CheckConstraint("min_span_months >= 0", name="span_not_negative"),
        CheckConstraint("max_sources IS NULL OR max_sources > 0", name="max_sources_positive"),
        CheckConstraint("renewal_minutes IS NULL OR renewal_minutes > 0", name="renewal_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_set_id: Mapped[int] = mapped_column(ForeignKey("requirement_sets.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    rsc_required: Mapped[bool]
    required_minutes: Mapped[int]
    window_months: Mapped[int]
    min_span_months: Mapped[int]
    provider_categories: Mapped[list] = mapped_column(JSON)
    max_sources: Mapped[int | None]
    majority_rule: Mapped[bool]
    renewal_minutes: Mapped[int | None]
    # The yearly date renewal RSC is due, MM-DD (renewal.DueDate): associations differ.
    renewal_due: Mapped[str] = mapped_column(String(5), default=DEFAULT_RENEWAL_DUE, server_default=DEFAULT_RENEWAL_DUE)

    requirement_set: Mapped[RequirementSet] = relationship(back_populates="requirements")


certificate_entries = Table(
    "certificate_entries",
    db.metadata,
    Column("certificate_id", ForeignKey("certificates.id", ondelete="CASCADE"), primary_key=True),
    Column("hour_entry_id", ForeignKey("hour_entries.id"), primary_key=True),
)


ONE_VALID_PER_WINDOW = "uq_certificates_one_valid_per_window"


class Certificate(db.Model):
    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint(one_of("category", CATEGORY_CODES), name="category_known"),
        # One valid certificate per person, category and window: the database settles a race the
        # service's own check cannot see (two requests that both looked before either wrote).
        partial_index(
            ONE_VALID_PER_WINDOW,
            "person_id",
            "category",
            "window_start",
            "window_end",
            unique=True,
            where="revoked_at IS NULL",
        ),
        UniqueConstraint("organization_id", "status_index"),
        CheckConstraint("status_index >= 0 AND status_index < 131072", name="status_index_in_list"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    category: Mapped[str] = mapped_column(String(10))
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirements.id"))
    counted_minutes: Mapped[int]
    window_start: Mapped[date]
    window_end: Mapped[date]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    review_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_reason: Mapped[str | None] = mapped_column(String(500))
    # Its position in the association's revocation status list (openbadges.py, status_list.py).
    status_index: Mapped[int]

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    requirement = relationship("Requirement")

    @property
    def status(self) -> str:
        return "revoked" if self.revoked_at else "valid"

    @property
    def under_review(self) -> bool:
        """An entry it counted was corrected since; true until staff confirm it or revoke it."""
        return self.review_flagged_at is not None and self.revoked_at is None
