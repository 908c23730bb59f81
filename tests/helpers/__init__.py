"""Helpers shared by several test modules (imported as ``tests.helpers.*``; not fixtures)."""
