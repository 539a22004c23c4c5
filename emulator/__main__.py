"""python -m emulator: the jing-emulator command."""

import sys

from emulator.cli import main

sys.exit(main())
