"""Imports every feature's models so that metadata (and Alembic) sees all tables."""

from rs_service.accounts.models import ApiToken, Credential, Organization, Person  # noqa: F401
from rs_service.attendance.models import AttendanceRecord  # noqa: F401
from rs_service.audit.models import AuditEvent  # noqa: F401
from rs_service.endorsement.models import Certificate, Requirement, RequirementSet  # noqa: F401
from rs_service.groups.models import BlackoutDate, Enrollment, Group, Session  # noqa: F401
from rs_service.hours.models import EntryCredential, HourEntry  # noqa: F401
from rs_service.notifications.models import JobMark, Notification  # noqa: F401
