"""The queue sums the ledger in the database; the evidence packet judges it entry by entry. They must agree.

Each case is one person pursuing IFS (24 h from an IFRS, IMHS or IMHM-C provider, at most two
sources, the largest more than half, over at least 12 months) with a ledger the rules find awkward.
"""

from datetime import date

import pytest

from rs_service.endorsement import service
from rs_service.extensions import db
from rs_service.hours.ledger import CredentialStamp, ProviderSnapshot, record_entry, reverse_entry
from tests.endorsement.helpers import AS_OF, add_hours, monthly, provider
from tests.factories import give_credential, make_person

IMHS = CredentialStamp("IMHS", "100", date(2020, 1, 1))


def external(name, *stamps):
    return ProviderSnapshot(None, name, tuple(stamps))


def entry(person, day, minutes, snapshot, **extra):
    return record_entry(
        organization_id=person.organization_id,
        person_id=person.id,
        entry_date=day,
        minutes=minutes,
        format=extra.pop("fmt", "group"),
        provider=snapshot,
        recorded_by=None,
        **extra,
    )


def year(first=date(2025, 1, 1)):
    return monthly(first, 12, 10)


@pytest.fixture
def ledgers(org, staff):
    """Name -> person, each with a ledger of one awkward kind."""
    alice = provider(org, "IMHS", name="Alice Adams")
    ben = provider(org, "IMHM-C", name="Ben Brown", valid_until=date(2025, 6, 30))
    dual = provider(org, "IFS", name="Dee Dual")  # IFS does not qualify, IMHS does (from March 2025)
    give_credential(dual, "IMHS", date(2025, 3, 1))
    people = {}

    def person(name):
        people[name] = make_person(org, "participant", name=name, pursuing_category="IFS")
        return people[name]

    add_hours(person("plain"), alice, year(), 120)
    add_hours(person("dual endorsement"), dual, year(), 130)  # Jan and Feb: only the IFS credential
    lapsed = person("lapsed provider")
    add_hours(lapsed, ben, year(), 100)  # only January to June count
    add_hours(lapsed, alice, year(), 30)
    late = person("late credential")
    add_hours(late, external("Erin Early", CredentialStamp("IMHS", "7", None)), year(), 200)  # start never recorded
    add_hours(late, alice, year(date(2024, 12, 1)), 100)
    spelled = person("external spelled two ways")
    add_hours(spelled, external("Cara  Cole", CredentialStamp("IMHS", "9", date(2019, 1, 1))), year()[:6], 120)
    add_hours(spelled, external("cara cole", CredentialStamp("IMHS", "9", date(2019, 1, 1))), year()[6:], 120)
    add_hours(spelled, external("Cara Cole", CredentialStamp("IMHS", "10", date(2019, 1, 1))), year()[:2], 60)
    two_stamps = person("external with two stamps")
    both = external(
        "Fay Fern",
        CredentialStamp("IMHM-C", "1", date(2018, 1, 1), date(2025, 5, 31)),
        CredentialStamp("IMHS", "2", date(2025, 6, 1)),
    )
    add_hours(two_stamps, both, year(), 125)
    add_hours(two_stamps, alice, [date(2025, 2, 2)], 60)
    reversed_ = person("reversals")
    kept = add_hours(reversed_, alice, year(), 125)
    for gone in kept[:2]:
        reverse_entry(gone, reason="entered twice", recorded_by=staff)
    replaced = reverse_entry(kept[5], reason="wrong minutes", recorded_by=staff)
    entry(reversed_, replaced.entry_date, 90, ProviderSnapshot(alice.id, alice.name, (IMHS,)))
    tie = person("tie between sources")
    carol = provider(org, "IMHS", name="Carol Chen")
    add_hours(tie, carol, year(), 60)
    add_hours(tie, alice, year(), 60)
    add_hours(tie, external("Gil Grey", IMHS), year(), 60)
    noise = person("peer, unverified, individual, unknown, outside")
    add_hours(noise, alice, year(), 60, peer=True)
    add_hours(noise, alice, year(), 60, verified=False)
    add_hours(noise, alice, year(), 70, fmt="individual")
    add_hours(noise, ProviderSnapshot(None, None), year(), 300)
    add_hours(noise, alice, monthly(date(2022, 1, 1), 12), 300)
    certified = person("already certified")
    add_hours(certified, alice, year(), 150)
    service.issue_certificate(certified, "IFS", staff, as_of=AS_OF)
    db.session.commit()
    return people


def test_the_queue_and_the_evidence_packet_agree(ledgers, org):
    by_totals = service.judged_by_totals(org.id, AS_OF)
    assert ledgers["already certified"].id not in by_totals
    for name, person in ledgers.items():
        if name == "already certified":
            continue
        by_entries = service.assess(person, "IFS", AS_OF).result
        summed = by_totals[person.id]
        assert (summed.eligible, summed.counted_minutes, summed.failed_rules, summed.span_months) == (
            by_entries.eligible,
            by_entries.counted_minutes,
            by_entries.failed_rules,
            by_entries.span_months,
        ), name
        assert summed.counted_sources == by_entries.counted_sources, name
        assert summed.reasons[: len(summed.failed_rules)] == by_entries.reasons[: len(by_entries.failed_rules)], name


def test_the_awkward_ledgers_are_judged_as_the_rules_say(ledgers, org):
    by_totals = service.judged_by_totals(org.id, AS_OF)

    def judged(name):
        return by_totals[ledgers[name].id]

    assert judged("plain").eligible and judged("plain").counted_minutes == 1440
    assert judged("dual endorsement").counted_minutes == 10 * 130
    assert judged("lapsed provider").counted_sources[0][1] == 6 * 100
    assert judged("late credential").counted_minutes == 1200  # the undated external credential never counts
    [(cara, minutes), *_] = judged("external spelled two ways").counted_sources
    assert cara.external and minutes == 1440  # one source however the name was typed; number 10 is another
    # The principal credential names the external provider, so Fay is two sources and Alice a third.
    assert [m for _, m in judged("external with two stamps").counted_sources] == [7 * 125, 5 * 125]
    assert judged("reversals").counted_minutes == 9 * 125 + 90
    first, second = judged("tie between sources").counted_sources  # the external third is left out
    assert not (first[0].external or second[0].external) and first[0].account_id < second[0].account_id
    assert (first[1], second[1]) == (720, 720)
    assert judged("peer, unverified, individual, unknown, outside").counted_minutes == 12 * 70
    queue = service.ready_to_certify(org, AS_OF, within_minutes=100 * 60)
    assert {c.person.name for c in queue} == set(ledgers) - {"already certified"}
