"""Tests of ketenradar.ingest."""
