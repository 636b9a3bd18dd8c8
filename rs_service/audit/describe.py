"""The audit trail in sentences people read: pure functions over the stored event data.

An event stores ids and snapshots (`{"164": {"status": "late", "minutes": 45}}`); a reader wants
"Maya Okafor changed Ana Ruiz from present to late (45 min) — reason: joined late". The names come
from one lookup for the whole trail (`people_in`), never one query per event.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from rs_service.local_times import decimal_hours, long_date

ATTENDANCE_ACTIONS = ("attendance.saved", "attendance.signed_off", "attendance.corrected")


@dataclass(frozen=True)
class EventFacts:
    """What an audit event stored, as the sentences need it."""

    action: str
    actor_id: int | None
    person_id: int | None = None
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    reason: str | None = None


def people_in(events: Iterable[EventFacts]) -> set[int]:
    """Every person id the sentences will name: actors, subjects, and the people of attendance snapshots."""
    ids: set[int] = set()
    for event in events:
        ids.update(i for i in (event.actor_id, event.person_id) if i is not None)
        if event.action in ("attendance.saved", "attendance.signed_off"):
            for snapshot in (event.before, event.after):
                ids.update(int(key) for key in (snapshot or {}) if str(key).isdigit())
    return ids


def describe(event: EventFacts, names: Mapping[int, str]) -> list[str]:
    """The event as one or more sentences (one per person for a roster saved at once)."""
    actor = names.get(event.actor_id, _("Someone")) if event.actor_id is not None else _("The service")
    person = _name(names, event.person_id)
    before, after = event.before or {}, event.after or {}
    sentences = _sentences(event.action, actor, person, before, after, names)
    if event.reason:
        sentences = [_("%(sentence)s — reason: %(reason)s", sentence=s, reason=event.reason) for s in sentences]
    return sentences


def status_words(snapshot: Mapping[str, Any] | None) -> str:
    """ "late (45 min)", "present", "no record"."""
    if not snapshot:
        return _("no record")
    status = _status_word(str(snapshot.get("status", "")))
    minutes = snapshot.get("minutes")
    return _("%(status)s (%(minutes)s min)", status=status, minutes=minutes) if minutes else status


def _status_word(status: str) -> str:
    words = {
        "present": _("present"),
        "late": _("late"),
        "left_early": _("left early"),
        "absent": _("absent"),
        "excused": _("excused"),
    }
    return words.get(status, status)


def _name(names: Mapping[int, str], person_id: Any) -> str:
    try:
        return names.get(int(person_id), _("person %(id)s", id=person_id))
    except (TypeError, ValueError):
        return _("someone")


def _hours(minutes: Any) -> str:
    try:
        return _("%(hours)s h", hours=decimal_hours(int(minutes)))
    except (TypeError, ValueError):
        return "?"


def _day(value: Any) -> str:
    """A stored ISO date in the reader's style; what cannot be read is shown as stored."""
    try:
        return long_date(date.fromisoformat(str(value)))
    except ValueError:
        return "?" if value is None else str(value)


def _field_word(field: str) -> str:
    words = {
        "name": _("name"),
        "email": _("email"),
        "role": _("role"),
        "language": _("language"),
        "pursuing": _("Endorsement category pursued"),
        "capacity": _("places"),
        "location": _("location"),
        "join_url": _("join link"),
        "description": _("description"),
        "facilitator_ids": _("facilitators"),
        "provider_of_record_id": _("provider of record"),
        "kind": _("kind"),
    }
    return words.get(field, field.replace("_", " "))


def _value(value: Any, names: Mapping[int, str]) -> str:
    if value is None or value == "" or value == []:
        return _("nothing")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return f"“{value}”"


def _sentences(
    action: str,
    actor: str,
    person: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    names: Mapping[int, str],
) -> list[str]:
    if action == "attendance.saved":
        sentences = []
        for key in sorted(after, key=lambda k: _name(names, k)):
            who = _name(names, key)
            if before.get(key):
                sentences.append(
                    _(
                        "%(actor)s changed %(person)s from %(before)s to %(after)s",
                        actor=actor,
                        person=who,
                        before=status_words(before[key]),
                        after=status_words(after[key]),
                    )
                )
            else:
                sentences.append(
                    _(
                        "%(actor)s marked %(person)s %(status)s",
                        actor=actor,
                        person=who,
                        status=status_words(after[key]),
                    )
                )
        return sentences or [_("%(actor)s saved the attendance without changes", actor=actor)]
    if action == "attendance.signed_off":
        count = len(after)
        return [
            ngettext(
                "%(actor)s signed off the attendance of %(num)d person",
                "%(actor)s signed off the attendance of %(num)d people",
                count,
                actor=actor,
            )
        ]
    if action == "attendance.corrected":
        return [
            _(
                "%(actor)s changed %(person)s from %(before)s to %(after)s",
                actor=actor,
                person=person,
                before=status_words(before),
                after=status_words(after),
            )
        ]
    if action == "hours.recorded":
        return [
            _(
                "%(actor)s recorded %(hours)s for %(person)s, received %(date)s",
                actor=actor,
                hours=_hours(after.get("minutes")),
                person=person,
                date=_day(after.get("date")),
            )
        ]
    if action == "hours.corrected":
        return [
            _(
                "%(actor)s corrected %(person)s's hours from %(before)s on %(before_date)s "
                "to %(after)s on %(after_date)s",
                actor=actor,
                person=person,
                before=_hours(before.get("minutes")),
                before_date=_day(before.get("date")),
                after=_hours(after.get("minutes")),
                after_date=_day(after.get("date")),
            )
        ]
    if action == "hours.voided":
        return [
            _(
                "%(actor)s voided %(person)s's %(hours)s of %(date)s",
                actor=actor,
                person=person,
                hours=_hours(before.get("minutes")),
                date=_day(before.get("date")),
            )
        ]
    if action == "hours.restamped":
        count = len(after.get("entries") or {})
        return [
            ngettext(
                "%(actor)s restamped %(num)d entry of %(person)s with the credentials %(provider)s now has on record",
                "%(actor)s restamped %(num)d entries of %(person)s with the credentials %(provider)s now has on record",
                count,
                actor=actor,
                person=person,
                provider=after.get("provider", "?"),
            )
        ]
    if action == "hours.restamped_as_provider":
        count = int(after.get("restamped") or 0)
        return [
            ngettext(
                "%(actor)s restamped %(num)d entry provided by %(person)s",
                "%(actor)s restamped %(num)d entries provided by %(person)s",
                count,
                actor=actor,
                person=person,
            )
        ]
    if action in ("person.changed", "group.changed"):
        fields = [f for f in after if f != "group_id"]
        subject = person if action == "person.changed" else _("the group")
        return [
            _(
                "%(actor)s changed the %(field)s of %(subject)s from %(before)s to %(after)s",
                actor=actor,
                field=_field_word(field),
                subject=subject,
                before=_value(before.get(field), names),
                after=_value(after.get(field), names),
            )
            for field in fields
        ] or [_("%(actor)s saved %(subject)s without changes", actor=actor, subject=subject)]
    simple = {
        "person.created": _("%(actor)s added %(person)s"),
        "person.deactivated": _("%(actor)s deactivated %(person)s"),
        "person.reactivated": _("%(actor)s reactivated %(person)s"),
        "credential.recorded": _("%(actor)s recorded %(person)s's %(category)s credential"),
        "credential.ended": _("%(actor)s ended %(person)s's %(category)s credential on %(until)s"),
        "certificate.issued": _("%(actor)s issued %(person)s's %(category)s certificate"),
        "certificate.revoked": _("%(actor)s revoked %(person)s's certificate"),
        "certificate.flagged": _("%(person)s's certificate was flagged for review"),
        "certificate.review_cleared": _("%(actor)s reviewed %(person)s's certificate: it stands"),
        "requirements.new_version": _("%(actor)s published version %(version)s of the requirements, from %(date)s"),
    }
    if action in simple:
        return [
            simple[action]
            % {
                "actor": actor,
                "person": person,
                "category": after.get("category", ""),
                "until": _day(after.get("valid_until")),
                "version": after.get("version", "?"),
                "date": _day(after.get("effective_from")),
            }
        ]
    what = action.replace("_", " ").replace(".", ": ")  # an event kind without a sentence of its own yet
    return [_("%(actor)s: %(action)s", actor=actor, action=what)]
