"""What to do next, in the command line's own terms: the flag or command that fixes an error.

The library's messages never name a flag; this module adds the hint that does, by error class.
"""

from __future__ import annotations

from ketenradar.errors import (
    ChainNotFound,
    KetenradarError,
    ParametersNeeded,
    SnapshotExists,
    SnapshotNotFound,
    SurveyNotFound,
    UnknownCountry,
    UnknownMaterial,
)
from ketenradar.locale import N_, translate

__all__ = ["HINTS", "hint_for"]

HINTS: dict[type[KetenradarError], str] = {
    ParametersNeeded: N_("give --parameters FILE, or --fill-from-reference to use the EC 2023 values"),
    ChainNotFound: N_("`ketenradar chain list` shows the stored chains"),
    SurveyNotFound: N_("`ketenradar survey import` stores questionnaire answers"),
    SnapshotNotFound: N_(
        "`ketenradar monitor list` shows the stored snapshots; `ketenradar monitor snapshot` takes one"
    ),
    SnapshotExists: N_("give another name with --name; `ketenradar monitor list` shows the names in use"),
    UnknownMaterial: N_("`ketenradar materials` lists the ids; add others with --catalogue FILE"),
    UnknownCountry: N_("`ketenradar countries` lists the codes"),
}


def hint_for(error: KetenradarError) -> str:
    """Return the command-line hint for an error in the active language, or an empty string."""
    for kind in type(error).__mro__:
        if kind in HINTS:
            return translate(HINTS[kind])
    return ""
