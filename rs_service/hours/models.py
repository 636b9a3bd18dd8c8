"""The hours ledger: append-only; a correction is a reversing row plus a new one."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rs_service import clock
from rs_service.accounts.models import Person
from rs_service.database import UTCDateTime, one_of
from rs_service.endorsement.categories import CATEGORY_CODES
from rs_service.endorsement.rules import StampedCredential
from rs_service.extensions import db

FORMATS = ("group", "individual")


class HourEntry(db.Model):
    __tablename__ = "hour_entries"
    __table_args__ = (
        CheckConstraint("minutes <> 0", name="minutes_not_zero"),
        CheckConstraint(one_of("format", FORMATS), name="format_known"),
        CheckConstraint("reverses_id IS NULL OR minutes < 0", name="reversal_negative"),
        # A person's entries in a window: one index answers both, whatever plan the database keeps
        # for the prepared statement (a generic plan once ANDed a third of the ledger by date).
        Index("ix_hour_entries_person_id_entry_date", "person_id", "entry_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    entry_date: Mapped[date] = mapped_column(index=True)
    minutes: Mapped[int]
    format: Mapped[str] = mapped_column(String(20))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"), index=True)
    peer: Mapped[bool] = mapped_column(default=False)
    verified: Mapped[bool] = mapped_column(default=True)
    # The provider as it stood when the entry was recorded: a snapshot, never looked up again.
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    provider_name: Mapped[str | None] = mapped_column(String(200))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("hour_entries.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(String(500))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    # The stamp: loaded with the entries in one more query, whatever their number.
    credentials: Mapped[list["EntryCredential"]] = relationship(order_by="EntryCredential.id", lazy="selectin")

    @property
    def valid_credentials(self) -> list["EntryCredential"]:
        """The stamped credentials nothing recorded says were invalid on the entry's date."""
        return [c for c in self.credentials if c.stamp.possibly_valid_on(self.entry_date)]

    @property
    def provider_categories(self) -> list[str]:
        """Every credential the provider held on the entry's date."""
        return sorted({c.category for c in self.valid_credentials})

    @property
    def principal_credential(self) -> "EntryCredential | None":
        """The one credential a single-valued answer names: the latest started of those valid that day, else the
        latest stamped (a lapsed one, recorded so the reason can say so)."""

        def started(credential: EntryCredential) -> tuple[date, int]:
            return (credential.valid_from or date.min, credential.id)

        return max(self.valid_credentials, key=started, default=None) or max(
            self.credentials, key=started, default=None
        )

    @property
    def provider_category(self) -> str | None:
        credential = self.principal_credential
        return credential.category if credential else None

    @property
    def provider_credential_number(self) -> str | None:
        credential = self.principal_credential
        return credential.number if credential else None

    @property
    def provider_valid_from(self) -> date | None:
        credential = self.principal_credential
        return credential.valid_from if credential else None

    @property
    def provider_valid_until(self) -> date | None:
        credential = self.principal_credential
        return credential.valid_until if credential else None


class EntryCredential(db.Model):
    """One credential stamped on a ledger entry: what its provider held on the entry's date.

    A table rather than a JSON column so the database checks each category and period, and the
    entries a late-recorded credential would change are found in SQL on SQLite and PostgreSQL
    alike. Append-only like the entry it belongs to.
    """

    __tablename__ = "hour_entry_credentials"
    __table_args__ = (
        CheckConstraint(one_of("category", CATEGORY_CODES), name="category_known"),
        CheckConstraint("valid_from IS NULL OR valid_until IS NULL OR valid_until >= valid_from", name="valid_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hour_entry_id: Mapped[int] = mapped_column(ForeignKey("hour_entries.id"), index=True)
    category: Mapped[str] = mapped_column(String(10))
    number: Mapped[str | None] = mapped_column(String(50))
    valid_from: Mapped[date | None]  # None only for an external provider whose dates were not given
    valid_until: Mapped[date | None]

    @property
    def stamp(self) -> StampedCredential:
        """As the eligibility rules read it."""
        return StampedCredential(self.category, self.valid_from, self.valid_until)


class AppendOnly(RuntimeError):
    """A ledger or audit row was about to be changed or removed; corrections are new rows."""


def refuse_change(mapper, connection, target):
    raise AppendOnly(f"{type(target).__name__} {target.id} is append-only: record a correction instead")


for ledger_table in (HourEntry, EntryCredential):
    event.listen(ledger_table, "before_update", refuse_change)
    event.listen(ledger_table, "before_delete", refuse_change)
