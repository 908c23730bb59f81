"""Tests of ketenradar.refdata."""
