"""The methods' default thresholds and fixed choices, in a module light enough for the help.

Each is defined here once; the core imports it from here, and ``--help`` shows it without
loading the numerical libraries.
"""

from __future__ import annotations

__all__ = [
    "DIFF_TABLES",
    "DISCLOSURE_MAX_DOMINANCE",
    "DISCLOSURE_MIN_COMPANIES",
    "HIGH_RISK_OWNERSHIP_THRESHOLD",
    "SPOF_SHARE_THRESHOLD",
]

# A raw-material stage at least this much from one country is a single point of failure.
SPOF_SHARE_THRESHOLD = 0.9
# Disclosure control: a published cell needs this many companies, and no company may hold
# more than this share of the cell's FTE (common practice for business statistics).
DISCLOSURE_MIN_COMPANIES = 3
DISCLOSURE_MAX_DOMINANCE = 0.5
# Composite country risk (0..1) above which an owner country counts as high-risk. A setting,
# not a finding: with the default weights every EU/EEA member scores below it (highest: Greece,
# 0.44) and China (0.46), Brazil (0.58), Turkey (0.67), Russia (0.80) and Iran (0.83) above it.
# Users who need a political rather than a risk-based list pass their own (--high-risk).
HIGH_RISK_OWNERSHIP_THRESHOLD = 0.45
# The tables of a snapshot diff (`monitor diff --table`), in the order they are shown.
DIFF_TABLES = (
    "materials",
    "flags",
    "countries",
    "datasets",
    "restrictions_added",
    "restrictions_removed",
    "chains",
)
