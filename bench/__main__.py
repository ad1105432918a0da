"""``python -m bench [national|crisis]``: bench/run.py (provisioning), bench/national.py, bench/crisis.py."""

import sys

if sys.argv[1:2] == ["national"]:
    from bench.national import main as national_main

    sys.exit(national_main(sys.argv[2:]))

if sys.argv[1:2] == ["crisis"]:
    from bench.crisis import main as crisis_main

    sys.exit(crisis_main(sys.argv[2:]))

from bench.run import main

sys.exit(main())
