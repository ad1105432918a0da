"""A mutation check that stays (issue 8.4): break one guarded rule at a time, run its tests.

    python -m bench.mutations [--only NAME ...] [--list]

Copies the repository (tracked and untracked files, no .git) to a temporary folder, and for each
entry of ``MUTATIONS`` replaces one exact source snippet there, runs the owning test folder with
``pytest -x -q`` and restores the file. A rule whose tests still pass SURVIVED: nothing guards it.
Prints a KILLED/SURVIVED table; the exit code is non-zero if any survived (or a snippet is gone).

Each test folder is first run once unmutated (the control): tests that fail already are listed
and deselected from the mutated runs, so a folder with a broken test cannot "kill" every
mutation for the wrong reason.

Uses DATABASE_URL and REDIS_URL as the suite does, with ``_mutations`` appended to the database
name, so that the copy's test database (``test_<name>_mutations``) never meets the suite's.
Migrations are mutated too (the audit triggers, the meal constraint): every run creates its
test database afresh, so the mutated migration is what builds it.

``tests/platform/test_mutation_list.py`` checks that every snippet still occurs exactly once in
its file: a refactor that moves guarded code breaks that test, and the entry is updated with it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str  # relative to the repository root
    snippet: str  # exact source text, occurring exactly once in ``file``
    replacement: str
    tests: str  # the owning test folder (or file) to run


MUTATIONS: tuple[Mutation, ...] = (
    # --- the twelve key rules of issue 8 -------------------------------------------------------
    Mutation(
        "ally rule: no professional representative",
        "tenants/selection/rules.py",
        "    if key_figure.is_professional_representative:\n",
        "    if False:\n",
        "tests/tenants/selection",
    ),
    Mutation(
        "ally rule: lives in the municipality",
        "tenants/selection/rules.py",
        "    if residence and (municipality is None or residence != municipality.cbs_code.upper()):\n",
        "    if False:\n",
        "tests/tenants/selection",
    ),
    Mutation(
        "the 403 gate (IsMunicipalStaff)",
        "api/permissions.py",
        "        return request_actor(request).is_staff\n",
        "        return request_actor(request).is_member\n",
        "tests/api",
    ),
    Mutation(
        "staff permissions (selection actions)",
        "platform/agora/accounts/actors.py",
        "    if actor.role is None or actor.role not in roles:\n",
        "    if actor.role is None:\n",
        "tests/tenants/selection",
    ),
    Mutation(
        "four-eyes approval (one person approves once)",
        "tenants/selection/actions.py",
        "    if any(approval.user_id == acting_user.pk for approval in approvals):\n",
        "    if False:\n",
        "tests/tenants/selection",
    ),
    Mutation(
        "the meal (planning a meeting)",
        "tenants/councils/actions/meetings.py",
        '    if not (meal or "").strip():\n',
        "    if False:\n",
        "tests/tenants/councils",
    ),
    Mutation(
        "the boundary (council leads of this municipality)",
        "platform/agora/accounts/actors.py",
        "    if found is None or found.municipality_id != municipality.pk:\n",
        "    if found is None:\n",
        "tests/tenants/councils",
    ),
    Mutation(
        "read logging as a whole",
        "platform/agora/audit/actions.py",
        "    if municipality is None or actor is None or not objs:\n",
        "    if True:\n",
        "tests/api",
    ),
    Mutation(
        "the audit trigger (AuditEvent)",
        "platform/agora/audit/migrations/0002_append_only.py",
        "ON audit_auditevent\n    FOR EACH ROW EXECUTE",
        "ON audit_auditevent\n    FOR EACH ROW WHEN (false) EXECUTE",
        "tests/platform/test_audit_append_only.py",
    ),
    Mutation(
        "tenant-scoped channel groups",
        "realtime/groups.py",
        '    name = ".".join(["t", schema_name, *(',
        '    name = ".".join(["t", *(',
        "tests/realtime",
    ),
    Mutation(
        "ally event routing",
        "realtime/events.py",
        "ally_group(schema, topic, pk) for pk in",
        "ally_group(schema, topic, pk + 1) for pk in",
        "tests/tenants/signals",
    ),
    Mutation(
        "overdue signals",
        "tenants/signals/deadlines.py",
        "    return days_before(now or timezone.now(), overdue_days(rules))\n",
        "    return days_before(now or timezone.now(), overdue_days(rules) + 1)\n",
        "tests/tenants/signals",
    ),
    # --- the five that survived the whole suite before issue 8 ----------------------------------
    Mutation(
        "the audit trigger (PersonRecordRead)",
        "platform/agora/audit/migrations/0002_append_only.py",
        "ON audit_personrecordread\n    FOR EACH ROW EXECUTE",
        "ON audit_personrecordread\n    FOR EACH ROW WHEN (false) EXECUTE",
        "tests/platform/test_audit_append_only.py",
    ),
    Mutation(
        "read logging: council change view (admin)",
        "tenants/councils/admin.py",
        'objs=shown, purpose=f"council {council.pk} (admin)"',
        'objs=[], purpose=f"council {council.pk} (admin)"',
        "tests/api/test_read_logging.py",
    ),
    Mutation(
        "read logging: selection-case change view (admin)",
        "tenants/selection/admin.py",
        "            log_person_read(actor=request.user, obj=case.key_figure, purpose=READ_PURPOSE)\n",
        "            pass\n",
        "tests/api/test_read_logging.py",
    ),
    Mutation(
        "read logging: notice receipts (API)",
        "api/signals/views.py",
        'objs=[row.key_figure for row in rows], purpose="notice receipts"',
        'objs=[], purpose="notice receipts"',
        "tests/api/test_read_logging.py",
    ),
    Mutation(
        "the meal (database constraint)",
        "tenants/councils/migrations/0001_initial.py",
        "condition=models.Q(('meal', ''), _negated=True), name='meeting_has_meal'",
        "condition=models.Q(('meal', 'never'), _negated=True), name='meeting_has_meal'",
        "tests/tenants/test_database_constraints.py",
    ),
    # --- guards added with issue 8 ------------------------------------------------------------
    Mutation(
        "TRUNCATE refused on the audit tables",
        "platform/agora/audit/migrations/0003_refuse_truncate.py",
        "    BEFORE TRUNCATE ON audit_personrecordread\n",
        "    BEFORE UPDATE ON audit_personrecordread\n",
        "tests/platform/test_audit_append_only.py",
    ),
)


def occurrences(mutation: Mutation, root: Path = ROOT) -> int:
    path = root / mutation.file
    return path.read_text(encoding="utf-8").count(mutation.snippet) if path.exists() else 0


def _copy_tree(target: Path) -> None:
    ignore = shutil.ignore_patterns(".git", "__pycache__", "*.pyc", ".pytest_cache", "node_modules")
    shutil.copytree(ROOT, target, ignore=ignore, dirs_exist_ok=True)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    url = env.get("DATABASE_URL")
    if url:
        parts = urlsplit(url)
        name = parts.path.lstrip("/") or "agora"
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}_mutations"))
    env.setdefault("CI", "true")
    return env


FAILURES_FILE = "AGORA_MUTATION_FAILURES"


def pytest_runtest_logreport(report) -> None:
    """Pytest hook (``-p bench.mutations``): append each failing test's node id to a file."""
    target = os.environ.get(FAILURES_FILE)
    if target and report.failed:
        with open(target, "a", encoding="utf-8") as out:
            out.write(report.nodeid + "\n")


def _pytest(tests: str, copy: Path, env: dict[str, str], timeout: int, extra: list[str]) -> int:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra, tests],
        cwd=copy,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=timeout,
        check=False,
    )
    return result.returncode


def control_failures(tests: str, copy: Path, env: dict[str, str], timeout: int) -> list[str]:
    """The node ids of ``tests`` that fail with no mutation applied."""
    with tempfile.NamedTemporaryFile("r", suffix=".txt", encoding="utf-8") as failures:
        _pytest(tests, copy, {**env, FAILURES_FILE: failures.name}, timeout, ["-p", "bench.mutations"])
        return sorted({line.strip() for line in failures.read().splitlines() if line.strip()})


def run_one(
    mutation: Mutation, copy: Path, env: dict[str, str], timeout: int, deselect: list[str]
) -> tuple[str, float]:
    """KILLED, SURVIVED, or MISSING (the snippet no longer occurs exactly once)."""
    path = copy / mutation.file
    original = path.read_text(encoding="utf-8")
    if original.count(mutation.snippet) != 1:
        return "MISSING", 0.0
    path.write_text(original.replace(mutation.snippet, mutation.replacement), encoding="utf-8")
    started = time.monotonic()
    try:
        extra = ["-x", *(f"--deselect={node}" for node in deselect)]
        outcome = "SURVIVED" if _pytest(mutation.tests, copy, env, timeout, extra) == 0 else "KILLED"
    except subprocess.TimeoutExpired:
        outcome = "KILLED (timeout)"
    finally:
        path.write_text(original, encoding="utf-8")
    return outcome, time.monotonic() - started


def render(results: list[tuple[Mutation, str, float]]) -> str:
    width = max(len(m.name) for m, _, _ in results)
    lines = [f"{'rule':<{width}}  outcome   seconds  tests", "-" * (width + 40)]
    for mutation, outcome, seconds in results:
        lines.append(f"{mutation.name:<{width}}  {outcome:<8}  {seconds:7.1f}  {mutation.tests}")
    survived = sum(1 for _, outcome, _ in results if outcome in ("SURVIVED", "MISSING"))
    lines.append(f"{len(results) - survived} killed, {survived} survived or missing, of {len(results)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mutations", description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="names (or parts of names) to run")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--timeout", type=int, default=1200, help="seconds per test run")
    args = parser.parse_args(argv)
    chosen = [
        m for m in MUTATIONS if not args.only or any(part.lower() in m.name.lower() for part in args.only)
    ]
    if args.list:
        for mutation in chosen:
            print(f"{mutation.name}: {mutation.file} -> {mutation.tests}")
        return 0
    results = []
    with tempfile.TemporaryDirectory(prefix="agora-mutations-") as folder:
        copy = Path(folder) / "repo"
        _copy_tree(copy)
        env = _env()
        baseline: dict[str, list[str]] = {}
        for tests in dict.fromkeys(m.tests for m in chosen):
            baseline[tests] = control_failures(tests, copy, env, args.timeout)
            for node in baseline[tests]:
                print(f"control: fails without a mutation, deselected: {node}", flush=True)
        for mutation in chosen:
            outcome, seconds = run_one(mutation, copy, env, args.timeout, baseline[mutation.tests])
            print(f"{outcome:<8} {seconds:6.1f}s  {mutation.name}", flush=True)
            results.append((mutation, outcome, seconds))
    print()
    print(render(results))
    return 1 if any(outcome in ("SURVIVED", "MISSING") for _, outcome, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main())
