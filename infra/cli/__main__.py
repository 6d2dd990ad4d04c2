"""``python -m infra.cli``: the ``orchestrator`` command."""

import sys

from infra.cli import main

sys.exit(main())
