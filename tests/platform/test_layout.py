"""The repository layout, and the trap it avoids: ``platform/`` must not shadow the standard library.

Twisted (so daphne) imports the standard ``platform`` module. A ``platform/__init__.py`` at the
repository root would be imported instead whenever the root is on ``sys.path`` (it is, for
``python -c`` and pytest), and daphne would crash on start. See docs/adr/0001.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import platform, sys; "
    "assert not hasattr(platform, '__path__'), platform; "
    "print(platform.python_implementation()); "
    "import daphne.server; "
    "import agora.settings as s; print('agora ok')"
)


@pytest.mark.parametrize("folder", ["platform", "tenants", "realtime", "api", "frontend", "tests"])
def test_top_level_folders_exist(folder: str) -> None:
    assert (ROOT / folder).is_dir()


@pytest.mark.parametrize("name", ["pyproject.toml", "docker-compose.yml", "README.md", "Dockerfile"])
def test_top_level_files_exist(name: str) -> None:
    assert (ROOT / name).is_file()


def test_platform_is_a_source_folder_not_a_package() -> None:
    assert not (ROOT / "platform" / "__init__.py").exists()
    assert (ROOT / "platform" / "agora" / "__init__.py").exists()


def _run_probe(*, pythonpath: list[Path]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # Importing the settings must not start an embedded server here: point at the real one, or
    # (without DATABASE_URL) keep the probe to the imports that cannot start anything.
    probe = PROBE if env.get("DATABASE_URL") else PROBE.split("; import agora.settings")[0]
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(str(p) for p in pythonpath)
    return subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_standard_platform_module_from_repo_root() -> None:
    """``python -c`` in the root puts the root first on sys.path: the stdlib must still win."""
    result = _run_probe(pythonpath=[])
    assert result.returncode == 0 or "No module named 'agora'" in result.stderr, result.stderr
    assert result.stdout.splitlines()[0] in {"CPython", "PyPy"}, result.stdout + result.stderr


def test_standard_platform_module_with_root_and_platform_on_path() -> None:
    """The way pytest, manage.py and the ASGI entry run: root and platform/ both on sys.path."""
    result = _run_probe(pythonpath=[ROOT, ROOT / "platform"])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] in {"CPython", "PyPy"}
    if os.environ.get("DATABASE_URL"):
        assert lines[-1] == "agora ok"


def test_daphne_imports_in_this_process() -> None:
    import platform

    import daphne.server  # noqa: F401

    assert platform.python_implementation() in {"CPython", "PyPy"}


def test_compose_has_the_production_shape() -> None:
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "web1", "web2", "proxy"} <= set(services)
    for web in ("web1", "web2"):
        env = services[web]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")
        assert services[web]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["agora", "migrate"]
    proxy = " ".join(services["proxy"]["command"])
    assert "web1:8000" in proxy and "web2:8000" in proxy
    # One escalation runner per deployment, its own service; the web processes leave it to that one.
    assert services["escalation"]["command"][:3] == ["agora", "manage", "crisis_escalate"]
    assert "--loop" in services["escalation"]["command"]
    assert all(services[web]["environment"]["AGORA_ESCALATION_INTERVAL"] == "0" for web in ("web1", "web2"))
    # Each web service is `agora serve --workers N` (the image's command reads AGORA_SERVE_WORKERS),
    # the command the one-machine tests run (tests/realtime/test_serve_workers.py).
    for web in ("web1", "web2"):
        assert "command" not in services[web]
        assert services[web]["environment"]["AGORA_SERVE_WORKERS"] == "${AGORA_SERVE_WORKERS:-2}"


def test_dockerfile_installs_the_package_and_serves_as_non_root() -> None:
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    assert "FROM python:3.11-slim" in lines
    assert any(line.startswith("RUN pip install .") for line in lines)
    user = [line for line in lines if line.startswith("USER ")]
    assert user and user[-1] != "USER root"
    assert lines[-1].startswith('CMD ["agora", "serve"')
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert "README.md" not in ignored  # pyproject's readme: the build needs it
