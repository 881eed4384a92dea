"""`python -m printagent …`: see printagent.cli."""

import sys

from printagent.cli import main

sys.exit(main())
