"""The demo association that `make run` and `rs demo` set up: idempotent.

Like MI-AIMH's COVID-era cohort: 23 reflective supervision groups meeting twice monthly for six
months, about eight participants each, facilitators holding IMHM-C or IMHS. The cohort started
three months ago, so half its sessions are in the past with attendance signed off (a few rosters
left open, as happens), and a few sessions are cancelled or moved. Three participants also
received a year of individual RSC before the cohort: two are ready to certify, one is certified.

Two facilitators show records as messy as real ones: Tomás Ibarra is a dual-endorsed mentor
(IMHM-C since 2015, ECMHS since 2023), so his IMHS applicants' hours count through the IMHM-C;
Nadia Rahman's IMHM-C lapsed a month into the cohort and its renewal was recorded only after
her later sessions were signed off, so her page offers a restamp of those entries.
"""

import functools
import random
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from rs_service import clock
from rs_service.accounts import service as accounts
from rs_service.accounts.auth import hash_password
from rs_service.accounts.models import Organization, Person
from rs_service.attendance import service as attendance
from rs_service.database import refresh_planner_statistics
from rs_service.endorsement.service import issue_certificate
from rs_service.extensions import db
from rs_service.groups import service as groups
from rs_service.groups.models import Group
from rs_service.hours.service import ExternalProvider, record_rsc_hours

DEMO_SLUG = "mi-aimh-demo"
DEMO_TIMEZONE = "America/Detroit"
DEMO_PASSWORD = "demo-password"
STAFF = ("staff@demo.example.org", "Dana Whitfield")
FACILITATOR = ("facilitator@demo.example.org", "Maya Okafor")
PARTICIPANT = ("participant@demo.example.org", "Priya Raman")
GROUPS = 23
PARTICIPANTS_PER_GROUP = 8
DUAL_ENDORSED = "Tomás Ibarra"
RENEWED_LATE = "Nadia Rahman"

FIRST_NAMES = [
    "Ana",
    "Ben",
    "Cleo",
    "Dev",
    "Eli",
    "Fatima",
    "Gus",
    "Hana",
    "Ivan",
    "Jade",
    "Kofi",
    "Lena",
    "Marco",
    "Nia",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Uma",
    "Vik",
    "Wren",
    "Yara",
    "Zed",
]
LAST_NAMES = [
    "Alvarez",
    "Brooks",
    "Chen",
    "Diallo",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Mensah",
    "Novak",
    "Osei",
    "Patel",
    "Quist",
    "Reyes",
    "Singh",
    "Tanaka",
]
# Twelve facilitators; each leads two groups at most, in different weeks of the month.
FACILITATORS = [
    FACILITATOR[1],
    "Rosa Diaz",
    "Sam Whitaker",
    "Leah Goldberg",
    "Tomás Ibarra",
    "Grace Mensah",
    "Hiro Tanaka",
    "Nadia Rahman",
    "Owen Brooks",
    "Ines Duarte",
    "Caleb Ortiz",
    "June Park",
]
SLOTS = [
    ("TU", time(10, 0)),
    ("WE", time(12, 0)),
    ("TH", time(14, 0)),
    ("MO", time(9, 30)),
    ("FR", time(11, 0)),
    ("TU", time(15, 30)),
]


def seed_demo(today: date | None = None) -> list[str]:
    """Create the demo association if it is missing; return the lines that tell how to log in."""
    found = accounts.organization_by_slug(DEMO_SLUG)
    created = found is None
    organization = build_demo(today or clock.today_in(DEMO_TIMEZONE)) if found is None else found
    if created:
        db.session.flush()
        refresh_planner_statistics(db.session, [table.name for table in db.metadata.sorted_tables])
    status = "created" if created else "already present"
    lines = [
        f"Demo association {status}: {organization.name}",
        f"Log in at /login with any of these (password: {DEMO_PASSWORD}):",
    ]
    lines += [
        f"  {role:<12} {email}"
        for role, (email, _) in (("staff", STAFF), ("facilitator", FACILITATOR), ("participant", PARTICIPANT))
    ]
    return lines


def build_demo(today: date) -> Organization:
    rng = random.Random(2020)
    organization = accounts.create_organization(DEMO_SLUG, "Michigan AIMH (demo)", DEMO_TIMEZONE)
    staff = demo_person(organization, *STAFF, "staff")
    first_date = (today - relativedelta(months=3)).replace(day=1)
    facilitators = [make_facilitator(organization, index, name, first_date) for index, name in enumerate(FACILITATORS)]
    until = first_date + relativedelta(months=6) - timedelta(days=1)
    cohort = [
        make_group(organization, index, facilitators[index % len(facilitators)], first_date, until)
        for index in range(GROUPS)
    ]
    participants = enroll_participants(organization, cohort, first_date, rng)
    change_some_sessions(cohort, today)
    take_past_attendance(cohort, today, rng)
    record_renewal_late(next(f for f in facilitators if f.name == RENEWED_LATE), first_date)
    record_individual_rsc(participants[0], facilitators[1], staff, first_date)
    ready = [p for p in participants if p.pursuing_category == "IFS"][:3]
    for person in ready:
        record_earlier_year(person, facilitators[1], staff, today)
    db.session.flush()
    issue_certificate(ready[0], "IFS", staff)
    return organization


def demo_person(organization: Organization, email: str, name: str, role: str, **kwargs) -> Person:
    """Everyone can log in with the demo password."""
    person = accounts.create_person(organization, email, name, role, **kwargs)
    person.password_hash = demo_password_hash()
    return person


@functools.cache
def demo_password_hash() -> str:
    return hash_password(DEMO_PASSWORD)  # once: scrypt is slow by design


def make_facilitator(organization: Organization, index: int, name: str, first_date: date) -> Person:
    email = FACILITATOR[0] if index == 0 else f"{name.split()[0].lower()}.facilitator@demo.example.org"
    person = demo_person(organization, email, name, "facilitator")
    if name == DUAL_ENDORSED:
        accounts.add_credential(person, "IMHM-C", f"MI-{4000 + index}", date(2015, 3, 1), None)
        accounts.add_credential(person, "ECMHS", f"MI-{5000 + index}", date(2023, 5, 1), None)
        return person
    category = "IMHM-C" if index % 3 != 2 else "IMHS"
    until = lapse_date(first_date) if name == RENEWED_LATE else None
    accounts.add_credential(person, category, f"MI-{4000 + index}", date(2018, 7, 1), until)
    return person


def lapse_date(first_date: date) -> date:
    """When the late-renewed facilitator's endorsement ran out: a month into the cohort."""
    return first_date + relativedelta(months=1) - timedelta(days=1)


def record_renewal_late(facilitator: Person, first_date: date) -> None:
    """The renewal, recorded only now that her sessions since the lapse are signed off."""
    accounts.add_credential(
        facilitator,
        "IMHM-C",
        f"{facilitator.credentials[0].number}-R",
        lapse_date(first_date) + timedelta(days=1),
        None,
    )


def make_group(organization: Organization, index: int, facilitator: Person, first_date: date, until: date) -> Group:
    day, start = SLOTS[(index // 2) % len(SLOTS)]
    weeks = "1{d},3{d}" if index < 12 else "2{d},4{d}"  # a facilitator's second group meets in the other weeks
    plan = groups.GroupPlan(
        name=f"RS Group {index + 1}",
        timezone=organization.timezone,
        rrule=f"FREQ=MONTHLY;BYDAY={weeks.format(d=day)}",
        first_date=first_date,
        until=until,
        start_time=start,
        duration_minutes=90,
        capacity=10,
        facilitator_ids=(facilitator.id,),
        location="Zoom",
        join_url=f"https://zoom.example/j/55500{index:03d}",
    )
    return groups.create_group(organization.id, plan)


def enroll_participants(
    organization: Organization, cohort: list[Group], first_date: date, rng: random.Random
) -> list[Person]:
    participants = []
    for index, group in enumerate(cohort):
        for seat in range(PARTICIPANTS_PER_GROUP):
            number = index * PARTICIPANTS_PER_GROUP + seat
            if number == 0:
                email, name = PARTICIPANT
            else:
                name = f"{FIRST_NAMES[number % len(FIRST_NAMES)]} {LAST_NAMES[(number // 7) % len(LAST_NAMES)]}"
                email = f"participant{number}@demo.example.org"
            category = "IFS" if number % 4 else "IMHS"
            person = demo_person(organization, email, name, "participant", pursuing_category=category)
            # One seat in four joined a month into the cohort.
            joined = first_date + relativedelta(months=1) if seat == 7 and index % 4 == 0 else first_date
            groups.enroll(group, person, joined)
            participants.append(person)
    return participants


def change_some_sessions(cohort: list[Group], today: date) -> None:
    now = datetime.combine(today, time(12)).astimezone()
    for group in cohort[1:4]:
        upcoming = [s for s in groups.sessions_of(group) if s.starts_at > now]
        if len(upcoming) > 2:
            groups.cancel_session(upcoming[1], "Facilitator at a training")
            groups.reschedule_session(upcoming[2], upcoming[2].starts_at + timedelta(days=1))


def take_past_attendance(cohort: list[Group], today: date, rng: random.Random) -> None:
    now = datetime.combine(today, time(0)).astimezone()
    for index, group in enumerate(cohort):
        facilitator = group.facilitators[0]
        past = [s for s in groups.sessions_of(group) if s.starts_at < now and s.status == "scheduled"]
        for position, session in enumerate(past):
            marks = [attendance.Mark(person.id, *typical_mark(rng)) for person in groups.roster(session)]
            attendance.save_attendance(session, marks, facilitator)
            left_open = position == len(past) - 1 and index % 5 == 0
            if not left_open:
                attendance.sign_off(session, facilitator, now=session.starts_at + timedelta(minutes=95))


def typical_mark(rng: random.Random) -> tuple[str, int | None]:
    roll = rng.random()
    if roll < 0.72:
        return "present", None
    if roll < 0.80:
        return "late", rng.choice([60, 70, 75, 80])
    if roll < 0.86:
        return "left_early", rng.choice([45, 60, 75])
    if roll < 0.94:
        return "absent", None
    return "excused", None


def record_earlier_year(participant: Person, provider: Person, staff: Person, today: date) -> None:
    """A year of monthly individual RSC before the cohort, so the queue has people ready to certify."""
    for months_ago in range(15, 3, -1):
        record_rsc_hours(
            participant,
            entry_date=today - relativedelta(months=months_ago),
            minutes=90,
            format="individual",
            actor=staff,
            provider=provider,
        )


def record_individual_rsc(participant: Person, provider: Person, staff: Person, first_date: date) -> None:
    for month in range(3):
        record_rsc_hours(
            participant,
            entry_date=first_date + relativedelta(months=month, days=9),
            minutes=60,
            format="individual",
            actor=staff,
            provider=provider,
        )
    # Typed in without the dates of her endorsement: recorded, and the page says why it does not count.
    record_rsc_hours(
        participant,
        entry_date=first_date - relativedelta(months=8),
        minutes=90,
        format="individual",
        actor=staff,
        external=ExternalProvider("Dr. Helen Moore", "IMHM-C", "OH-2231"),
    )
