"""Tests of ketenradar.reports."""
