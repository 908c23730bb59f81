"""Disruption scenarios: specification, shocks and availability through the chain."""
