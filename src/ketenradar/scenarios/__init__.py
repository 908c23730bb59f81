"""Disruption scenarios: availability under shocks, propagated through the chain (pure)."""
