"""Tests of ketenradar.risk."""
