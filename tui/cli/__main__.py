"""``python -m tui.cli``: the ``paper-reader`` command."""

import sys

from tui.cli.main import main

sys.exit(main())
