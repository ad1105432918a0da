"""A reference to a document in the repository names one that exists.

``accounts/roles.py`` once pointed to an ARCHITECTURE.md under ``docs/`` that is not in the repository; a
reader following a docstring must find the decision it cites.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# "docs/adr/0004-….md", "docs/deployment.md", or an ADR by number only ("docs/adr/0001").
REFERENCE = re.compile(r"\bdocs/[A-Za-z0-9_./-]*[A-Za-z0-9_]")
# The ADRs of the actor core and the workflow helper are written under issue 7 (point 9); until
# they land, the modules that cite them may do so.
ANNOUNCED = {"docs/adr/0006", "docs/adr/0006-one-actor-core.md", "docs/adr/0007-one-workflow-helper.md"}


def _tracked_text_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "*.py", "*.md", "*.html", "*.toml", "*.yml", "Dockerfile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [ROOT / name for name in listed if "/migrations/" not in name]


def _exists(reference: str) -> bool:
    target = ROOT / reference
    if target.exists():
        return True
    # "docs/adr/0001" names ADR 0001 by its number.
    return bool(re.fullmatch(r"docs/adr/\d{4}", reference)) and any(target.parent.glob(f"{target.name}-*.md"))


def test_every_docs_reference_names_a_file_that_exists() -> None:
    missing = []
    for path in _tracked_text_files():
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
            for reference in REFERENCE.findall(line):
                reference = reference.rstrip(".")
                if reference not in ANNOUNCED and not _exists(reference):
                    missing.append(f"{path.relative_to(ROOT)}:{number}: {reference}")
    assert missing == []
