"""Requests generated from the API's own OpenAPI document: whatever a client sends, never a 5xx.

Schemathesis reads /api/v1/openapi.json and builds requests for every operation, valid ones and
invalid ones (wrong types, huge numbers, odd strings, missing fields), sent with a staff token to
an association that has a group, a participant and hours. A modest number of examples per
operation keeps it in the suite; RS_GENERATED_EXAMPLES=500 searches harder.
"""

import os
from datetime import date

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.factories import enroll, make_group, make_person, signed_off_hours, token_for

EXAMPLES = int(os.environ.get("RS_GENERATED_EXAMPLES", "8"))


def test_no_generated_request_answers_5xx(app, org, staff, facilitator):
    participant = make_person(org, "participant", name="Priya Raman")
    enroll(make_group(org, [facilitator]), participant)
    signed_off_hours(participant, facilitator, 90, date(2026, 1, 6))
    headers = {"Authorization": f"Bearer {token_for(staff)}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
        )

        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=cases)
        def never_5xx(case):
            response = case.call(headers=headers)
            assert response.status_code < 500, f"{case.operation.label} -> {response.status_code}: {response.text}"

        never_5xx()
