"""Tests of ketenradar; the folders mirror src/ketenradar/."""
