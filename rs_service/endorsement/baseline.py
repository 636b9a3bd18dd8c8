"""Alliance baseline RSC requirements (docs/domain.md, "Baseline RSC requirements").

Plain data, one dict per category code. Associations copy and adjust these (requirements
are data: e.g. ORIMHA asks 25 h for IFS), so nothing here is hard-coded in the rules.
Build a rules object with ``rules.Requirement.from_dict(d)``.

Choices where the published sources are silent or unconfirmed (all configurable):

* IFS: providers IFRS, IMHS, IMHM-C (current rule; the older rule was IMHS or IMHM-C).
* ECFS: the early-childhood equivalents of the IFS providers plus the infant ones, as for
  ECMHS: IFRS, ECFRS, IMHS, ECMHS, IMHM-C, ECMHM-C. (IFRS is included by the same symmetry
  that lets ECMHS be served by an IMHS.)
* IFRS / ECFRS: 24 h received (CT-AIMH); window and providers unconfirmed. We use the same
  1-2 year window as the other categories and providers IMHS, IMHM-C (IFRS) and IMHS,
  ECMHS, IMHM-C, ECMHM-C (ECFRS). Configurable per association.
* IMHM-C: 50 h from IMHM-C only. ECMHM-C: 50 h from IMHM-C or ECMHM-C. The IMHM-C
  "25 of the 50 hours about/providing RSC" variants are not modelled here.
* Categories without an RSC requirement (IFA, ECFA, IMHM-P/R, ECMHM-P/R) carry the same
  window/source keys for uniformity, with rsc_required False and required_minutes 0.
* renewal_minutes: 12 clock hours a year for IFS, IFRS, IMHS, IMHM-C and their EC
  equivalents; None (no renewal RSC) for the rest.
* renewal_due: December 31 (associations also use Dec 15 and Jan 31: configurable).
"""

from __future__ import annotations

from rs_service.endorsement.categories import CATEGORY_CODES, CATEGORY_NAMES

_H24 = 24 * 60
_H50 = 50 * 60
_RENEWAL = 12 * 60
DEFAULT_RENEWAL_DUE = "12-31"

# category -> (required_minutes, provider categories); absent = RSC not required
_RSC: dict[str, tuple[int, list[str]]] = {
    "IFS": (_H24, ["IFRS", "IMHS", "IMHM-C"]),
    "ECFS": (_H24, ["IFRS", "ECFRS", "IMHS", "ECMHS", "IMHM-C", "ECMHM-C"]),
    # providers for IFRS/ECFRS are unconfirmed: configurable
    "IFRS": (_H24, ["IMHS", "IMHM-C"]),
    "ECFRS": (_H24, ["IMHS", "ECMHS", "IMHM-C", "ECMHM-C"]),
    "IMHS": (_H50, ["IMHS", "IMHM-C"]),
    "ECMHS": (_H50, ["IMHS", "ECMHS", "IMHM-C", "ECMHM-C"]),
    "IMHM-C": (_H50, ["IMHM-C"]),
    "ECMHM-C": (_H50, ["IMHM-C", "ECMHM-C"]),
}

_RENEWAL_CATEGORIES = frozenset({"IFS", "IFRS", "IMHS", "IMHM-C", "ECFS", "ECFRS", "ECMHS", "ECMHM-C"})


def _row(code: str) -> dict:
    required, providers = _RSC.get(code, (0, []))
    return {
        "category": code,
        "name": CATEGORY_NAMES[code],
        "rsc_required": code in _RSC,
        "required_minutes": required,
        "window_months": 24,
        "min_span_months": 12,
        "provider_categories": list(providers),
        "max_sources": 2,
        "majority_rule": True,
        "renewal_minutes": _RENEWAL if code in _RENEWAL_CATEGORIES else None,
        "renewal_due": DEFAULT_RENEWAL_DUE,
    }


BASELINE_REQUIREMENTS: list[dict] = [_row(code) for code in CATEGORY_CODES]

# Alias: the list under a shorter name.
BASELINE = BASELINE_REQUIREMENTS


def baseline_for(category: str) -> dict:
    """A fresh copy of the baseline dict for one category code (KeyError if unknown)."""
    for row in BASELINE_REQUIREMENTS:
        if row["category"] == category:
            return {**row, "provider_categories": list(row["provider_categories"])}
    raise KeyError(category)


__all__ = ["BASELINE", "BASELINE_REQUIREMENTS", "CATEGORY_CODES", "CATEGORY_NAMES", "baseline_for"]
