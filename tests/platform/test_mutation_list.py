"""The mutation list of ``bench/mutations.py`` still points at the code it breaks.

Every snippet must occur exactly once in its file, and every owning test folder must exist: a
refactor that moves or rewrites guarded code fails here, visibly, instead of leaving an entry
that no longer mutates anything.
"""

from __future__ import annotations

import pytest

from bench.mutations import MUTATIONS, ROOT, occurrences

pytestmark = pytest.mark.slow


def test_the_list_covers_the_seventeen_rules_of_issue_8():
    names = [mutation.name for mutation in MUTATIONS]
    assert len(names) >= 17 and len(set(names)) == len(names), names


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_every_snippet_occurs_exactly_once(mutation):
    assert occurrences(mutation) == 1, (
        f"{mutation.name!r}: the snippet occurs {occurrences(mutation)} times in {mutation.file}; "
        "update the entry in bench/mutations.py to the code as it is now"
    )
    assert mutation.replacement != mutation.snippet
    assert (ROOT / mutation.tests).exists(), mutation.tests
