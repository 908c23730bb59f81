"""Tests of ketenradar.scenarios."""
