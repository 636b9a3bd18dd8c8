"""Certificates as signed Open Badges 3.0 credentials, and each association's revocation status list.

Every identifier inside a credential is built from PUBLIC_URL, never from the request's host, so
a credential and the documents it points to (issuer profile, status list, public key) stay the
same whoever asked and however the request came in.
"""

import hashlib
import uuid

from flask import current_app

from rs_service import clock
from rs_service.accounts.models import Organization
from rs_service.endorsement import openbadges, signing, status_list
from rs_service.endorsement.categories import CATEGORY_NAMES
from rs_service.endorsement.models import Certificate
from rs_service.extensions import db
from rs_service.urls import external_url


def issuer_of(organization: Organization) -> openbadges.Issuer:
    return openbadges.Issuer(
        id=external_url("badges.issuer_profile", slug=organization.slug),
        name=organization.name,
        url=current_app.config["PUBLIC_URL"],
    )


def status_list_url(organization: Organization) -> str:
    return external_url("badges.status_list", slug=organization.slug)


def certificate_facts(certificate: Certificate) -> openbadges.CertificateFacts:
    organization = db.session.get(Organization, certificate.organization_id)
    assert organization is not None
    issuer = issuer_of(organization)
    requirement = certificate.requirement
    version = requirement.requirement_set.version
    holder = certificate.person
    return openbadges.CertificateFacts(
        credential_id=external_url("endorsement.verify", code=certificate.code),
        issuer=issuer,
        achievement_id=f"{issuer.id}/achievements/{certificate.category}/v{version}",
        category=certificate.category,
        category_name=CATEGORY_NAMES[certificate.category],
        required_minutes=requirement.required_minutes,
        window_months=requirement.window_months,
        provider_categories=tuple(requirement.provider_categories),
        rule_version=version,
        # Opaque and stable: the same holder has the same subject in every credential of this issuer.
        holder_id=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{issuer.id}/holders/{holder.id}')}",
        holder_name=holder.name,
        holder_email=holder.email,
        email_salt=hashlib.sha256(f"salt:{certificate.code}".encode()).hexdigest()[:16],
        counted_minutes=certificate.counted_minutes,
        window_start=certificate.window_start,
        window_end=certificate.window_end,
        issued_at=certificate.issued_at,
        status_list_url=status_list_url(organization),
        status_index=certificate.status_index,
    )


def open_badge(certificate: Certificate) -> dict:
    return openbadges.credential(certificate_facts(certificate))


def open_badge_jwt(certificate: Certificate) -> str:
    """The certificate as a VC-JWT: the same for every request (Ed25519 signatures are deterministic)."""
    return signing.sign(openbadges.jwt_claims(open_badge(certificate)))


def status_list_jwt(organization: Organization) -> str:
    document = openbadges.status_list_credential(
        status_list_url(organization),
        issuer_of(organization),
        status_list.revoked_indices(organization.id),
        clock.now(),
    )
    return signing.sign(openbadges.jwt_claims(document))


def organization_by_slug(slug: str) -> Organization | None:
    if len(slug) > 64:
        return None
    return db.session.scalar(db.select(Organization).where(Organization.slug == slug))
