"""The real SMTP server of the notification tests, for invitations sent by an import."""

from tests.notifications.conftest import mailbox  # noqa: F401  (the fixture, shared)
