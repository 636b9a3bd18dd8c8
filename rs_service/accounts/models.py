"""Associations, the people in them, their endorsements and their API tokens."""

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rs_service import clock
from rs_service.database import UTCDateTime, one_of
from rs_service.endorsement.categories import CATEGORY_CODES
from rs_service.extensions import db

ROLES = ("staff", "facilitator", "participant")
LANGUAGES = ("en", "es")


class Organization(db.Model):
    """An association for infant mental health; every other row belongs to exactly one."""

    __tablename__ = "organizations"
    __table_args__ = (CheckConstraint("reminder_lead_minutes > 0", name="reminder_lead_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    reminder_lead_minutes: Mapped[int] = mapped_column(default=24 * 60)
    # The ORGANIZER of emailed invites; None: the address of MAIL_FROM.
    organizer_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Person(UserMixin, db.Model):
    """Someone with one role in one association; staff, facilitators and participants alike."""

    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("organization_id", "email"),
        CheckConstraint(one_of("role", ROLES), name="role_known"),
        CheckConstraint(one_of("language", LANGUAGES), name="language_known"),
        CheckConstraint(
            f"pursuing_category IS NULL OR {one_of('pursuing_category', CATEGORY_CODES)}",
            name="pursuing_category_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    pursuing_category: Mapped[str | None] = mapped_column(String(10))
    reminders_enabled: Mapped[bool] = mapped_column(default=True)
    # The language of their pages, emails, invites and certificates.
    language: Mapped[str] = mapped_column(String(2), default="en", server_default="en")
    # A deactivated person keeps their history, hours and certificates but cannot log in.
    active: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Named by each web session of theirs (with the id): a new key, or none, ends them all.
    session_key: Mapped[str | None] = mapped_column(String(64))
    # Session reminders and changes with a calendar invite (True) or as plain emails (False);
    # None: automatic, plain once their feed has been fetched (see notifications.channels).
    calendar_invites: Mapped[bool | None]
    feed_first_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    organization: Mapped[Organization] = relationship()
    credentials: Mapped[list["Credential"]] = relationship(
        back_populates="person", order_by="Credential.valid_from", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """What a web session stores: Flask-Login's alternative id, see accounts.auth."""
        return f"{self.id}:{self.session_key or ''}"

    def credential_on(self, day: date) -> "Credential | None":
        """The endorsement valid on `day`; the most recently started one when several are."""
        valid = [c for c in self.credentials if c.is_valid_on(day)]
        return max(valid, key=lambda c: (c.valid_from, c.id)) if valid else None

    def credential_as_of(self, day: date) -> "Credential | None":
        """The credential valid on `day`, else the latest one started before it (lapsed, so it says so)."""
        started = [c for c in self.credentials if c.valid_from <= day]
        return self.credential_on(day) or (max(started, key=lambda c: (c.valid_from, c.id)) if started else None)


class Credential(db.Model):
    """An Endorsement held by a person: category, number and validity."""

    __tablename__ = "credentials"
    __table_args__ = (
        CheckConstraint(one_of("category", CATEGORY_CODES), name="category_known"),
        CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="valid_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    category: Mapped[str] = mapped_column(String(10))
    number: Mapped[str] = mapped_column(String(50))
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    person: Mapped[Person] = relationship(back_populates="credentials")

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class ApiToken(db.Model):
    """A bearer token for /api/v1 until `expires_at`; only its SHA-256 is stored; revoking deletes it."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Written at most every few minutes (accounts.auth.TOKEN_USE_PRECISION).
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()


LINK_PURPOSES = ("invite", "reset")


class PasswordLink(db.Model):
    """A single-use link to set a password: an invitation (7 days) or a reset (1 hour).

    Only the SHA-256 of the link's token is stored. `closed_at` is set when the link is used, when a
    newer link supersedes it, or when the person's password is set some other way.
    """

    __tablename__ = "password_links"
    __table_args__ = (CheckConstraint(one_of("purpose", LINK_PURPOSES), name="purpose_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()

    def is_open(self, now: datetime) -> bool:
        return self.closed_at is None and now < self.expires_at
