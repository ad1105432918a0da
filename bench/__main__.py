"""``python -m bench``: every bench into docs/performance.md (bench/report.py).

``python -m bench <name>`` runs one: ``provision`` (bench/run.py), ``migrate``, ``national``,
``import`` (bench/imports.py), ``crisis``, ``load`` and ``faststart``, each with its own ``--help``.
"""

import importlib
import sys

MODULES = {
    "provision": "bench.run",
    "migrate": "bench.migrate",
    "national": "bench.national",
    "import": "bench.imports",
    "crisis": "bench.crisis",
    "load": "bench.load",
    "faststart": "bench.faststart",
}

name = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else ""
if name and name not in MODULES:
    sys.exit(f"python -m bench: no bench {name!r}; one of: {', '.join(MODULES)} (or none: all of them)")
module = importlib.import_module(MODULES[name] if name else "bench.report")
sys.exit(module.main(sys.argv[2:] if name else sys.argv[1:]))
