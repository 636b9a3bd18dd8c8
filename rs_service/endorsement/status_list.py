"""Positions in an association's revocation status list (Open Badges 3.0, W3C Bitstring Status List).

Each certificate holds one position, chosen at random among the free ones so that a position
says nothing about when or in what order certificates were issued.
"""

import secrets

from rs_service.endorsement.models import Certificate
from rs_service.endorsement.openbadges import STATUS_LIST_BITS
from rs_service.extensions import db


def free_status_index(organization_id: int) -> int:
    taken = set(
        db.session.scalars(db.select(Certificate.status_index).where(Certificate.organization_id == organization_id))
    )
    if len(taken) >= STATUS_LIST_BITS:
        raise RuntimeError("the association's status list is full")
    while True:
        index = secrets.randbelow(STATUS_LIST_BITS)
        if index not in taken:
            return index


def revoked_indices(organization_id: int) -> list[int]:
    return list(
        db.session.scalars(
            db.select(Certificate.status_index).where(
                Certificate.organization_id == organization_id, Certificate.revoked_at.is_not(None)
            )
        )
    )
