"""Tests of ketenradar.network."""
