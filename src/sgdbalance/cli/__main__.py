"""``python -m sgdbalance.cli``: the ``sgdbalance`` command."""

import sys

from . import main

sys.exit(main())
