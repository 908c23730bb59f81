"""What the demo report should contain, and how to cut it into its sections."""

from __future__ import annotations

import re

# The charts each section draws: materials SR-vs-EI and concentration; countries the weighted
# components; chain the exposure split; sector the risk-impact matrices and usage-weighted exposure.
CHARTS_PER_SECTION = {"materials": 2, "maps": 5, "countries": 1, "chain": 2, "sector": 2}


def sections(html: str) -> list[tuple[str, str]]:
    """Return (id, body) of every ``<section id=...>`` of the report, in report order."""
    return re.findall(r'<section id="(\w+)">(.*?)</section>', html, flags=re.S)


def section(html: str, name: str) -> str:
    """Return the body of one section of the report."""
    found = re.search(rf'<section id="{name}">(.*?)</section>', html, flags=re.S)
    assert found is not None, name
    return found.group(1)


def without_script_text(html: str) -> str:
    """Return the page with its scripts emptied: the inlined plotly.js names web sites and holds an SVG."""
    return re.sub(r"(<script\b[^>]*>).*?(</script>)", r"\1\2", html, flags=re.S)
