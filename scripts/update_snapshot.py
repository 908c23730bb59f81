"""Write each reference file's SHA-256 into datasets.toml after a deliberate data update."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "src" / "ketenradar" / "refdata" / "data"


def main() -> None:
    """Rewrite the sha256 line of every dataset entry in datasets.toml."""
    manifest = DATA / "datasets.toml"
    lines = [line for line in manifest.read_text().splitlines() if not line.startswith("sha256 =")]
    out: list[str] = []
    for line in lines:
        out.append(line)
        match = re.match(r'^file = "(.+)"$', line)
        if match:
            digest = hashlib.sha256((DATA / match.group(1)).read_bytes()).hexdigest()
            out.append(f'sha256 = "{digest}"')
    manifest.write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
