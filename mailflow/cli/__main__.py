"""``python -m mailflow.cli``, as ``mailflow``."""

import sys

from mailflow.cli import main

sys.exit(main())
