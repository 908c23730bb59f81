"""Tests of ketenradar.storage."""
