"""Open Badges 3.0 documents for certificates: pure functions from facts to JSON, no Flask, no database.

* An `OpenBadgeCredential` (a W3C Verifiable Credential, data model 2.0): the achievement is the
  RSC hours toward an Endorsement category, the result the hours counted and the window, the
  subject the holder (an opaque URN, the holder's name, and their email salted and hashed).
* Its JWT claims for the JSON Web Token proof format of Open Badges 3.0: the credential's own
  members at the top level, with `iss`, `jti`, `sub` and `nbf` copied from it.
* A W3C Bitstring Status List credential for revocation: bit i set means the credential at
  status index i is revoked. The list is gzip-compressed and base64url-encoded with a "u"
  multibase prefix; index 0 is the most significant bit of the first byte.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from rs_service.clock_hours import clock_hours as hours

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
STATUS_LIST_BITS = 131_072  # the specification's minimum (16 KiB), so one index hides among many
REVOCATION = "revocation"

JSON = dict[str, Any]


@dataclass(frozen=True)
class Issuer:
    id: str  # the issuer profile's URL
    name: str
    url: str


@dataclass(frozen=True)
class CertificateFacts:
    credential_id: str  # the certificate's public verification URL
    issuer: Issuer
    achievement_id: str
    category: str
    category_name: str
    required_minutes: int
    window_months: int
    provider_categories: tuple[str, ...]
    rule_version: int
    holder_id: str  # an opaque URN for the holder
    holder_name: str
    holder_email: str
    email_salt: str
    counted_minutes: int
    window_start: date
    window_end: date
    issued_at: datetime
    status_list_url: str
    status_index: int


def instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def day_start(day: date) -> str:
    return instant(datetime.combine(day, time.min, tzinfo=UTC))


def identity_hash(email: str, salt: str) -> str:
    """Open Badges' salted IdentityHash of an email: "sha256$" and the hex digest of email + salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def achievement(facts: CertificateFacts) -> JSON:
    providers = ", ".join(facts.provider_categories) or "-"
    return {
        "id": facts.achievement_id,
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": f"Reflective supervision/consultation hours toward {facts.category_name} ({facts.category})",
        "description": (
            f"Clock hours of reflective supervision/consultation (RSC) received, counted toward the "
            f"{facts.category_name} ({facts.category}) Endorsement under {facts.issuer.name}'s requirements, "
            f"version {facts.rule_version}."
        ),
        "criteria": {
            "narrative": (
                f"At least {hours(facts.required_minutes)} clock hours of qualifying RSC within "
                f"{facts.window_months} months, from providers holding one of: {providers}. "
                "Peer supervision never counts; a provider's credential must be valid on the day."
            )
        },
        "creator": {"id": facts.issuer.id, "type": ["Profile"], "name": facts.issuer.name},
        "resultDescription": [
            {
                "id": f"{facts.achievement_id}#hours",
                "type": ["ResultDescription"],
                "name": "Clock hours of qualifying RSC counted",
                "resultType": "RawScore",
                "valueMin": "0",
            },
            {
                "id": f"{facts.achievement_id}#window",
                "type": ["ResultDescription"],
                "name": "Dates the counted hours were received between (ISO 8601 interval)",
                "resultType": "Result",
            },
        ],
    }


def credential(facts: CertificateFacts) -> JSON:
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": facts.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"RSC hours toward {facts.category} - {facts.holder_name}",
        "issuer": {"id": facts.issuer.id, "type": ["Profile"], "name": facts.issuer.name, "url": facts.issuer.url},
        "validFrom": instant(facts.issued_at),
        "credentialSubject": {
            "id": facts.holder_id,
            "type": ["AchievementSubject"],
            "identifier": [
                {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": facts.holder_name},
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "identityHash": identity_hash(facts.holder_email, facts.email_salt),
                    "salt": facts.email_salt,
                },
            ],
            "achievement": achievement(facts),
            "activityStartDate": day_start(facts.window_start),
            "activityEndDate": day_start(facts.window_end),
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": f"{facts.achievement_id}#hours",
                    "value": hours(facts.counted_minutes),
                },
                {
                    "type": ["Result"],
                    "resultDescription": f"{facts.achievement_id}#window",
                    "value": f"{facts.window_start.isoformat()}/{facts.window_end.isoformat()}",
                },
            ],
        },
        "credentialStatus": {
            "id": f"{facts.status_list_url}#{facts.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": REVOCATION,
            "statusListIndex": str(facts.status_index),
            "statusListCredential": facts.status_list_url,
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def jwt_claims(document: JSON) -> JSON:
    """The JWT payload: the credential's members, with the registered claims Open Badges 3.0 asks for."""
    valid_from = datetime.strptime(document["validFrom"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    claims = {
        **document,
        "iss": document["issuer"]["id"] if isinstance(document["issuer"], dict) else document["issuer"],
        "jti": document["id"],
        "nbf": int(valid_from.timestamp()),
    }
    subject = document["credentialSubject"]
    if isinstance(subject, dict) and "id" in subject:
        claims["sub"] = subject["id"]
    return claims


def encode_status_list(revoked: Iterable[int], bits: int = STATUS_LIST_BITS) -> str:
    """The encodedList of a Bitstring Status List with the `revoked` indices set."""
    bitstring = bytearray(bits // 8)
    for index in revoked:
        if not 0 <= index < bits:
            raise ValueError(f"status index {index} is outside the list of {bits} entries")
        bitstring[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bitstring), mtime=0)  # the same list gives the same bytes
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def status_list_credential(list_url: str, issuer: Issuer, revoked: Iterable[int], now: datetime) -> JSON:
    return {
        "@context": [VC_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": issuer.id, "type": ["Profile"], "name": issuer.name},
        "validFrom": instant(now),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": REVOCATION,
            "encodedList": encode_status_list(revoked),
        },
    }


def issuer_profile(issuer: Issuer) -> JSON:
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": issuer.id,
        "type": ["Profile"],
        "name": issuer.name,
        "url": issuer.url,
    }
