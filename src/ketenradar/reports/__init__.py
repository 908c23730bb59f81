"""Renderers for reports: HTML now; PDF and Excel follow the same section model."""
