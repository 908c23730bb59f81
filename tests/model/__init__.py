"""Tests of ketenradar.model."""
