"""`python -m etl` is the `etl` command."""

import sys

from etl.cli import main

sys.exit(main())
