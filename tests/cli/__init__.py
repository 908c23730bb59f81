"""Tests of ketenradar.cli."""
