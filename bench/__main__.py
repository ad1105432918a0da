"""``python -m bench``: provisioning (bench/run.py).

``python -m bench national``: bench/national.py; ``python -m bench import``: bench/imports.py;
``python -m bench migrate``: bench/migrate.py; ``python -m bench crisis``: bench/crisis.py;
``python -m bench load``: bench/load.py.
"""

import sys

if sys.argv[1:2] == ["import"]:
    from bench.imports import main as import_main

    sys.exit(import_main(sys.argv[2:]))

if sys.argv[1:2] == ["migrate"]:
    from bench.migrate import main as migrate_main

    sys.exit(migrate_main(sys.argv[2:]))

if sys.argv[1:2] == ["national"]:
    from bench.national import main as national_main

    sys.exit(national_main(sys.argv[2:]))

if sys.argv[1:2] == ["load"]:
    from bench.load import main as load_main

    sys.exit(load_main(sys.argv[2:]))

if sys.argv[1:2] == ["crisis"]:
    from bench.crisis import main as crisis_main

    sys.exit(crisis_main(sys.argv[2:]))

from bench.run import main

sys.exit(main())
