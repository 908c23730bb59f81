"""Shipped example chains and scenarios for the demo, tests and docs."""
