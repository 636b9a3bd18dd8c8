"""Endorsement category codes used throughout the service (domain.md)."""

CATEGORY_NAMES = {
    "IFA": "Infant Family Associate",
    "IFS": "Infant Family Specialist",
    "IFRS": "Infant Family Reflective Supervisor",
    "IMHS": "Infant Mental Health Specialist",
    "IMHM-C": "Infant Mental Health Mentor-Clinical",
    "IMHM-P": "Infant Mental Health Mentor-Policy",
    "IMHM-R": "Infant Mental Health Mentor-Research/Faculty",
    "ECFA": "Early Childhood Family Associate",
    "ECFS": "Early Childhood Family Specialist",
    "ECFRS": "Early Childhood Family Reflective Supervisor",
    "ECMHS": "Early Childhood Mental Health Specialist",
    "ECMHM-C": "Early Childhood Mental Health Mentor-Clinical",
    "ECMHM-P": "Early Childhood Mental Health Mentor-Policy",
    "ECMHM-R": "Early Childhood Mental Health Mentor-Research/Faculty",
}
CATEGORY_CODES = tuple(CATEGORY_NAMES)
