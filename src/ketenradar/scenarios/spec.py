"""Scenario objects now live in :mod:`ketenradar.model.scenario`; this name remains for old imports."""

from ketenradar.model.scenario import Scenario, Shock, ShockStage

__all__ = ["Scenario", "Shock", "ShockStage"]
