"""A plain (non-editable) install carries everything the site needs: templates, static files,
migrations, the ``agora`` console script, and no ``platform`` package shadowing the stdlib."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("agora", "tenants", "realtime", "api", "frontend")


def source_files(pattern: str) -> set[str]:
    """Files under the checkout as they are named inside the wheel (platform/ is stripped)."""
    found = set()
    for path in ROOT.glob(pattern):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(ROOT)
        if relative.parts[0] == "platform":
            relative = relative.relative_to("platform")
        if relative.parts[0] in PACKAGES:
            found.add(relative.as_posix())
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = out.glob("agora_bondgenoten-*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def test_templates_are_package_data(wheel) -> None:
    names = set(wheel.namelist())
    templates = source_files("**/templates/**/*")
    assert "frontend/templates/base.html" in templates
    assert templates <= names, sorted(templates - names)


def test_static_files_are_package_data(wheel) -> None:
    names = set(wheel.namelist())
    static = source_files("**/static/**/*")
    assert "frontend/static/frontend/agora.css" in static
    assert static <= names, sorted(static - names)


def test_compiled_catalogues_and_vendored_files_are_package_data(wheel) -> None:
    """Translated pages and the vendored browser files come with ``pip install`` alone."""
    names = set(wheel.namelist())
    for language in ("nl", "en"):
        assert f"frontend/locale/{language}/LC_MESSAGES/django.mo" in names
    for vendored in (
        "htmx.org/htmx.min.js",
        "htmx.org/LICENSE",
        "cytoscape/cytoscape.min.js",
        "cytoscape/LICENSE",
    ):
        assert f"frontend/static/vendor/{vendored}" in names
    assert not any("node_modules" in name for name in names)


def test_migrations_are_included(wheel) -> None:
    names = set(wheel.namelist())
    migrations = source_files("**/migrations/*.py")
    assert "agora/municipalities/migrations/0001_initial.py" in migrations
    assert "tenants/networkmap/migrations/0001_initial.py" in migrations
    assert migrations <= names, sorted(migrations - names)


def test_packages_at_top_level_and_no_platform_package(wheel) -> None:
    names = wheel.namelist()
    for package in PACKAGES:
        assert f"{package}/__init__.py" in names
    assert "agora/cli.py" in names
    assert not any(name.startswith("platform/") for name in names)
    assert not any(name.startswith(("tests/", "bench/")) for name in names)


def test_console_script(wheel) -> None:
    (entry_points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    text = wheel.read(entry_points).decode()
    assert "[console_scripts]" in text
    assert "agora = agora.cli:main" in text
