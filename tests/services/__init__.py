"""Tests of ketenradar.services."""
