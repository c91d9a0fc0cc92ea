"""``python -m mailflow``."""

import sys

from mailflow.cli import main

sys.exit(main())
