"""bandit over the source: no finding of medium or high severity outside the reviewed allow-list.

Run as a test so that ``pytest`` (the README's command, and CI's) covers it. An allow-list entry
names the check, the file and the flagged source line (not a line number, which moves), with the
reason it was reviewed as safe; an entry that no longer matches a finding fails too, so the list
cannot go stale. A new finding is fixed, or reviewed and added here with its reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ("platform", "tenants", "api", "realtime", "frontend")
EXCLUDED = "*/migrations/*,*/node_modules/*,*/static/*"

# (test id, file, the flagged line as written) -> why it is safe.
ALLOWED: dict[tuple[str, str, str], str] = {
    (
        "B608",
        "platform/agora/national/aggregates.py",
        '"WITH p AS (SELECT * FROM unnest(%s::bigint[], %s::timestamptz[]) AS p(municipality_id, cutoff))"',
    ): (
        "the signal statement interpolates two constant SQL fragments chosen in code (the grouping "
        "sets with or without the neighbourhood level); every value is a bound parameter"
    ),
    (
        "B608",
        "platform/agora/embedded.py",
        """exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")""",
    ): (
        "the embedded development server's database name comes from the code (default 'agora') "
        "and is checked against [A-Za-z0-9_]+ before this line; psql takes no parameters"
    ),
    (
        "B608",
        "platform/agora/migration_state.py",
        'cursor.execute(f"SELECT app, name FROM {table}")  # the schema name is quoted above',
    ): "the table name is built with connection.ops.quote_name from a schema name; values are none",
    (
        "B608",
        "platform/agora/national/aggregates.py",
        'f"SELECT municipality_id, {columns} FROM national_mirrorrules"',
    ): "the columns are the constant RULE_FIELDS of the code; the ids are a bound parameter",
    (
        "B608",
        "platform/agora/national/aggregates.py",
        'f"WITH counts AS (SELECT m.municipality_id, m.community_id, {people}"',
    ): (
        "the interpolated pieces are two constant SQL fragments chosen in code (a filter and a join "
        "kind); every value is a bound parameter"
    ),
    (
        "B608",
        "platform/agora/embedded.py",
        """exists = server.psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{role}';")""",
    ): (
        "the embedded server's application role is the constant APP_ROLE, checked against "
        "[A-Za-z0-9_]+ before this line; psql takes no parameters"
    ),
    (
        "B608",
        "platform/agora/national/aggregates.py",
        '"SELECT c.municipality_id, c.source_id, c.kind, c.status, c.declared_at, c.deadline_at, '
        'c.quorum_at,"',
    ): (
        "the one interpolated piece is one of two constant filters chosen in code (open crises, or "
        "one crisis by a bound id); every value is a bound parameter"
    ),
    (
        "B703",
        "platform/agora/accounts/two_factor_views.py",
        '"qr_svg": mark_safe(_qr_svg(device)),',
    ): (
        "the SVG is drawn here by the qrcode library (SvgPathImage: one <path> of coordinates, no "
        "text from the user); it must render as markup, and CSP forbids inline script anyway"
    ),
    (
        "B308",
        "platform/agora/accounts/two_factor_views.py",
        '"qr_svg": mark_safe(_qr_svg(device)),',
    ): "as B703 on the same line: the library's own SVG of the enrolment URI, no user text",
}


def _findings() -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-r", *SOURCE, "-x", EXCLUDED, "-ll", "-f", "json", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert not report["errors"], report["errors"]
    assert report["metrics"]["_totals"]["loc"] > 10_000, "bandit scanned (almost) nothing"
    return report["results"]


def _key(finding: dict) -> tuple[str, str, str]:
    path = Path(finding["filename"]).as_posix()
    line = (ROOT / path).read_text(encoding="utf-8").splitlines()[finding["line_number"] - 1]
    return finding["test_id"], path, line.strip()


def test_bandit_finds_nothing_of_medium_or_high_severity_beyond_the_allow_list():
    findings = _findings()
    keys = [_key(f) for f in findings]
    unreviewed = [
        f"{f['test_id']} {f['issue_severity']} {f['filename']}:{f['line_number']} {f['issue_text']}"
        for f, key in zip(findings, keys, strict=True)
        if key not in ALLOWED
    ]
    assert not unreviewed, "fix these, or review them into ALLOWED with a reason:\n" + "\n".join(unreviewed)
    stale = set(ALLOWED) - set(keys)
    assert not stale, f"allow-list entries that match no finding any more: {sorted(stale)}"
    assert all(reason.strip() for reason in ALLOWED.values())
