"""Mitigation: measures as changes to a chain, their ranking, the catalogue and matching (F16)."""
